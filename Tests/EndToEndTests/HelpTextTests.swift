import Foundation
import Testing

/// Every `--help` the binary has, found by walking its SUBCOMMANDS lists, reads as laid-out
/// text at the 80 columns a pipe gets: no paragraph broken early (a hard newline left in a
/// discussion, which ArgumentParser keeps), and no list item wrapped back to column 0.
@Suite struct HelpTextTests {
  /// Each command's path and its `--help` text.
  static func allHelp(_ box: Sandbox) -> [(path: [String], text: String)] {
    var found: [(path: [String], text: String)] = []
    var queue: [[String]] = [[]]
    while let path = queue.first {
      queue.removeFirst()
      let result = box.run(path + ["--help"])
      #expect(result.status == 0, "rdpvault \(path.joined(separator: " ")) --help")
      found.append((path, result.stdout))
      queue += subcommands(result.stdout).map { path + [$0] }
    }
    return found
  }

  /// The names in a help's SUBCOMMANDS section (two spaces, then the name), but `help`.
  static func subcommands(_ text: String) -> [String] {
    guard let section = text.components(separatedBy: "\nSUBCOMMANDS:\n").dropFirst().first
    else { return [] }
    var names: [String] = []
    for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
      guard line.hasPrefix(" ") else { break }
      guard line.hasPrefix("  "), !line.hasPrefix("   ") else { continue }
      let name = line.dropFirst(2).prefix { $0 != " " }
      if name.allSatisfy({ $0.isLowercase || $0 == "-" }), name != "help" {
        names.append(String(name))
      }
    }
    return names
  }

  /// Lines of the overview and discussion (before USAGE) where the next line's first word
  /// would have fitted (ArgumentParser ends a line at the last space within 80 characters,
  /// so a line and a word take at most 79): the paragraph was broken by hand, not wrapped (a next line that
  /// starts a list item, or is indented, is a line of its own); and list items that go on
  /// at column 0.
  static func brokenEarly(_ text: String) -> [String] {
    let lines = text.components(separatedBy: "\nUSAGE:")[0].components(separatedBy: "\n")
    var found: [String] = []
    for (line, next) in zip(lines, lines.dropFirst()) {
      // A list item (indented) that goes on at column 0.
      if line.hasPrefix("  ") && !next.isEmpty && !next.hasPrefix(" ") {
        found.append("\(line) / \(next)")
        continue
      }
      guard !line.isEmpty, !next.isEmpty, !next.hasPrefix("  "),
        !next.hasPrefix("- "), !line.hasSuffix(":")
      else { continue }
      let word = next.prefix { $0 != " " }
      if line.count + 1 + word.count <= 79 { found.append("\(line) / \(next)") }
    }
    return found
  }

  @Test func everyHelpIsWrappedNotBrokenByHand() {
    let box = Sandbox()
    let helps = Self.allHelp(box)
    // Every subcommand group was walked: the tree has more than the top level's list.
    #expect(helps.count > 30)
    #expect(helps.contains { $0.path == ["account", "passwd"] })
    for (path, text) in helps {
      let name = (["rdpvault"] + path).joined(separator: " ")
      #expect(Self.brokenEarly(text) == [], "\(name) --help")
      // Nothing but USAGE is over the width (an unbroken word would be).
      let long = text.components(separatedBy: "\n").filter {
        $0.count > 80 && !$0.hasPrefix("USAGE:")
      }
      #expect(long == [], "\(name) --help")
    }
  }

  /// `set`'s list of modelled properties: an item too long for a line goes on indented.
  @Test func setsPropertyListWrapsIndented() {
    let box = Sandbox()
    let text = box.run(["set", "--help"]).stdout
    let lines = text.components(separatedBy: "\n")
    guard let start = lines.firstIndex(of: "Modelled properties:") else {
      Issue.record("set --help lists no modelled properties")
      return
    }
    let list = lines[(start + 1)...].prefix { !$0.isEmpty }
    #expect(list.count > 20)
    #expect(list.allSatisfy { $0.hasPrefix("  ") })
    #expect(list.contains { $0.hasPrefix("    ") }, "a long item goes on to an indented line")
    #expect(
      list.joined(separator: "\n").contains(
        "  gatewaycredentialssource (i): 0 NTLM, 1 smart card, 2 basic, 3 user choice, 4\n"
          + "    ask, 5 cookie"))
  }
}
