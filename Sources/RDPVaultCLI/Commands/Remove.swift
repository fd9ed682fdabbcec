import ArgumentParser
import VaultKit

extension RDPVault {
  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rm",
      abstract: "Remove VMs (and their local accounts).",
      discussion: """
        Takes names, globs ('lab-*', quoted) and list's filters; every filter must match. \
        Everything is removed in one transaction, after one confirmation on a terminal that \
        lists every VM; without a terminal, --yes is required.
        """)

    @OptionGroup var options: VaultOptions
    @Argument(help: "VM names, or globs such as 'lab-*'.", completion: VMNameCompletion.kind)
    var names: [String] = []
    @OptionGroup var filter: FilterOptions
    @Flag(name: .shortAndLong, help: "Do not ask for confirmation.") var yes = false

    var selection: ProfileSelection {
      ProfileSelection(names: names, filter: filter.filter(name: nil))
    }

    func validate() throws { try Selection.requireSomething(selection) }

    func run() throws {
      let vault = try options.openVault()
      let selection = self.selection
      let entries = try Selection.resolve(vault, selection)
      if !yes, selection.isOneName, let profile = entries.first?.profile {
        guard
          try Prompt.confirm(
            "Remove \(profile.name) (\(Output.address(profile))) from the vault?",
            hint: "pass --yes to remove without a terminal")
        else { throw CLIError("not removed") }
      } else {
        try Selection.confirm("Remove", entries, yes: yes, declined: "not removed")
      }
      let left = SharedAccountsLeft(vault, entries)
      try vault.removeProfiles(named: entries.map(\.profile.name))
      Diagnostics.note("removed \(Selection.described(entries))")
      left.note(vault)
    }
  }
}
