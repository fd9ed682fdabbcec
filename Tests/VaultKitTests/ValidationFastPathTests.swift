import Foundation
import Testing

@testable import VaultKit

/// The field rules work on UTF-8 bytes (a 10,000-VM import validates every field, and
/// Foundation's `contains` and `count` showed in its profile). Each must accept exactly what
/// the rule as written on characters accepts, for every string of the alphabets below,
/// which hold every byte the rules treat specially and characters that are not ASCII.
struct ValidationFastPathTests {
  /// Strings of 0 to `length` characters from `alphabet`, drawn by a fixed generator
  /// (the same strings every run), plus every string of up to two characters.
  static func strings(_ alphabet: [String], count: Int, length: Int) -> [String] {
    var out = [""] + alphabet
    for first in alphabet { for second in alphabet { out.append(first + second) } }
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(bound))
    }
    for _ in 0..<count {
      out.append((0..<next(length + 1)).map { _ in alphabet[next(alphabet.count)] }.joined())
    }
    return out
  }

  static let nameAlphabet = [
    "a", "Z", "0", "9", "-", "_", ".", ":", "/", " ", "é", "\u{301}", "ü", "中", "\\", "@",
  ]

  /// The rules as written on characters (what the byte-level code replaced).
  enum Reference {
    static func isAlnum(_ scalar: Unicode.Scalar) -> Bool {
      switch scalar {
      case "a"..."z", "A"..."Z", "0"..."9": true
      default: false
      }
    }

    static func isDNSName(_ name: String) -> Bool {
      var trimmed = Substring(name)
      if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
      guard (1...253).contains(trimmed.count) else { return false }
      return trimmed.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
        (1...63).contains(label.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
          && label.unicodeScalars.allSatisfy { isAlnum($0) || $0 == "-" }
      }
    }

    static func profileName(_ name: String) -> Bool {
      (1...64).contains(name.count)
        && name.unicodeScalars.allSatisfy({ isAlnum($0) || "-_.".unicodeScalars.contains($0) })
        && name.unicodeScalars.first.map(isAlnum) == true
    }

    static func computerName(_ name: String) -> Bool {
      (1...15).contains(name.count) && name.unicodeScalars.allSatisfy({ isAlnum($0) || $0 == "-" })
        && !name.allSatisfy(\.isNumber) && !name.hasPrefix("-")
    }

    static func netBIOSDomain(_ domain: String) -> Bool {
      domain.count <= 15
        && domain.unicodeScalars.allSatisfy({ isAlnum($0) || $0 == "-" || $0 == "_" })
        && !domain.hasPrefix("-")
    }

    static func tag(_ tag: String) -> Bool {
      (1...64).contains(tag.count)
        && tag.unicodeScalars.allSatisfy({ isAlnum($0) || "-_.:/".unicodeScalars.contains($0) })
    }

    /// By character, as the rule was written (so a character canonically equivalent to a
    /// forbidden one, U+037E for `;`, is forbidden), and by scalar, so a forbidden character
    /// followed by a combining mark is forbidden too.
    static func hasForbiddenUserCharacter(_ name: String) -> Bool {
      let forbidden = "\"/\\[]:;|=,+*?<>"
      return name.contains { Set(forbidden).contains($0) }
        || name.unicodeScalars.contains { forbidden.unicodeScalars.contains($0) }
    }
  }

  static func accepts(_ body: () throws -> Void) -> Bool { (try? body()) != nil }

  @Test func dnsNamesAsTheCharacterRule() {
    let alphabet = ["a", "Z", "7", "-", ".", "é", "_", "\u{301}"]
    var labels = Self.strings(alphabet, count: 20_000, length: 12)
    // Lengths at the limits: a label of 63 and 64, a name of 253 and 254, a final dot.
    let label63 = String(repeating: "a", count: 63)
    labels += [label63, label63 + "a", label63 + ".", label63 + "a.", "-" + label63]
    let long = (0..<4).map { _ in label63 }.joined(separator: ".")  // 255
    labels += [String(long.prefix(253)), String(long.prefix(254)), String(long.prefix(253)) + "."]
    labels += [String(long.prefix(252)) + "é"]
    for name in labels {
      #expect(Validation.isDNSName(name) == Reference.isDNSName(name), "\(name.debugDescription)")
    }
  }

  @Test func namesComputerNamesDomainsAndTagsAsTheCharacterRules() {
    for text in Self.strings(Self.nameAlphabet, count: 20_000, length: 20) {
      let shown = text.debugDescription
      #expect(
        Self.accepts { try Validation.profileName(text) } == Reference.profileName(text), "\(shown)"
      )
      #expect(
        Self.accepts { try Validation.computerName(text) }
          == (text == "." || Reference.computerName(text)), "\(shown)")
      #expect(Self.accepts { try Validation.tag(text) } == Reference.tag(text), "\(shown)")
      if !text.isEmpty && !text.contains(".") {
        #expect(
          Self.accepts { try Validation.domain(text) } == Reference.netBIOSDomain(text), "\(shown)")
      }
    }
    for text in [String(repeating: "n", count: 64), String(repeating: "n", count: 65), "é" + "n"] {
      #expect(Self.accepts { try Validation.profileName(text) } == Reference.profileName(text))
    }
  }

  /// The count is characters (a name of 20 accented letters is 40 bytes), and a forbidden
  /// character is found even with a combining mark after it.
  @Test func userNamesCountCharactersAndFindForbiddenOnes() {
    // U+037E is canonically `;`, U+1FEF is `` ` `` and U+212A is `K` (the only characters
    // that are not ASCII and decompose to ASCII).
    let alphabet = Self.nameAlphabet + ["\"", "|", ".", "\u{037E}", "\u{1FEF}", "\u{212A}"]
    for text in Self.strings(alphabet, count: 20_000, length: 24) {
      let expected =
        !text.isEmpty && text.count <= 20 && !Reference.hasForbiddenUserCharacter(text)
        && !text.allSatisfy({ $0 == "." || $0 == " " })
      #expect(
        Self.accepts { try Validation.samAccountName(text) } == expected, "\(text.debugDescription)"
      )
    }
    #expect(Self.accepts { try Validation.samAccountName(String(repeating: "é", count: 20)) })
    #expect(!Self.accepts { try Validation.samAccountName(String(repeating: "é", count: 21)) })
    #expect(!Self.accepts { try Validation.samAccountName("a\\\u{301}b") })
    #expect(!Self.accepts { try Validation.samAccountName("a\u{301}|") })
    #expect(!Self.accepts { try Validation.samAccountName("alice\u{037E}x") })
    #expect(Self.accepts { try Validation.samAccountName("\u{212A}elvin") })
    #expect(
      !Self.accepts {
        try Validation.userPrincipalName(
          name: "alice\u{037E}", suffix: "contoso.com", whole: "alice\u{037E}@contoso.com")
      })
  }

  @Test func hostsRefuseAPortAndANULAnywhere() {
    for host in ["vm:3389", "[::1]", "vm.contoso.com:1", "10.0.0.5\0", "10.0.0.5\0x", "a\0b"] {
      #expect(!Self.accepts { try Validation.host(host) }, "\(host.debugDescription)")
    }
    #expect(Validation.ipv4Value("10.0.0.5\0") == nil)
    #expect(Validation.ipv4Value("10.0.0.5") == 0x0A00_0005)
  }

  /// A property name with '-' or '_' for its spaces, in any case, is that property; a
  /// number may have spaces around it, as the general trimming allowed.
  @Test func propertyNamesWithSeparatorsAndNumbersWithSpaces() throws {
    for (alias, name) in [
      ("screen_mode_id", "screen mode id"), ("Screen-Mode-Id", "screen mode id"),
      ("SCREEN MODE ID", "screen mode id"),
    ] {
      #expect(RDPProperty.named(alias)?.name == name, "\(alias)")
    }
    #expect(RDPProperty.named("screen-mode-idé") == nil)
    #expect(RDPProperty.named("no-such-property") == nil)
    let mode = try #require(RDPProperty.named("screen mode id"))
    for value in ["2", " 2", "2 ", "\t2\t", "+2"] { #expect(try mode.validate(value) == "2") }
    for value in ["", " ", "2x", "3", "٢"] {
      #expect(throws: VaultError.self) { try mode.validate(value) }
    }
  }
}
