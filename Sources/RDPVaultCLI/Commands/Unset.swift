import ArgumentParser
import VaultKit

extension RDPVault {
  struct Unset: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "unset",
      abstract: "Clear an RDP setting or extra line on VMs.",
      usage: """
        rdpvault unset NAME... KEY [<options>]
        rdpvault unset --tag TAG [<filters>] KEY [--yes]
        """,
      discussion: """
        Several VMs: give several names, globs or list's filters; the last word is KEY. Every \
        VM must have it set. All change in one transaction, after one confirmation (--yes).
        """)

    @OptionGroup var options: VaultOptions
    @Argument(
      help: ArgumentHelp("VM names or globs, then KEY.", valueName: "name-key"),
      completion: VMNameCompletion.kind)
    var words: [String] = []
    @OptionGroup var filter: FilterOptions
    @Flag(name: .shortAndLong, help: "Do not ask before changing several VMs.") var yes = false

    func validate() throws {
      guard !words.isEmpty else { throw ValidationError("give the KEY to clear") }
      try Selection.requireSomething(
        ProfileSelection(names: Array(words.dropLast()), filter: filter.filter(name: nil)))
    }

    func run() throws {
      let names = Array(words.dropLast())
      let key = words[words.count - 1]
      let vault = try options.openVault()
      let selection = ProfileSelection(names: names, filter: filter.filter(name: nil))
      let entries = try Selection.resolve(vault, selection)
      if !selection.isOneName { try Selection.confirm("Clear \(key) on", entries, yes: yes) }
      try vault.unsetSetting(profiles: entries.map(\.profile.name), key: key)
      Diagnostics.note("cleared \(key) on \(Selection.described(entries))")
    }
  }
}
