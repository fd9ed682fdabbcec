import ArgumentParser
import VaultKit

extension RDPVault {
  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "check",
      abstract: "Check that a VM's name resolves and its RDP port answers.")

    @OptionGroup var options: VaultOptions
    @Argument(help: "The VM's name.", completion: VMNameCompletion.kind) var name: String

    func run() throws {
      let entry = try options.openVault().profile(named: name)
      do {
        let address = try Reachability.probe(entry.profile)
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
  }
}
