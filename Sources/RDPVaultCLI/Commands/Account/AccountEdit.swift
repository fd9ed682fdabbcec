import ArgumentParser
import VaultKit

extension RDPVault.AccountCommand {
  struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "edit",
      abstract: "Mark or unmark a domain account as a domain administrator.")

    @OptionGroup var options: VaultOptions
    @Argument(help: "The account: CONTOSO\\alice or alice@contoso.com.") var account: String
    @Flag(
      inversion: .prefixedNo, exclusivity: .exclusive,
      help: "Whether the account is a domain administrator.")
    var admin: Bool

    func run() throws {
      try options.openVault().setDomainAdmin(account, admin)
      Diagnostics.note("\(account) is \(admin ? "now" : "no longer") marked as a domain admin")
    }
  }
}
