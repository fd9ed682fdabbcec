import ArgumentParser
import VaultKit

extension RDPVault {
  struct Unset: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "unset",
      abstract: "Clear an RDP setting or extra line on a VM.")

    @OptionGroup var options: VaultOptions
    @Argument(help: "The VM's name.") var name: String
    @Argument(help: "The property or extra line's name.") var key: String

    func run() throws {
      try options.openVault().unsetSetting(profile: name, key: key)
      Diagnostics.note("cleared \(key) on \(name)")
    }
  }
}
