import ArgumentParser
import VaultKit

extension RDPVault {
  struct Identity: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "identity",
      abstract: "Print this vault's public identity, for teammates to pin.",
      discussion:
        "Send the identity string; read the fingerprint aloud to confirm it arrived intact.")

    @OptionGroup var options: VaultOptions
    @Flag(help: "Print JSON.") var json = false

    struct Output: Encodable {
      var identity: String
      var fingerprint: String
    }

    func run() throws {
      let identity = try options.openVault().identity()
      if json {
        print(
          try Format.json(Output(identity: identity.encoded, fingerprint: identity.fingerprint)))
      } else {
        print(identity.encoded)
        print("fingerprint: \(identity.fingerprint)")
      }
    }
  }
}
