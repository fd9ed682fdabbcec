import Foundation
import Testing
import VaultCrypto

@testable import VaultKit

func fixture(_ name: String) throws -> [UInt8] {
  let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/rdp").appendingPathComponent(name)
  return [UInt8](try Data(contentsOf: url))
}

struct RDPFileTests {
  static func entry(
    _ name: String, host: String, port: Int = 3389, computer: String? = nil, kind: AccountKind,
    user: String, settings: [String: String] = [:], extra: [String] = []
  ) throws -> ProfileEntry {
    let computerName = computer ?? Profile.defaultComputerName(for: name)!
    var profile = Profile(
      name: name, host: host, port: port, computerName: computerName, kind: kind)
    for (key, value) in settings { try profile.settings.set(key, value) }
    for line in extra { try profile.settings.addExtraLine(line) }
    let account = try AccountName.parse(user: user, domain: nil).account(
      kind: kind, computerName: computerName, admin: kind == .dc)
    return ProfileEntry(profile: profile, account: account)
  }

  static let goldens: [(String, @Sendable () throws -> ProfileEntry)] = [
    ("local-ipv4.rdp", { try entry("web-01", host: "10.0.0.4", kind: .local, user: "azureuser") }),
    (
      "domain-dns-port.rdp",
      {
        try entry(
          "app-01", host: "app01.contoso.com", port: 3390, kind: .domain, user: "CONTOSO\\alice",
          settings: ["screen mode id": "1", "desktopwidth": "1920", "desktopheight": "1080"])
      }
    ),
    (
      "dc-upn-ipv6.rdp",
      {
        try entry(
          "dc-01", host: "2001:db8::10", kind: .dc, user: "admin@contoso.com",
          settings: ["administrative session": "1"])
      }
    ),
    (
      "gateway.rdp",
      {
        try entry(
          "gw-vm", host: "10.1.2.3", kind: .local, user: "ops",
          settings: [
            "gatewayhostname": "gw.contoso.com", "gatewayusagemethod": "1",
            "gatewaycredentialssource": "4",
            "gatewayprofileusagemethod": "1",
          ])
      }
    ),
    (
      "extra-lines.rdp",
      {
        try entry(
          "ext-01", host: "10.0.0.7", kind: .local, user: "u",
          settings: [
            "redirectclipboard": "1", "redirectprinters": "0", "audiomode": "0",
            "drivestoredirect": "*",
          ],
          extra: ["smart sizing:i:1", "camerastoredirect:s:*"])
      }
    ),
  ]

  @Test(arguments: goldens.indices)
  func goldenFiles(index: Int) throws {
    let (file, make) = Self.goldens[index]
    #expect(RDPFileWriter.data(for: try make()) == (try fixture(file)), "\(file)")
  }

