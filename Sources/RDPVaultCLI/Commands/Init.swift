import ArgumentParser
import VaultCrypto
import VaultKit

extension RDPVault {
  struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "init",
      abstract: "Create a new, empty vault.",
      discussion: """
        The master passphrase is asked twice at the terminal, or read from --passphrase-file. \
        It protects a random vault key through Argon2id; --kdf sets its cost.
        """)

    @OptionGroup var options: VaultOptions

    @Option(help: "Argon2id cost: interactive (64 MiB), moderate (256 MiB) or sensitive (1 GiB).")
    var kdf: KDFPreset = .moderate

    func run() throws {
      let path = try options.vaultPath()
      let passphrase = try options.readPassphrase(prompt: "New vault passphrase: ", confirm: true)
      try SecretInput.checkTypeable(passphrase)
      _ = try Vault.create(at: path, passphrase: passphrase, kdf: kdf.parameters)
      print("Created vault \(path) (Argon2id, \(kdf.rawValue): \(Format.kdf(kdf.parameters))).")
    }
  }
}
