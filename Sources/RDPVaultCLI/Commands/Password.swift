import ArgumentParser
import VaultKit

extension RDPVault {
  struct Password: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "password",
      abstract: "Print a VM's password to standard output, for piping.",
      discussion: "The only command that prints a secret.")

    @OptionGroup var options: VaultOptions
    @Argument(help: "The VM's name.") var name: String

    func run() throws {
      let password = try options.openVault().password(forProfile: name)
      Output.writeSecretLine(password)
    }
  }
}
