import ArgumentParser
import Foundation
import VaultKit

extension RDPFileWriter.Encoding: ExpressibleByArgument {}

extension RDPVault {
  struct Rdp: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rdp",
      abstract: "Write a ready .rdp file for a VM: address, sign-in name and settings, no secret.",
      discussion: """
        Writes to standard output, or to --output (mode 0600; an existing file only with \
        --force). With --all, writes one NAME.rdp per VM into --out-dir.
        """)

    @OptionGroup var options: VaultOptions
    @Argument(help: "The VM's name.", completion: VMNameCompletion.kind) var name: String?
    @Option(
      name: [.short, .customLong("output")], help: "Write to this file (- for standard output).")
    var output: String?
    @Option(help: "utf-8 (no byte-order mark) or utf-16le (with one, as mstsc writes).")
    var encoding: RDPFileWriter.Encoding = .utf8
    @Flag(help: "Overwrite existing files.") var force = false
    @Flag(help: "Write a file for every VM (with --out-dir).") var all = false
    @Option(help: "The directory for --all.") var outDir: String?
    @Option(help: "With --all, only VMs with this tag.") var tag: String?

    func validate() throws {
      if all {
        if name != nil { throw ValidationError("give either NAME or --all") }
        if outDir == nil { throw ValidationError("--all needs --out-dir DIR") }
        if output != nil {
          throw ValidationError("--output goes with NAME; --all writes into --out-dir")
        }
      } else {
        if name == nil { throw ValidationError("missing NAME (or --all --out-dir DIR)") }
        if outDir != nil || tag != nil {
          throw ValidationError("--out-dir and --tag go with --all")
        }
      }
    }

    func run() throws {
      let vault = try options.openVault()
      if all, let outDir {
        let entries = try vault.profiles(withSettings: true).filter {
          tag == nil || $0.profile.tags.contains(tag!)
        }
        try PrivateDirectory.make(outDir)
        for entry in entries {
          let path = outDir + "/" + entry.profile.name + ".rdp"
          try PrivateFile.write(
            RDPFileWriter.data(for: entry, encoding: encoding), to: path, force: force)
        }
        Diagnostics.note(
          "wrote \(entries.count) .rdp file\(entries.count == 1 ? "" : "s") to \(outDir)")
        return
      }
      let entry = try vault.profile(named: name ?? "")
      let bytes = RDPFileWriter.data(for: entry, encoding: encoding)
      // `-o -` is standard output, as age and most tools take it: never a file named "-".
      if let output, output != "-" {
        try PrivateFile.write(bytes, to: output, force: force)
        Diagnostics.note("wrote \(output)")
      } else {
        bytes.withUnsafeBytes { Output.writeAll(1, $0) }
      }
    }
  }
}
