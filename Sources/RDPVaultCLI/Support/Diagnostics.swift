import ArgumentParser
import Foundation
import VaultCrypto
import VaultKit

/// An error the command line itself raises.
struct CLIError: Error {
  var message: String
  var hint: String?

  init(_ message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }
}

/// A mistake in what was typed, found before the vault is opened: exit 64, before any
/// passphrase is asked for. Made from the `VaultError` a value's syntax check throws.
struct UsageError: Error {
  var message: String
  var hint: String?

  init(_ error: VaultError) {
    message = error.cliMessage
    hint = error.hint
  }

  init(message: String, hint: String?) {
    self.message = message
    self.hint = hint
  }

  /// Runs `body`, turning a vault error into a usage error.
  static func check(_ body: () throws -> Void) throws {
    do {
      try body()
    } catch let error as VaultError {
      throw UsageError(error)
    }
  }
}

/// Writes diagnostics in age's style: `rdpvault: error: …` and `rdpvault: hint: …`.
/// `--quiet` keeps errors and warnings only; `--verbose` adds `detail` lines.
enum Diagnostics {
  enum Level: Int, Comparable {
    case quiet, normal, verbose
    static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
  }

  /// Set once, from the options, before a command runs.
  nonisolated(unsafe) static var level = Level.normal

  static func error(_ message: String, hint: String? = nil) {
    writeStderr("rdpvault: error: \(safe(message))\n")
    if let hint { writeStderr("rdpvault: hint: \(safe(hint))\n") }
  }

  static func warning(_ message: String) {
    writeStderr("rdpvault: warning: \(safe(message))\n")
  }

  /// What was done: not with --quiet.
  static func note(_ message: String) {
    if level >= .normal { writeStderr("rdpvault: \(safe(message))\n") }
  }

  /// How it was done (which vault, the agent or this process, each VM): only with --verbose.
  static func detail(_ message: String) {
    if level >= .verbose { writeStderr("rdpvault: \(safe(message))\n") }
  }

  /// Every message is made of values from outside too (a file's names, a host, an error's
  /// reason): whatever any of them holds, no control character, escape sequence or bidi
  /// override reaches the terminal. Each line is escaped on its own.
  static func safe(_ message: String) -> String {
    message.split(separator: "\n", omittingEmptySubsequences: false)
      .map { Validation.escapedForDisplay(String($0)) }.joined(separator: "\n")
  }

  static func writeStderr(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }

  /// An error about one VM of a file (an inventory, another tool's export): said with the
  /// file and the VM, in the file's terms rather than the command line's (a missing host is
  /// the file's, not a missing --host).
  static func report(_ error: Error, vm name: String, in source: String) {
    let context = "\(source): VM \(quoted(name))"
    switch error {
    case let error as VaultError:
      let hint: String? =
        if case .profileExists = error {
          "--update gives VMs that exist the file's address and changes nothing else"
        } else { error.hint }
      self.error("\(context): \(error.message)", hint: hint)
    case let error as CLIError:
      self.error("\(context): \(error.message)", hint: error.hint)
    default:
      self.error("\(context): \(RDPVault.message(for: error))")
    }
  }

  /// Prints the error once and returns the exit status.
  static func report(_ error: Error) -> Int32 {
    switch error {
    case let error as VaultError:
      self.error(error.cliMessage, hint: error.hint)
      return 1
    case let error as CLIError:
      self.error(error.message, hint: error.hint)
      return 1
    case let error as UsageError:
      self.error(error.message, hint: error.hint)
      return 64
    case let error as CryptoError:
      self.error(describe(error))
      return 1
    default:
      let code = RDPVault.exitCode(for: error)
      if code == .success {
        print(RDPVault.fullMessage(for: error))
        return 0
      }
      let message = RDPVault.message(for: error)
      if !message.isEmpty {
        let usage = UsageMessage(message, arguments: Array(CommandLine.arguments.dropFirst()))
        self.error(
          usage.message,
          hint: usage.hint
            ?? (code.rawValue == 64
              ? UsageMessage.helpHint(for: Array(CommandLine.arguments.dropFirst())) : nil))
      }
      return code.rawValue
    }
  }

  static func describe(_ error: CryptoError) -> String {
    switch error {
    case .initializationFailed: "libsodium failed to initialise"
    case .outOfMemory: "cannot allocate protected memory (check ulimit -l)"
    case .capacityExceeded(let limit): "input is longer than \(limit) bytes"
    case .invalidLength(let what, let expected, let actual):
      "\(what) has \(actual) bytes, expected \(expected)"
    case .kdfParametersOutOfRange(let ops, let mem):
      "key-derivation parameters out of range (opslimit \(ops), memlimit \(mem))"
    case .kdfFailed: "key derivation failed (not enough memory?)"
    case .authenticationFailed: "authentication failed"
    case .invalidPublicKey: "invalid public key"
    }
  }
}
