import ArgumentParser
import Foundation
import VaultKit

#if canImport(Glibc)
  import Glibc
#endif

/// Shell completion of VM names: only from an agent that holds the vault unlocked, so a
/// completion never asks for a passphrase, never reads the file, and offers nothing while
/// the vault is locked.
enum VMNameCompletion {
  static let kind = CompletionKind.custom { words, _, prefix in names(words: words, prefix: prefix)
  }

  static func names(words: [String], prefix: String) -> [String] {
    let environment = ProcessInfo.processInfo.environment
    if ["1", "true", "yes"].contains(environment["RDPVAULT_NO_AGENT"]?.lowercased() ?? "") {
      return []
    }
    guard let path = vaultPath(words: words, environment: environment),
      let resolved = realpath(path, nil)
    else { return [] }
    let canonical = String(cString: resolved)
    free(resolved)
    guard let client = AgentClient(socketPath: AgentSocket.path(environment: environment)),
      let vault = try? client.vault(path: canonical),
      let entries = try? vault.profiles()
    else { return [] }
    let wanted = prefix.lowercased()
    return entries.map(\.profile.name).filter { $0.lowercased().hasPrefix(wanted) }
  }

  /// `--vault PATH` or `--vault=PATH` among the words typed, then `RDPVAULT_PATH`, then the
  /// default.
  static func vaultPath(words: [String], environment: [String: String]) -> String? {
    for (index, word) in words.enumerated() {
      if word == "--vault", index + 1 < words.count { return words[index + 1] }
      if word.hasPrefix("--vault=") { return String(word.dropFirst("--vault=".count)) }
    }
    if let path = environment["RDPVAULT_PATH"], !path.isEmpty { return path }
    return VaultPaths.defaultPath(environment: environment)
  }
}
