import ArgumentParser
import Foundation
import VaultCrypto
import VaultKit

/// The whole life of the process: harden, parse, run, report.
public enum RDPVaultMain {
  public static func run() -> Never {
    ProcessHardening.apply()
    do {
      let given = arguments(Array(CommandLine.arguments.dropFirst()))
      try checkHelpTopic(given)
      var command = try RDPVault.parseAsRoot(given)
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

  /// `rdpvault help nosuch` is the usage error `rdpvault nosuch` is (ArgumentParser would
  /// print the top-level help and exit 0, as if the command existed).
  static func checkHelpTopic(_ arguments: [String]) throws {
    guard arguments.count >= 2, arguments[0] == "help", !arguments[1].hasPrefix("-") else {
      return
    }
    let commands = RDPVault.configuration.subcommands.map { $0._commandName }
    guard !commands.contains(arguments[1]) else { return }
    throw UsageError(
      message: "unknown command \(quoted(arguments[1]))",
      hint: UsageMessage.suggestion(for: arguments[1], among: commands).map {
        "did you mean \($0)? (rdpvault help lists every command)"
      } ?? "rdpvault help lists every command")
  }

  private static let flags: Set = ["-q", "--quiet", "-v", "--verbose", "--no-agent"]
  private static let valued: Set = ["--vault", "--passphrase-file"]
}
