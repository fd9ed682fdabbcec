import ArgumentParser
import VaultKit

extension RDPVault {
  struct Rename: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rename", abstract: "Rename a VM.")

    @OptionGroup var options: VaultOptions
    @Argument(help: "The current name.", completion: VMNameCompletion.kind) var old: String
    @Argument(help: "The new name.") var new: String

    func run() throws {
      try UsageError.check { try Validation.profileName(new) }
      let vault = try options.openVault()
      try vault.renameProfile(old, to: new)
      Diagnostics.note("renamed \(old) to \(new)")
      let renamed = try vault.profile(named: new).profile
      if let azureName = renamed.settings.options[ConnectOption.azureVM],
        azureName.lowercased() != new.lowercased()
      {
        Diagnostics.note("its Azure VM name stays \(azureName) (azure-vm), for its Azure steps")
      }
    }
  }
}
