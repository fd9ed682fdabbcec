import ArgumentParser
import VaultKit

extension RDPVault.TeammateCommand {
  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rm", abstract: "Unpin a teammate.")

    @OptionGroup var options: VaultOptions
    @Argument(help: "The teammate's name.") var name: String

    func run() throws {
      try options.openVault().removeTeammate(name: name)
      Diagnostics.note("removed teammate \(name)")
    }
  }
}
