import ArgumentParser
import VaultKit

extension RDPVault {
  struct TeammateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "teammate",
      abstract: "Pinned teammates: who bundles can be exported to and imported from.",
      subcommands: [Add.self, List.self, Remove.self])
  }
}
