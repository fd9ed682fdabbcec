import ArgumentParser
import VaultKit

extension RDPVault.TeammateCommand {
  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract: "Pin a teammate's identity under a name.")

    @OptionGroup var options: VaultOptions
    @Argument(help: "A name for the teammate.") var name: String
    @Argument(help: "Their identity (rdpvault identity prints it).") var identity: String

    func run() throws {
      // A mistyped identity is a usage error, found before the vault is opened.
      var parsed: PublicIdentity?
      try UsageError.check { parsed = try PublicIdentity(parsing: identity) }
      guard let parsed else { return }
      try options.openVault().addTeammate(name: name, identity: parsed)
      Diagnostics.note("pinned \(name) (fingerprint \(parsed.fingerprint))")
    }
  }
}
