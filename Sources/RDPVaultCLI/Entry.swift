import ArgumentParser
import Foundation
import VaultCrypto

/// The whole life of the process: harden, parse, run, report.
public enum RDPVaultMain {
  public static func run() -> Never {
    ProcessHardening.apply()
    do {
      var command = try RDPVault.parseAsRoot(arguments(Array(CommandLine.arguments.dropFirst())))
      try command.run()
      exit(0)
    } catch {
      exit(Diagnostics.report(error))
    }
  }

  /// `rdpvault -v list` as `rdpvault list -v`: --quiet and --verbose belong to every command,
  /// so they may also come before its name (they go before a `--`, after which words are the
  /// client's).
  static func arguments(_ given: [String]) -> [String] {
    var arguments = given
    var leading: [String] = []
    while let first = arguments.first, ["-q", "--quiet", "-v", "--verbose"].contains(first) {
      leading.append(arguments.removeFirst())
    }
    arguments.insert(contentsOf: leading, at: arguments.firstIndex(of: "--") ?? arguments.endIndex)
    return arguments
  }
}
