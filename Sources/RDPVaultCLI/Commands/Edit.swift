import ArgumentParser
import VaultCrypto
import VaultKit

extension RDPVault {
  struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "edit",
      abstract: "Change a VM: any option of add.",
      discussion: """
        Only the options given change. --user/--domain/--kind re-point the VM to another
        account (a new account asks for its password). --password-stdin or --generate-password
        set the password of the VM's account; for a shared domain account that changes it for
        every VM that uses it.
        """)

    @OptionGroup var options: VaultOptions
    @Argument(help: "The VM's name.") var name: String
    @OptionGroup var fields: ProfileOptions
    @OptionGroup var passwordOptions: PasswordOptions
    @Option(name: .customLong("add-tag"), help: "Add this tag, keeping the others (repeatable).")
    var addTags: [String] = []
    @Option(name: .customLong("remove-tag"), help: "Remove this tag, in any case (repeatable).")
    var removeTags: [String] = []
    @Flag(
      name: .shortAndLong,
      help: "Do not ask before removing the VM's local account and its password.")
    var yes = false

    /// The options' changes, with the tags added and removed.
    var changes: ProfileChanges {
      var changes = fields.changes
      changes.addTags = addTags
      changes.removeTags = removeTags
      return changes
    }

    func run() throws {
      try fields.checkSyntax()
      let vault = try options.openVault()
      let accountName = try fields.accountName
      let changes = self.changes
      let admin: Bool? = fields.admin ? true : nil
      if let removed = try vault.editRemovesAccount(
        named: name, changes: changes, account: accountName, admin: admin)
      {
        Diagnostics.warning(
          "\(name) leaves its local account \(removed), whose stored password will be deleted")
        if !yes {
          guard
            try Prompt.confirm(
              "Delete \(removed) and its password?",
              hint: "pass --yes to delete it without a terminal")
          else { throw CLIError("not changed") }
        }
      }
      var password = try passwordOptions.read(prompt: false)
      if password == nil,
        try vault.editNeedsPassword(
          named: name, changes: changes, account: accountName, admin: admin)
      {
        password = try passwordOptions.read(prompt: true)
      }
      let entry = try vault.editProfile(
        named: name, changes: changes, account: accountName, admin: admin,
        password: password)
      Diagnostics.note(
        "updated \(entry.profile.name) (\(entry.profile.kind.rawValue), signs in as \(entry.signInName))"
      )
    }
  }
}
