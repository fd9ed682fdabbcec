import ArgumentParser
import VaultKit

extension RDPVault.TeammateCommand {
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List pinned teammates.")

    @OptionGroup var options: VaultOptions
    @Flag(help: "Print JSON.") var json = false

    struct Item: Encodable {
      var name: String
      var fingerprint: String
      var identity: String
    }

    func run() throws {
      let teammates = try options.openVault().teammates()
      if json {
        print(
          try Format.json(
            teammates.map {
              Item(
                name: $0.name, fingerprint: $0.identity.fingerprint, identity: $0.identity.encoded)
            }))
        return
      }
      if teammates.isEmpty {
        Diagnostics.note("no teammates")
        return
      }
      print(
        Output.table(
          ["NAME", "FINGERPRINT"], teammates.map { [$0.name, $0.identity.fingerprint] }))
    }
  }
}
