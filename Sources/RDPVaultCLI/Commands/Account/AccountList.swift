import ArgumentParser
import VaultKit

extension RDPVault.AccountCommand {
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: "List accounts and the VMs that use them.")

    @OptionGroup var options: VaultOptions
    @Flag(help: "Print JSON.") var json = false

    struct Item: Encodable {
      var signInName: String
      var scope: String
      var user: String
      var domain: String
      var domainAdmin: Bool
      var linksByName: Bool
      var vms: [String]
    }

    func run() throws {
      let accounts = try options.openVault().accounts()
      if json {
        print(
          try Format.json(
            accounts.map {
              Item(
                signInName: $0.signInName, scope: $0.account.scope.rawValue,
                user: $0.account.userName,
                domain: $0.account.domain, domainAdmin: $0.account.isDomainAdmin,
                linksByName: $0.account.linksByName, vms: $0.profiles)
            }))
        return
      }
      if accounts.isEmpty {
        Diagnostics.note("no accounts")
        return
      }
      print(
        Output.table(
          ["ACCOUNT", "SCOPE", "ADMIN", "VMS"],
          accounts.map {
            [
              $0.signInName,
              $0.account.scope.rawValue + ($0.account.linksByName ? "" : " (kept apart)"),
              $0.account.isDomainAdmin ? "yes" : "",
              $0.profiles.isEmpty ? "(unused)" : $0.profiles.joined(separator: ","),
            ]
          }))
    }
  }
}
