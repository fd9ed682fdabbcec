import ArgumentParser
import VaultKit

extension RDPVault {
  struct Set: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "set",
      abstract: "Set an RDP setting on a VM.",
      discussion: """
        KEY is an .rdp property rdpvault models, by its .rdp name ("screen mode id", or
        screen-mode-id), checked against its documented range. Any other property goes in
        verbatim with --line 'name:type:value'.

        connect options: cert-sha256 HEX pins the server certificate (SHA-256).
        pre-connect 'CMD' runs CMD with /bin/sh -c before each connect, before the port check,
        with VM_NAME, VM_HOST, VM_PORT, VM_COMPUTER_NAME, VM_RESOURCE_GROUP and
        VM_SUBSCRIPTION in its environment (never a password, nothing named RDPVAULT_*); a
        non-zero exit stops the connect. A command you set is approved by setting it; one from
        a bundle runs only after `rdpvault hook approve NAME`.

        Modelled properties:
        \(RDPProperty.all.map { "  \($0.name) (\($0.type.rawValue)): \($0.summary)" }.joined(separator: "\n"))
        """)

    @OptionGroup var options: VaultOptions
    @Argument(help: "The VM's name.") var name: String
    @Argument(help: "The property.") var key: String?
    @Argument(help: "Its value.") var value: String?
    @Option(help: "An extra .rdp line, kept verbatim.") var line: String?

    func validate() throws {
      if line == nil && (key == nil || value == nil) {
        throw ValidationError("give KEY VALUE, or --line 'name:type:value'")
      }
      if line != nil && key != nil { throw ValidationError("give either KEY VALUE or --line") }
    }

    func run() throws {
      let vault = try options.openVault()
      if let line {
        try vault.addExtraLine(profile: name, line: line)
        Diagnostics.note("added to \(name): \(line)")
      } else if let key, let value {
        try vault.setSetting(profile: name, key: key, value: value)
        Diagnostics.note("set \(key) on \(name)")
      }
    }
  }
}
