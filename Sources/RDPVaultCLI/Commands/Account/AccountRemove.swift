import ArgumentParser
import VaultKit

extension RDPVault.AccountCommand {
  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rm", abstract: "Remove an account that no VM uses.")

    @OptionGroup var options: VaultOptions
    @Argument(help: "The account: CONTOSO\\alice or alice@contoso.com.") var account: String

    func run() throws {
      try options.openVault().removeAccount(account)
      Diagnostics.note("removed account \(account)")
    }
  }
}
