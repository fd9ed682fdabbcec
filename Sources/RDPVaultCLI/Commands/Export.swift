import ArgumentParser
import VaultKit

extension RDPVault {
  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "export",
      abstract: "Export VMs in a bundle only the named teammates can open, signed by this vault.",
      discussion: "The file is written 0600; an existing file only with --force.")

    @OptionGroup var options: VaultOptions
    @Argument(help: "VMs to export.", completion: VMNameCompletion.kind) var names: [String] = []
    @Flag(help: "Export every VM.") var all = false
    @Option(help: "Export the VMs with this tag.") var tag: String?
    @Option(parsing: .upToNextOption, help: "Teammates who can open it.") var to: [String] = []
    @Flag(help: "Carry no password: accounts become placeholders.") var noSecrets = false
    @Option(name: [.short, .customLong("output")], help: "The bundle file.") var output: String
    @Flag(help: "Overwrite an existing file.") var force = false

    func validate() throws {
      if to.isEmpty { throw ValidationError("missing --to TEAMMATE") }
      if names.isEmpty && !all && tag == nil {
        throw ValidationError("name VMs, or give --all or --tag")
      }
      if all && !names.isEmpty { throw ValidationError("give either VM names or --all") }
    }

    func run() throws {
      // Whole tables only when everything may be sent; the passwords only when they go.
      let whole: WholeTables =
        names.isEmpty
        ? (noSecrets ? [.profiles, .accounts] : [.profiles, .accounts, .passwords]) : []
      try UsageError.check { if let tag { try Validation.tag(tag) } }
      let vault = try options.openVault(wholeTables: whole)
      let bundle = try vault.exportBundle(
        names: names, all: all, tag: tag, to: to, includeSecrets: !noSecrets,
        progress: ProgressBar.make("exporting"))
      try PrivateFile.write(bundle, to: output, force: force)
      Diagnostics.note(
        "wrote \(output) for \(to.joined(separator: ", "))\(noSecrets ? " (no passwords)" : "")")
    }
  }
}
