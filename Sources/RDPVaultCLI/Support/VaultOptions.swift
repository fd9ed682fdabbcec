import ArgumentParser
import Foundation
import VaultCrypto
import VaultKit

/// Options every vault command takes.
struct VaultOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The vault file (env RDPVAULT_PATH).",
      discussion: "Default: $XDG_DATA_HOME/rdpvault/vault.db or ~/.local/share/rdpvault/vault.db.",
      valueName: "path"))
  var vault: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Read the master passphrase from this file (env RDPVAULT_PASSPHRASE_FILE).",
      valueName: "path"))
  var passphraseFile: String?

  @Flag(
    help: ArgumentHelp(
      "Open the vault in this process even when the agent holds it unlocked (env RDPVAULT_NO_AGENT=1)."
    ))
  var noAgent = false

  @Flag(name: .shortAndLong, help: "Print only errors and warnings (and what was asked for).")
  var quiet = false

  @Flag(
    name: .shortAndLong,
    help: "Say more: which vault, whether the agent served it, each VM a change touched.")
  var verbose = false

  mutating func validate() throws {
    if quiet && verbose { throw ValidationError("give --quiet or --verbose, not both") }
    Diagnostics.level = quiet ? .quiet : verbose ? .verbose : .normal
  }

  var environment: [String: String] { ProcessInfo.processInfo.environment }

  /// `--vault`, then `RDPVAULT_PATH`, then the XDG default.
  func vaultPath() throws -> String {
    if let vault, !vault.isEmpty { return vault }
    if let path = environment["RDPVAULT_PATH"], !path.isEmpty { return path }
    guard let path = VaultPaths.defaultPath(environment: environment) else {
      throw CLIError(
        "cannot find a default vault path: neither XDG_DATA_HOME nor HOME is set",
        hint: "pass --vault PATH")
    }
    return path
  }

  var passphraseFilePath: String? {
    if let passphraseFile, !passphraseFile.isEmpty { return passphraseFile }
    if let path = environment["RDPVAULT_PASSPHRASE_FILE"], !path.isEmpty { return path }
    return nil
  }

  /// The master passphrase, from the file or the terminal; `confirm` asks twice.
  func readPassphrase(prompt: String = "Vault passphrase: ", confirm: Bool = false) throws
    -> SecretBytes
  {
    if let file = passphraseFilePath {
      return try SecretInput.readFile(file, what: "passphrase file")
    }
    return try SecretInput.readFromTerminal(
      prompt: prompt, confirmPrompt: confirm ? "Repeat the passphrase: " : nil,
      what: "passphrase",
      hint: "pass --passphrase-file PATH or set RDPVAULT_PASSPHRASE_FILE")
  }

  /// Whether commands may use the agent: not with `--no-agent` or `RDPVAULT_NO_AGENT=1`.
  var agentAllowed: Bool {
    !noAgent
      && !["1", "true", "yes"].contains(environment["RDPVAULT_NO_AGENT"]?.lowercased() ?? "")
  }

  /// `RDPVAULT_AUTO_UNLOCK=1`: a command that has to ask for the passphrase also unlocks the
  /// agent with it (for an hour without use), as rbw's commands start its agent on demand.
  var autoUnlock: Bool {
    agentAllowed
      && ["1", "true", "yes"].contains(environment["RDPVAULT_AUTO_UNLOCK"]?.lowercased() ?? "")
  }

  /// The agent's socket for this environment.
  var agentSocket: String { AgentSocket.path(environment: environment) }

  /// The vault path as the agent keys it: absolute, with links resolved.
  func canonicalVaultPath() throws -> String {
    let path = try vaultPath()
    guard let resolved = realpath(path, nil) else { throw VaultError.noVault(path: path) }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// Opens and unlocks the vault; `wholeTables` are the tables the command reads in full.
  /// Commands see the vault only as a `VaultService`; this is where one is chosen: the agent's,
  /// when it holds this vault unlocked, else the in-process one, which asks for the passphrase.
  func openVault(wholeTables: WholeTables = []) throws -> any VaultService {
    let path = try vaultPath()
    // Fail on a missing vault before asking for a passphrase.
    if !FileManager.default.fileExists(atPath: path) { throw VaultError.noVault(path: path) }
    if agentAllowed, let client = AgentClient(socketPath: agentSocket),
      let vault = try? client.vault(path: try canonicalVaultPath())
    {
      Diagnostics.detail("\(path): served by the agent at \(agentSocket)")
      return vault
    }
    Diagnostics.detail(
      agentAllowed
        ? "\(path): not unlocked in an agent, so opened in this process"
        : "\(path): opened in this process (the agent is bypassed)")
    // A file the open would refuse is refused before the passphrase is asked for.
    try Vault.checkFile(at: path)
    let passphrase = try readPassphrase()
    if autoUnlock {
      let canonical = try canonicalVaultPath()
      let client = try AgentLauncher.connectOrStart(socketPath: agentSocket)
      let (status, upgraded) = try client.unlock(
        path: canonical, passphrase: passphrase, timeout: AgentServer.defaultTimeout)
      if let upgraded { Self.noteUpgrade(canonical, from: upgraded) }
      Diagnostics.note(
        "unlocked \(canonical) in the agent (pid \(status.agentPID)) for the next commands")
      if let vault = try client.vault(path: canonical) { return vault }
      throw VaultError.agentLockedMeanwhile
    }
    let vault = try Vault.open(at: path, passphrase: passphrase, wholeTables: wholeTables)
    if let old = vault.upgradedFromFormat { Self.noteUpgrade(path, from: old) }
    return vault
  }

  static func noteUpgrade(_ path: String, from format: Int) {
    Diagnostics.note(
      "upgraded \(path) from format \(format) to format 2 (one sealed record per row); everything was kept, "
        + "and older rdpvault versions can no longer open it")
  }
}

/// A KDF preset by name, for `init --kdf` and `passwd --kdf`.
enum KDFPreset: String, ExpressibleByArgument, CaseIterable {
  case interactive, moderate, sensitive

  var parameters: KDFParameters {
    switch self {
    case .interactive: .interactive
    case .moderate: .moderate
    case .sensitive: .sensitive
    }
  }
}
