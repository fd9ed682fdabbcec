import ArgumentParser
import VaultCrypto
import VaultKit

extension RDPVault {
  struct Passwd: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "passwd",
      abstract: "Change the master passphrase.",
      discussion: "Only the wrapped vault key is rewritten; every record stays as it is.")

    @OptionGroup var options: VaultOptions

    @Option(help: ArgumentHelp("Read the new passphrase from this file.", valueName: "path"))
    var newPassphraseFile: String?

    @Option(help: "A new Argon2id cost; the current one is kept by default.")
    var kdf: KDFPreset?

    func run() throws {
      let path = try options.vaultPath()
      let current = try options.readPassphrase(prompt: "Current passphrase: ")
      let vault: any VaultService = try Vault.open(at: path, passphrase: current)
      let new: SecretBytes
      if let newPassphraseFile {
        new = try SecretInput.readFile(newPassphraseFile, what: "new passphrase file")
      } else {
        new = try SecretInput.readFromTerminal(
          prompt: "New passphrase: ", confirmPrompt: "Repeat the new passphrase: ",
          what: "new passphrase", hint: "pass --new-passphrase-file PATH")
      }
      try SecretInput.checkTypeable(new)
      try vault.changePassphrase(current: current, new: new, kdf: kdf?.parameters)
      print("Passphrase changed for \(path).")
      // The agent would no longer match the file: it locks that vault, and the next command
      // asks for the new passphrase.
      if let client = AgentClient(socketPath: options.agentSocket),
        let locked = try? client.lock(path: try options.canonicalVaultPath()), !locked.isEmpty
      {
        Diagnostics.note("the agent locked \(locked.joined(separator: ", ")); unlock it again")
      }
    }
  }
}
