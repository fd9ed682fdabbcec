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
      exit(Output.finish(0))
    } catch {
      exit(Output.finish(Diagnostics.report(error)))
    }
  }

  /// `rdpvault -v --vault v.db list` as `rdpvault list -v --vault v.db`: the global options
  /// (`VaultOptions`) belong to every command, so they may also come before its name. They go
  /// before a `--`, after which words are the client's.
  static func arguments(_ given: [String]) -> [String] {
    var arguments = given
    var leading: [String] = []
    while let first = arguments.first {
      if flags.contains(first) || valued.contains(where: { first.hasPrefix($0 + "=") }) {
        leading.append(arguments.removeFirst())
      } else if valued.contains(first) {
        // The value goes with it, whatever it looks like (a vault named `list`).
        leading.append(contentsOf: arguments.prefix(2))
        arguments.removeFirst(min(2, arguments.count))
      } else {
        break
      }
    }
    arguments.insert(contentsOf: leading, at: arguments.firstIndex(of: "--") ?? arguments.endIndex)
    return arguments
  }

  private static let flags: Set = ["-q", "--quiet", "-v", "--verbose", "--no-agent"]
  private static let valued: Set = ["--vault", "--passphrase-file"]
}
