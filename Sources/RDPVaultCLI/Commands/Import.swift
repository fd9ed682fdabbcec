import ArgumentParser
import Foundation
import VaultKit

extension RDPVault {
  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Add VMs from .rdp files or from a teammate's bundle.",
      discussion: """
        Reads UTF-16LE (with a byte-order mark) and UTF-8 files, with any line ending. Modelled
        properties become settings, others are kept verbatim. DOMAIN\\user and UPN user names
        are split; the kind is local when the domain is the computer name. A saved
        `password 51:b:` is dropped: Windows encrypts it for one user on one machine. A file
        that fails adds nothing; the other files still import.

        A bundle (told apart by its content) is checked completely first: signature, sender,
        recipient, every chunk, replay and rollback. Then it is applied in one transaction.
        """)

    @OptionGroup var options: VaultOptions
    @Argument(help: "The .rdp files.") var files: [String]
    @Option(help: "The VM's name (one file only; default: the file name).") var name: String?
    @Option(help: "Override the inferred account kind.") var kind: AccountKind?
    @Option(name: .customLong("tag"), help: "Tag every imported VM (repeatable).") var tags: [String] = []
    @Option(help: "The user, for files without username:s: (Azure's downloads).") var user: String?
    @Option(help: "The VM's Windows computer name.") var computerName: String?
    @Flag(help: "Bundles: pin an unknown sender (check the fingerprint it prints).") var trust = false
    @Option(help: "Bundles: skip, replace or rename VMs whose names are taken.")
    var onConflict: ConflictPolicy = .skip

    func validate() throws {
      if files.isEmpty { throw ValidationError("missing FILE") }
      if name != nil && files.count > 1 { throw ValidationError("--name goes with a single file") }
    }

    func run() throws {
      let vault = try options.openVault()
      var failed: [String] = []
      for file in files {
        do {
          guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError("cannot read \(file)")
          }
          if data.starts(with: Array("RDPVBNDL".utf8)) {
            try importBundle([UInt8](data), from: file, into: vault)
            continue
          }
          let result = try vault.importRDPFile(
            [UInt8](data), fileName: file, name: name, kind: kind, tags: tags, user: user,
            computerName: computerName)
          for warning in result.warnings { Diagnostics.warning("\(file): \(warning)") }
          let entry = result.entry
          Diagnostics.note(
            "imported \(entry.profile.name) from \(file) (\(entry.profile.kind.rawValue), signs in as \(entry.signInName))")
          if result.needsPassword {
            Diagnostics.note("hint: set its password with: rdpvault account passwd '\(entry.signInName)'")
          }
        } catch {
          _ = Diagnostics.report(error)
          failed.append(file)
        }
      }
      if !failed.isEmpty {
        throw CLIError(
          "\(failed.count) of \(files.count) file\(files.count == 1 ? "" : "s") failed: \(failed.joined(separator: ", "))")
      }
    }

    func importBundle(_ bytes: [UInt8], from file: String, into vault: Vault) throws {
      let report = try vault.importBundle(bytes, trust: trust, onConflict: onConflict)
      if let pinned = report.pinnedAs {
        Diagnostics.note("pinned the sender as \(pinned), fingerprint \(report.senderFingerprint): check it with them")
      }
      // Name each VM for a teammate's handful; a team's thousands get the counts below.
      let total = report.added.count + report.replaced.count + report.renamed.count + report.skipped.count
      if total <= 20 {
        for name in report.added { Diagnostics.note("added \(name)") }
        for name in report.replaced { Diagnostics.note("replaced \(name)") }
        for (old, new) in report.renamed { Diagnostics.note("added \(old) as \(new)") }
        for name in report.withoutPassword { Diagnostics.note("\(name) has no password yet: set it with rdpvault account passwd") }
      } else if !report.withoutPassword.isEmpty {
        Diagnostics.note("\(report.withoutPassword.count) VMs have no password yet: set them with rdpvault account passwd")
      }
      for name in report.skipped { Diagnostics.note("skipped \(name): a VM with that name exists (--on-conflict replace or rename)") }
      Diagnostics.note(
        "imported \(file): \(report.added.count) added, \(report.replaced.count) replaced, \(report.renamed.count) renamed, \(report.skipped.count) skipped")
    }
  }
}
