import ArgumentParser
import VaultCrypto
import VaultKit

extension RDPVault {
  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract: "Store a VM and its account.",
      discussion: """
        The password is asked twice at the terminal unless --password-stdin or
        --generate-password is given. A domain account already in the vault is linked, and no \
        password is asked.
        """)

    @OptionGroup var options: VaultOptions
    @Argument(help: "The VM's name, as `connect NAME` will take it.") var name: String
    @OptionGroup var fields: ProfileOptions
    @OptionGroup var passwordOptions: PasswordOptions

    func run() throws {
      // Not in validate(): swift-argument-parser runs it before reporting an unknown option,
      // and `--hots 10.0.0.4` must be named as the typo it is, not as a missing --host.
      // A shared credential is a local user: it says the kind.
      let givenKind = fields.kind ?? (fields.sharedCredential != nil ? .local : nil)
      for (value, option) in [
        (fields.host, "--host"), (givenKind?.rawValue, "--kind (local, domain or dc)"),
        (fields.user, "--user"),
      ] where value == nil {
        throw UsageError(message: "missing \(option)", hint: "see: rdpvault help add")
      }
      // Everything that can be checked without the vault is, before the passphrase: the
      // values' syntax and the account's kind (a bare user for a domain VM, --admin on a
      // local one).
      try UsageError.check { try Validation.profileName(name) }
      try fields.checkSyntax()
      guard let accountName = try fields.accountName, let kind = givenKind else {
        throw ValidationError("missing --user")
      }
      let (computerName, vmNameUnusable) = Profile.computerName(
        given: fields.computerName, vmName: name, user: accountName)
      try UsageError.check {
        _ = try accountName.account(kind: kind, computerName: computerName, admin: fields.admin)
      }
      let vault = try options.openVault()
      var profile = Profile(name: name, host: "", computerName: computerName, kind: .local)
      fields.changes.apply(to: &profile)
      let resolution = try vault.resolveAccount(
        for: profile, name: accountName, admin: fields.admin)
      let entry: ProfileEntry
      switch resolution {
      case .existing:
        if passwordOptions.isGiven {
          let account = resolution.account.accountName(computerName: computerName)
          throw CLIError(
            "\(account) is already in the vault; the VM links to it and its password stays",
            hint:
              "change a shared password with: rdpvault account passwd \(ShellWords.quote(account))")
        }
        entry = try vault.addProfile(
          profile, account: accountName, admin: fields.admin, password: nil)
      case .new:
        let account = resolution.account
        let signIn = account.signInName(computerName: computerName)
        let shared = account.scope == .template
        let password = try passwordOptions.read(
          for: shared
            ? "\(signIn) (shared as \(account.accountName(computerName: computerName)))" : signIn)
        entry = try vault.addProfile(
          profile, account: accountName, admin: fields.admin, password: password)
      }
      if vmNameUnusable, entry.profile.kind == .local {
        Diagnostics.note(
          "\(quoted(name)) cannot be a Windows computer name (at most 15 letters, digits or '-'), so a local account "
            + "signs in as .\\USER, which Windows takes as an account of the VM itself; give --computer-name to use NAME\\USER"
        )
      }
      let linked = if case .existing = resolution { ", linked to the existing account" } else { "" }
      Diagnostics.note(
        "added \(entry.profile.name) (\(entry.profile.kind.rawValue), signs in as \(entry.signInName)\(linked))"
      )
    }
  }
}
