import ArgumentParser
import Foundation
import VaultKit

extension RDPVault {
  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "info",
      abstract: "Show the vault's path, format, KDF parameters and counts.",
      discussion: "Reads only the clear header: no passphrase is needed and nothing is decrypted.")

    @OptionGroup var options: VaultOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
      let info = try VaultInfo.read(at: try options.vaultPath())
      if json {
        print(try Format.json(info))
        return
      }
      let preset = info.kdf.preset.map { "\($0), " } ?? ""
      print(
        """
        vault:     \(info.path)
        format:    \(info.format) v\(info.formatVersion), schema \(info.schemaVersion) \
        (\(info.schemaMigrations.joined(separator: ", ")))
        kdf:       \(info.kdf.algorithm), \(preset)opslimit \(info.kdf.opslimit), \
        memlimit \(info.kdf.memlimitBytes / 1_048_576) MiB
        profiles:  \(info.counts.profiles)
        accounts:  \(info.counts.accounts)
        created:   \(Format.date(info.createdAt))
        """)
    }
  }
}
