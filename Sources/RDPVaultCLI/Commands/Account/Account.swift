import ArgumentParser
import VaultKit

extension RDPVault {
  struct AccountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "account",
      abstract: "Accounts, named by their sign-in name: CONTOSO\\alice or alice@contoso.com.",
      subcommands: [List.self, Passwd.self, Edit.self, Remove.self])
  }
}
