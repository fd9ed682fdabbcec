import Foundation
import Testing

/// The layers the README's Layout promises, checked on the sources themselves: VaultKit never
/// prints and never names a command-line option or command (the CLI words its errors and
/// notes), and only VaultCrypto reaches libsodium.
@Suite struct LayeringTests {
  static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

  /// Each Swift file of a target, as (file name, lines that are not comments).
  static func code(of target: String) throws -> [(file: String, lines: [String])] {
    let root = sources.appendingPathComponent(target)
    let files =
      FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String }
      .filter { $0.hasSuffix(".swift") } ?? []
    #expect(!files.isEmpty, "no sources under \(root.path)")
    return try files.sorted().map { file in
      let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }
      return (file, lines)
    }
  }

  /// The string literals of a line of code (a comment after the code is not one).
  static func literals(_ line: String) -> [String] {
    var found: [String] = []
    var current: String?
    var escaped = false
    for character in line {
      if var text = current {
        if escaped {
          escaped = false
        } else if character == "\\" {
          escaped = true
        } else if character == "\"" {
          found.append(text)
          current = nil
          continue
        }
        text.append(character)
        current = text
      } else if character == "\"" {
        current = ""
      }
    }
    return found
  }

  static let commands = [
    "init", "passwd", "info", "verify", "add", "list", "show", "password", "edit", "rename", "rm",
    "account", "set", "unset", "hook", "rdp", "import", "export", "connect", "check", "teammate",
  ]

  @Test func vaultKitNamesNoOptionAndNoCommand() throws {
    let option = try Regex("(^|[ (,'])--[a-z]")
    let command = try Regex("rdpvault (\(Self.commands.joined(separator: "|")))( |$)")
    var offenders: [String] = []
    for (file, lines) in try Self.code(of: "VaultKit") {
      for line in lines {
        // The arguments of another program (Remmina's own options, a clipboard tool's) are
        // not ours to word.
        if line.contains("arguments:") || line.contains("// the tool's own options") { continue }
        // Azure/ builds az's and curl's argument lists: their options, not ours.
        let othersOptions = file.hasPrefix("Azure/")
        for literal in Self.literals(line)
        where (!othersOptions && literal.contains(option)) || literal.contains(command) {
          offenders.append("\(file): \(literal)")
        }
      }
    }
    #expect(offenders.isEmpty, "\(offenders.joined(separator: "\n"))")
  }

  /// The check above finds what it looks for: a line that names an option or a command.
  @Test func theWordCheckFindsOptionsAndCommands() throws {
    let option = try Regex("(^|[ (,'])--[a-z]")
    #expect(Self.literals(#"throw E("give --name", x: "b")"#) == ["give --name", "b"])
    #expect(Self.literals(#"x("a \"q\" --b")"#).first?.contains(option) == true)
    #expect(!"rdpvault writes it from the profile".contains(option))
  }

  @Test func vaultKitNeverPrints() throws {
    let print = try Regex(#"(^|[^A-Za-z0-9_])print\("#)
    #expect("  print(x)".contains(print) && !"headerFingerprint(x)".contains(print))
    for (file, lines) in try Self.code(of: "VaultKit") {
      for line in lines {
        #expect(!line.contains(print), "\(file): \(line)")
        #expect(!line.contains("standardError"), "\(file): \(line)")
        #expect(!line.contains("import ArgumentParser"), "\(file): \(line)")
      }
    }
  }

  @Test func onlyVaultCryptoImportsLibsodium() throws {
    for target in ["VaultKit", "RDPVaultCLI", "rdpvault"] {
      for (file, lines) in try Self.code(of: target) {
        #expect(!lines.contains("import CSodium"), "\(target)/\(file)")
      }
    }
  }
}