  @Test func utf16leHasAByteOrderMark() throws {
    let entry = try Self.entry("web-01", host: "10.0.0.4", kind: .local, user: "azureuser")
    #expect(
      RDPFileWriter.data(for: entry, encoding: .utf16le) == (try fixture("local-ipv4-utf16le.rdp")))
  }

  @Test func noPasswordEverReachesTheFile() throws {
    var entry = try Self.entry("web-01", host: "10.0.0.4", kind: .local, user: "azureuser")
    expectInvalid("extra line") { try entry.profile.settings.addExtraLine("password 51:b:0102") }
    expectInvalid("setting") { try entry.profile.settings.set("password 51", "x") }
    #expect(!RDPFileWriter.lines(for: entry).contains { $0.lowercased().hasPrefix("password") })
  }

  @Test func settingsAreCheckedAgainstTheirRanges() throws {
    var settings = RDPSettings()
    try settings.set("Screen-Mode-Id", "1")
    #expect(settings.values == ["screen mode id": "1"])
    expectInvalid("screen mode id") { try settings.set("screen mode id", "3") }
    expectInvalid("desktopwidth") { try settings.set("desktopwidth", "100") }
    expectInvalid("desktopwidth") { try settings.set("desktopwidth", "wide") }
    expectInvalid("host") { try settings.set("gatewayhostname", "bad host") }
    expectInvalid("alternate shell") {
      try settings.set("alternate shell", "a\r\nfull address:s:evil")
    }
    expectInvalid("setting") { try settings.set("full address", "x") }
    expectInvalid("setting") { try settings.set("made up", "1") }
    try settings.set("gatewayhostname", "gw.contoso.com:8443")
    let first = settings.unset("gatewayhostname")
    let second = settings.unset("gatewayhostname")
    #expect(first)
    #expect(!second)
  }

  @Test func extraLinesAreCheckedAndReplaced() throws {
    var settings = RDPSettings()
    try settings.addExtraLine("smart sizing:i:1")
    try settings.addExtraLine("Smart Sizing:i:0")
    #expect(settings.extraLines == ["Smart Sizing:i:0"])
    for bad in [
      "no colons", "name:x:1", "name::1", ":s:value", "count:i:many", "blob:b:zz",
      "screen mode id:i:1",
    ] {
      expectInvalid("extra line") { try settings.addExtraLine(bad) }
    }
  }

  /// FreeRDP 3 reads a line that starts with '/' as a command-line option: `/v:` connects
  /// elsewhere, `/proxy:` through someone's proxy, `/drive:` shares a local folder. A name
  /// must start with a letter, so no such line is kept, accepted or written.
  static let optionLines = [
    "/v:s:[127.0.0.1]:18080", "/proxy:s:x@127.0.0.1:18080", "/drive:s:x,/", " /v:s:evil.example",
    "-v:s:evil.example", "+clipboard:s:x", "9lives:s:x", "_x:s:1", ".x:s:1", "a/b:s:1",
  ]

  @Test func aLineThatIsAFreeRDPOptionIsNeverAnExtraLine() throws {
    var settings = RDPSettings()
    for line in Self.optionLines {
      expectInvalid("extra line") { try settings.addExtraLine(line) }
      let file = try RDPFileReader.parse(
        Array(("full address:s:10.0.0.1\r\n" + line + "\r\nusername:s:u\r\n").utf8))
      #expect(file.host == "10.0.0.1", "\(line)")
      #expect(
        file.warnings.contains { $0.hasPrefix("line 2: skipped: the property name") },
        "\(line): \(file.warnings)")
      #expect(file.settings.extraLines.isEmpty, "\(line)")
    }
    // Stored before names had to start with a letter: still never written.
    var entry = try Self.entry("web-01", host: "10.0.0.4", kind: .local, user: "azureuser")
    entry.profile.settings.extraLines = Self.optionLines + ["smart sizing:i:1"]
    let written = RDPFileWriter.lines(for: entry)
    #expect(written.filter { !($0.first?.isLetter ?? false) } == [])
    #expect(written.contains("smart sizing:i:1"))
  }

  // MARK: Reading

  @Test func readsAnAzureDownload() throws {
    let file = try RDPFileReader.parse(try fixture("import-azure.rdp"))
    #expect(file.host == "20.50.60.70")
    #expect(file.port == 3389)
    #expect(file.user == nil)
    #expect(file.settings.values == ["prompt for credentials": "1", "administrative session": "1"])
    #expect(file.warnings.isEmpty)
  }

  @Test(arguments: ["import-utf8-bom-lf.rdp", "import-utf8-cr.rdp", "import-utf16le-crlf.rdp"])
  func readsEveryEncodingAndLineEnding(_ name: String) throws {
    let file = try RDPFileReader.parse(try fixture(name))
    #expect(file.host == "web-02.contoso.com")
    #expect(file.port == 3391)
    #expect(file.user == AccountName(userName: "carol", domain: "CONTOSO", form: .downLevel))
    #expect(file.settings.values == ["screen mode id": "1", "redirectclipboard": "0"])
    #expect(file.settings.extraLines == ["smart sizing:i:1"])
    #expect(file.warnings.count == 1)
    #expect(file.warnings[0].contains("password 51"))
    #expect(!file.warnings[0].contains("01000000D08C"))
  }

  @Test func readsWhatItWrites() throws {
    for (_, make) in Self.goldens {
      let entry = try make()
      for encoding in RDPFileWriter.Encoding.allCases {
        let file = try RDPFileReader.parse(RDPFileWriter.data(for: entry, encoding: encoding))
        #expect(file.host == entry.profile.host)
        #expect(file.port == entry.profile.port)
        #expect(file.settings.extraLines == entry.profile.settings.extraLines)
        // Every value, defaults included.
        #expect(file.settings.values == entry.profile.settings.values)
      }
    }
  }

  @Test(
    arguments: [
      ("full address:s:[2001:db8::5]:3390", "2001:db8::5", 3390),
      ("full address:s:[2001:db8::5]", "2001:db8::5", nil),
      ("full address:s:2001:db8::5:3389", "2001:db8::5", 3389),
      ("full address:s:2001:db8::5", "2001:db8::5", nil),
      ("full address:s:::1:33891", "::1", 33891),
      ("full address:s:vm.example.com:3390", "vm.example.com", 3390),
    ] as [(String, String, Int?)])
  func addresses(_ line: String, host: String, port: Int?) throws {
    let file = try RDPFileReader.parse(Array((line + "\r\nusername:s:u\r\n").utf8))
    #expect(file.host == host)
    #expect(file.port == (port ?? 3389))
  }

  static let malformed: [(String, [UInt8], String)] = [
    ("truncated UTF-16", [0xFF, 0xFE, 0x66, 0x00, 0x75], "truncated UTF-16LE"),
    (
      "binary garbage", [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0xC3, 0x28, 0xFF],
      "not UTF-8 or UTF-16LE"
    ),
    ("NUL bytes", Array("full address:s:a\u{0}b\r\n".utf8), "NUL"),
    ("no address", Array("username:s:u\r\n".utf8), "it names no computer to connect to"),
    (
      "an empty address", Array("full address:s:\r\nusername:s:u\r\n".utf8),
      "it names no computer to connect to"
    ),
    ("empty", [], "no properties"),
    ("bad host", Array("full address:s:bad_host!\r\n".utf8), "full address"),
    ("bad port", Array("full address:s:10.0.0.1:99999\r\n".utf8), "bad port"),
  ]

  /// A malformed line is skipped, as mstsc skips it, with a warning naming its line.
  static let skipped: [(String, String, String)] = [
    ("missing type", "screen mode id:1", "line 2: skipped: missing the type"),
    ("no colon", "just text", "line 2: skipped: expected name:type:value"),
    ("unknown type", "foo:q:1", "line 2: skipped: unknown type"),
    (
      "wrong type for a known property", "screen mode id:s:1",
      "line 2: skipped: \"screen mode id\" must have type i"
    ),
    ("integer that is not", "foo:i:abc", "line 2: skipped: \"foo\" is an integer property"),
    ("out of range", "audiomode:i:9", "line 2: skipped: invalid audiomode"),
    (
      "huge line", "x:s:" + String(repeating: "a", count: 70_000),
      "line 2: skipped: longer than 65536 bytes"
    ),
    (
      "a long value", "x:s:" + String(repeating: "a", count: 5000),
      "line 2: skipped: invalid extra line"
    ),
    ("a star for a type", "drivestoredirect:s*", "line 2: skipped: missing the type"),
  ]

  @Test(arguments: skipped.indices)
  func malformedLinesAreSkippedWithTheirLineNumber(index: Int) throws {
    let (label, line, warning) = Self.skipped[index]
    let file = try RDPFileReader.parse(
      Array(("full address:s:10.0.0.1\r\n" + line + "\r\nusername:s:u\r\n").utf8))
    #expect(file.host == "10.0.0.1", "\(label)")
    #expect(file.warnings.contains { $0.hasPrefix(warning) }, "\(label): \(file.warnings)")
    #expect(file.settings.values.isEmpty && file.settings.extraLines.isEmpty, "\(label)")
  }

  @Test(arguments: malformed.indices)
  func malformedFilesAreRefused(index: Int) {
    let (label, bytes, expected) = Self.malformed[index]
    do {
      _ = try RDPFileReader.parse(bytes)
      Issue.record("\(label) was accepted")
    } catch let error as VaultError {
      #expect(error.message.contains(expected), "\(label): \(error.message)")
    } catch {
      Issue.record("\(label): unexpected \(error)")
    }
  }

  @Test func aHugeFileIsRefusedBeforeParsing() {
    #expect(
      throws: VaultError.rdpFile(
        file: "", line: 0, reason: "larger than 1024 KiB; not an .rdp file")
    ) {
      try RDPFileReader.parse([UInt8](repeating: 0x61, count: 2 << 20))
    }
  }
}
