import ArgumentParser
import VaultCrypto
import VaultKit

extension RDPVault {
  struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "edit",
      abstract: "Change VMs: any option of add.",
      discussion: """
        Only the options given change. --user/--domain/--kind re-point the VM to another \
        account (a new account asks for its password). On a local VM, --user names another \
        local account, and the old one's password is deleted; --computer-name, or the same user \
        in another case, keeps the account and its password. --password-stdin or --generate-password \
        set the password of the VM's account; for a shared domain account that changes it for \
        every VM that uses it.

        Several VMs: give several names, globs ('lab-*', quoted), or --where FIELD=VALUE \
        (edit's own --tag and --kind set values, so its filters are spelled --where tag=lab, \
        --where kind=local, resource-group, subscription, host). Every VM gets the same change, \
        in one transaction, after one confirmation that lists them (--yes skips it; without a \
        terminal it is required). --host and --computer-name change one VM at a time.
        """)

    @OptionGroup var options: VaultOptions
    @Argument(help: "VM names, or globs such as 'lab-*'.", completion: VMNameCompletion.kind)
    var names: [String] = []
    @OptionGroup var fields: ProfileOptions
    @OptionGroup var passwordOptions: PasswordOptions
    @Option(name: .customLong("add-tag"), help: "Add this tag, keeping the others (repeatable).")
    var addTags: [String] = []
    @Option(name: .customLong("remove-tag"), help: "Remove this tag, in any case (repeatable).")
    var removeTags: [String] = []
    @OptionGroup var filter: WhereOptions
    @Flag(
      name: .shortAndLong,
      help:
        "Do not ask: before removing a VM's local account and its password, or changing several VMs."
    )
    var yes = false

    /// The options' changes, with the tags added and removed.
    var changes: ProfileChanges {
      var changes = fields.changes
      changes.addTags = addTags
      changes.removeTags = removeTags
      return changes
    }

    var selection: ProfileSelection {
      get throws { ProfileSelection(names: names, filter: try filter.filter()) }
    }

    /// No option that changes anything: `edit web-01` alone would say "updated". Any field
    /// ProfileChanges gains counts without a change here.
    var changesNothing: Bool {
      changes == ProfileChanges() && !fields.touchesTheAccount && !passwordOptions.isGiven
    }

    func validate() throws {
      let selection = try self.selection
      try Selection.requireSomething(selection)
      if changesNothing {
        throw ValidationError(
          "nothing to change: give an option of add, --add-tag, --remove-tag or --password-stdin")
      }
      if !selection.isOneName {
        if fields.host != nil { throw ValidationError("--host changes one VM at a time") }
        if fields.computerName != nil {
          throw ValidationError("--computer-name changes one VM at a time")
        }
      }
    }

    func run() throws {
      try fields.checkSyntax()
      let selection = try self.selection
      let vault = try options.openVault()
      let entries = try Selection.resolve(vault, selection)
      let targets = entries.map(\.profile.name)
      let accountName = try fields.accountName
      let changes = self.changes
      let admin: Bool? = fields.admin ? true : nil
      var removed: [String] = []
      for name in targets {
        if let account = try vault.editRemovesAccount(
          named: name, changes: changes, account: accountName, admin: admin)
        {
          removed.append(account)
        }
      }
      if !removed.isEmpty {
        let which = removed.count == 1 ? removed[0] : "\(removed.count) local accounts"
        Diagnostics.warning(
          selection.isOneName
            ? "\(targets[0]) leaves its local account \(which), whose stored password will be deleted"
            : "these VMs leave \(which) (\(removed.joined(separator: ", "))), whose stored passwords will be deleted"
        )
      }
      if selection.isOneName {
        if !removed.isEmpty && !yes {
          guard
            try Prompt.confirm(
              "Delete \(removed[0]) and its password?",
              hint: "pass --yes to delete it without a terminal")
          else { throw CLIError("not changed") }
        }
      } else {
        let deleting =
          removed.isEmpty ? "" : ", deleting \(removed.count) local accounts and their passwords"
        try Selection.confirm(
          "Change", entries, yes: yes, declined: "not changed", suffix: deleting)
      }
      var password = try passwordOptions.read(for: nil)
      if password == nil,
        try targets.contains(where: {
          try vault.editNeedsPassword(
            named: $0, changes: changes, account: accountName, admin: admin)
        })
      {
        password = try passwordOptions.read(
          for: targets.count == 1 ? "the new account of \(targets[0])" : "the new accounts")
      }
      let left = SharedAccountsLeft(vault, entries)
      let updated = try vault.editProfiles(
        named: targets, changes: changes, account: accountName, admin: admin, password: password)
      if updated.count == 1, let entry = updated.first {
        Diagnostics.note(
          "updated \(entry.profile.name) (\(entry.profile.kind.rawValue), signs in as \(entry.signInName))"
        )
      } else {
        Diagnostics.note("updated \(Selection.described(updated))")
        for entry in updated {
          Diagnostics.detail(
            "  \(entry.profile.name): \(entry.profile.kind.rawValue), signs in as \(entry.signInName)"
          )
        }
      }
      left.note(vault)
    }
  }
}
