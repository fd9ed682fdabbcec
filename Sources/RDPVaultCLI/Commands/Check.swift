import ArgumentParser
import VaultKit

extension RDPVault {
  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check that a VM's name resolves and its RDP port answers.")

    @OptionGroup var options: VaultOptions
    @Argument(help: "The VM's name.") var name: String

    func run() throws {
      let entry = try options.openVault().profile(named: name)
      do {
        let address = try Self.probe(entry.profile)
        print("ok    \(entry.profile.host) resolves")
        print("ok    TCP \(address) accepts connections")
      } catch let error as VaultError {
        switch error {
        case .unresolvable: print("FAIL  \(entry.profile.host) does not resolve")
        default:
          print("ok    \(entry.profile.host) resolves")
          print("FAIL  TCP \(Output.address(entry.profile)) does not accept connections")
        }
        throw error
      }
    }

    /// The check `connect` runs first; throws the diagnosis.
    @discardableResult
    static func probe(_ profile: Profile) throws -> String {
      switch Reachability.check(host: profile.host, port: profile.port) {
      case .reachable(let address): return address
      case .unresolvable(let reason): throw VaultError.unresolvable(host: profile.host, reason: reason)
      case .refused: throw VaultError.refused(host: profile.host, port: profile.port)
      case .timedOut: throw VaultError.timedOut(host: profile.host, port: profile.port)
      case .unreachable(_, let reason): throw VaultError.unreachable(host: profile.host, port: profile.port, reason: reason)
      }
    }
  }
}
