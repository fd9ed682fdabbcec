import Foundation
import Testing

/// Typical mistakes, each with its exact stderr and exit status, from a golden file
/// (Golden/usage-errors.txt): a typo'd subcommand, option or value, a bad value, a bad
/// combination. None of them asks for a passphrase: they run with none to give.
@Suite struct UsageGoldenTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var arguments: [String]
    var status: Int32
    var stderr: String
    var testDescription: String { arguments.joined(separator: " ") }
  }

  static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Golden/usage-errors.txt")

  /// Blocks of `$ rdpvault ARGS` (arguments split at spaces; `\s` is a space), `status N`,
  /// then the stderr lines, separated by a blank line.
  static func cases() throws -> [Case] {
    let text = try String(contentsOf: file, encoding: .utf8)
    return text.components(separatedBy: "\n\n").compactMap { block in
      let lines = block.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        .filter { !$0.hasPrefix("#") }
      guard lines.count >= 2, lines[0].hasPrefix("$ rdpvault "), lines[1].hasPrefix("status ")
      else { return nil }
      let arguments = lines[0].dropFirst("$ rdpvault ".count).split(separator: " ").map {
        $0.replacingOccurrences(of: "\\s", with: " ")
      }
      let stderr = lines.dropFirst(2).filter { !$0.isEmpty }.map { $0 + "\n" }.joined()
      return Case(
        arguments: arguments, status: Int32(lines[1].dropFirst("status ".count)) ?? -1,
        stderr: stderr)
    }
  }

  @Test func theGoldenFileHasCases() throws {
    #expect(try Self.cases().count >= 10)
  }

  @Test func eachMistakeGetsItsGoldenError() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "u",
          "--password-stdin",
        ],
        stdin: "pw\n"
      ).status == 0)
    let before = box.snapshot()
    for golden in try Self.cases() {
      let result = box.run(
        golden.arguments,
        environment: ["RDPVAULT_PASSPHRASE_FILE": "", "RDPVAULT_NO_AGENT": "1"])
      #expect(result.status == golden.status, "\(golden.testDescription): \(result.stderr)")
      #expect(result.stderr == golden.stderr, "\(golden.testDescription)")
      #expect(!result.stderr.contains("passphrase"), "\(golden.testDescription)")
      #expect(box.snapshot() == before, "\(golden.testDescription)")
    }
  }
}
