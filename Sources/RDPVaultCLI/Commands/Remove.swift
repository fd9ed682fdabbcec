import ArgumentParser
import VaultKit

extension RDPVault {
  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rm",
      abstract: "Remove a VM (and its local account).",
      discussion: "Asks for confirmation on a terminal; without one, --yes is required.")

    @OptionGroup var options: VaultOptions
    @Argument(help: "The VM's name.") var name: String
    @Flag(name: .shortAndLong, help: "Do not ask for confirmation.") var yes = false

    func run() throws {
      let vault = try options.openVault()
      let entry = try vault.profile(named: name)
      if !yes {
        guard
          try Prompt.confirm(
            "Remove \(entry.profile.name) (\(Output.address(entry.profile))) from the vault?",
            hint: "pass --yes to remove without a terminal")
        else { throw CLIError("not removed") }
      }
      try vault.removeProfile(named: entry.profile.name)
      Diagnostics.note("removed \(entry.profile.name)")
    }
  }
}
