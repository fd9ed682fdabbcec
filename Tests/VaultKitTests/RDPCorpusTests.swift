import Foundation
import Testing

@testable import VaultKit

/// Real .rdp files (Fixtures/rdp-corpus/README.md): each imports or is refused as
/// expected.txt says, and what imports round-trips with every property it had.
struct RDPCorpusTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/rdp-corpus")

  /// Every file in the folder, so a new fixture cannot go unrun.
  static let files: [String] =
    (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?
    .filter { $0.lowercased().hasSuffix(".rdp") || $0.lowercased().hasSuffix(".rdpw") }.sorted()
    ?? []

  static let expected: [String: (outcome: String, detail: String)] = {
    let text =
      (try? String(contentsOf: directory.appendingPathComponent("expected.txt"), encoding: .utf8))
      ?? ""
    var out: [String: (String, String)] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      let parts = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
      if parts.count == 3 { out[parts[0]] = (parts[1], parts[2]) }
    }
    return out
  }()

  @Test func theCorpusIsNotEmpty() {
    #expect(Self.files.count >= 5)
  }

  @Test(arguments: files)
  func eachFileImportsOrIsRefusedAsExpected(_ file: String) throws {
    let expected = try #require(Self.expected[file], "\(file) has no line in expected.txt")
    var bytes = [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent(file)))
    var clear: [Int] = []
    _ = try ClearTextPassword.extract(from: &bytes, lines: &clear)
    switch expected.outcome {
    case "imports":
      let parsed = try RDPFileReader.parse(bytes)
      #expect("\(parsed.host):\(parsed.port)" == expected.detail)
      // Round trip through a real import: every property line with a value that rdpvault does
      // not take from the profile comes back out as it was; a signed file keeps its
      // signature, and then every line it signs, byte for byte (empty ones included).
      let (vault, _) = try memoryVault()
      var copy = bytes
      _ = try vault.importRDPFile(
        &copy, fileName: file, name: "vm", kind: nil, tags: [],
        user: parsed.user == nil ? "CONTOSO\\alice" : nil,
        computerName: "VM1")
      let written = RDPFileWriter.lines(for: try vault.profile(named: "vm"))
      let scope = parsed.originalLines.first { $0.lowercased().hasPrefix("signscope:") }
        .map {
          $0.split(separator: ":", maxSplits: 2).last.map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
          } ?? []
        }
      let signed =
        scope != nil && parsed.originalLines.contains { $0.lowercased().hasPrefix("signature:") }
      for line in parsed.originalLines {
        guard let colon = line.firstIndex(of: ":") else { continue }
        let name = line[..<colon].lowercased()
        let value =
          line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).last ?? ""
        if signed, scope!.contains(name) || RDPSignature.lineNames.contains(name) {
          #expect(
            written.contains(line), "\(file): signed line \(line.prefix(60)) was not kept as it was"
          )
          continue
        }
        // A value out of its documented range was skipped with a warning naming its line
        // (the macOS client writes `desktopwidth:i:0`).
        let refused =
          RDPProperty.named(String(name)).map { (try? $0.validate(String(value))) == nil } ?? false
        if value.isEmpty || refused
          || ["full address", "alternate full address", "username", "domain", "server port"]
            .contains(name)
          || RDPProperty.isReserved(String(name))
        {
          continue
        }
        #expect(
          written.map { $0.lowercased() }.contains(line.lowercased()), "\(file): \(line) was lost")
      }
    default:
      #expect {
        _ = try RDPFileReader.parse(bytes)
      } throws: { error in
        (error as? VaultError)?.message.contains(expected.detail) == true
      }
    }
  }
}

/// The reader follows the clients where they agree and mstsc where they do not; a signature
/// survives only what it still covers.
struct RDPReaderRulesTests {
  func parse(_ text: String) throws -> ImportedRDPFile {
    try RDPFileReader.parse(Array(text.utf8))
  }

  @Test func thePortInFullAddressWinsOverServerPort() throws {
    let both = try parse("full address:s:vm.contoso.com:3390\r\nserver port:i:3391\r\n")
    #expect(both.port == 3390)
    #expect(
      both.warnings == [
        "line 2: server port 3391 differs from the port 3390 in full address; using 3390, as mstsc does"
      ])
    #expect(try parse("full address:s:vm.contoso.com\r\nserver port:i:3391\r\n").port == 3391)
    #expect(
      try parse("server port:i:3389\r\nfull address:s:vm.contoso.com:3389\r\n").warnings.isEmpty)
  }

  @Test func emptyValuesAreNotSetAndNamesMatchInAnyCase() throws {
    let file = try parse(
      "FULL ADDRESS:s:vm\r\nGatewayHostname:s:\r\nAlternate Shell:s:  \r\nScreen Mode ID:i:1\r\n")
    #expect(file.host == "vm")
    #expect(file.settings.values == ["screen mode id": "1"])
    #expect(file.warnings.isEmpty)
  }

  func importSigned(_ lines: [String]) throws -> (RDPSettings, [String]) {
    let (vault, _) = try memoryVault()
    var bytes = Array(lines.map { $0 + "\r\n" }.joined().utf8)
    let result = try vault.importRDPFile(
      &bytes, fileName: "signed.rdp", name: nil, kind: nil, tags: [], user: nil, computerName: nil)
    return (try vault.profile(named: "signed").profile.settings, result.warnings)
  }

  @Test func aSignatureStaysOnlyWhileWhatItSignsIsUnchanged() throws {
    let kept = try importSigned([
      "full address:s:rds.contoso.com", "username:s:CONTOSO\\alice", "redirectclipboard:i:0",
      "signscope:s:Full Address,RedirectClipboard", "signature:s:AQABAAEAAAA=",
    ])
    #expect(kept.0.extraLines.contains("signscope:s:Full Address,RedirectClipboard"))
    #expect(kept.0.extraLines.contains("signature:s:AQABAAEAAAA="))
    #expect(kept.1.isEmpty)
    // rdpvault writes a modelled value in its normal form: a signed "01600" becomes "1600".
    let dropped = try importSigned([
      "full address:s:rds.contoso.com", "username:s:CONTOSO\\alice", "desktopwidth:i:01600",
      "signscope:s:Full Address,DesktopWidth", "signature:s:AQABAAEAAAA=",
    ])
    #expect(
      !dropped.0.extraLines.contains { $0.hasPrefix("signscope") || $0.hasPrefix("signature") })
    #expect(dropped.0.signedLines.isEmpty)
    #expect(
      dropped.1.contains { $0.contains("its signature was dropped") && $0.contains("desktopwidth") }
    )
  }

  /// RD Web signs `full address` (the session host's inside name), `alternate full address`
  /// and `server port`, all of which rdpvault otherwise writes from the profile: the file's own
  /// lines are kept and written back while they connect where the profile says, so the
  /// signature holds; once the address changes, both signature lines go.
  @Test func anRDWebSignatureOverTheAddressSurvives() throws {
    let (vault, _) = try memoryVault()
    let lines = [
      "full address:s:RDSH-01.corp.contoso.com", "alternate full address:s:rds.contoso.com",
      "server port:i:3389",
      "username:s:CONTOSO\\alice", "drivestoredirect:s:",
      "signscope:s:Full Address,Alternate Full Address,Server Port,DrivesToRedirect",
      "signature:s:AQABAAEAAAA=",
    ]
    var bytes = Array(lines.map { $0 + "\r\n" }.joined().utf8)
    let result = try vault.importRDPFile(
      &bytes, fileName: "rdweb.rdp", name: nil, kind: nil, tags: [], user: nil, computerName: nil)
    #expect(!result.warnings.contains { $0.contains("signature") })
    let entry = try vault.profile(named: "rdweb")
    #expect(entry.profile.host == "rds.contoso.com")
    let written = RDPFileWriter.lines(for: entry)
    for line in lines { #expect(written.contains(line), "\(line)") }
    // What the written file connects to is still what the profile says.
    let reread = try RDPFileReader.parse(Array(written.map { $0 + "\r\n" }.joined().utf8))
    #expect(reread.host == "rds.contoso.com" && reread.port == 3389)
    try vault.editProfile(
      named: "rdweb", changes: ProfileChanges(host: "rds2.contoso.com"), account: nil, admin: nil,
      password: nil)
    let edited = RDPFileWriter.lines(for: try vault.profile(named: "rdweb"))
    #expect(edited.first == "full address:s:rds2.contoso.com")
    #expect(
      !edited.contains {
        $0.hasPrefix("signature:") || $0.hasPrefix("signscope:")
          || $0.hasPrefix("alternate full address")
      })
  }

  /// Kept lines that would connect elsewhere than the profile says (a teammate's bundle, a
  /// changed vault) are never written, and neither is the signature that came with them; a
  /// kept line that is not an address line is refused outright.
  @Test func keptLinesNeverRedirectTheFile() throws {
    let settings = RDPSettings(
      extraLines: ["signscope:s:Full Address", "signature:s:AQAB"],
      signedLines: ["full address:s:evil.example"])
    try settings.validate()
    let profile = Profile(
      name: "web", host: "good.example", computerName: "WEB", kind: .local, settings: settings)
    let written = RDPFileWriter.lines(
      for: ProfileEntry(profile: profile, account: Account(scope: .local, userName: "u")))
    #expect(written.first == "full address:s:good.example")
    #expect(
      !written.contains {
        $0.contains("evil") || $0.hasPrefix("signature:") || $0.hasPrefix("signscope:")
      })
    for bad in [
      ["password:s:x"], ["full address:s:a", "full address:s:b"], ["loadbalanceinfo:s:x"],
      ["full address:s:a\u{1B}[2J"], ["full address:s:a\nusername:s:b"], ["full address:s:a\u{0}b"],
      ["full address:s:" + String(repeating: "a", count: 5000)],
    ] {
      #expect(throws: VaultError.self, "\(bad)") { try RDPSettings(signedLines: bad).validate() }
    }
    // A kept user that is not the profile's own (another stored account) is not written.
    let otherUser = RDPSettings(
      extraLines: ["signscope:s:Full Address,Username", "signature:s:AQAB"],
      signedLines: ["full address:s:good.example", "username:s:CONTOSO\\admin"])
    try otherUser.validate()
    let other = RDPFileWriter.lines(
      for: ProfileEntry(
        profile: Profile(
          name: "web", host: "good.example", computerName: "WEB", kind: .local, settings: otherUser),
        account: Account(scope: .local, userName: "u")))
    #expect(other.contains("username:s:WEB\\u"))
    #expect(!other.contains { $0.contains("admin") || $0.hasPrefix("signature:") })
  }

  /// An RD Web RemoteApp file names the session host's inside name in `full address` and the
  /// address to reach in `alternate full address`: mstsc and FreeRDP connect to the alternate,
  /// and so does rdpvault, saying so (the layout of a RemoteApp file published by RD Web).
  @Test func theAlternateFullAddressIsWhereTheClientsConnect() throws {
    let lines = [
      "remoteapplicationmode:i:1", "server port:i:3389", "gatewayusagemethod:i:0",
      "full address:s:EC2AMAZ-GKADDAA.CYBERTANK.TLV", "alternate full address:s:52.50.31.19",
      "remoteapplicationprogram:s:||CyberTankWindowApp", "remoteapplicationcmdline:s:",
      "loadbalanceinfo:s:tsv://MS Terminal Services Plugin.1.CyberTankApps",
    ]
    let file = try RDPFileReader.parse(Array(lines.map { $0 + "\r\n" }.joined().utf8))
    #expect(file.host == "52.50.31.19" && file.port == 3389)
    #expect(
      file.warnings.contains(
        "line 5: using alternate full address \"52.50.31.19\" rather than full address \"EC2AMAZ-GKADDAA.CYBERTANK.TLV\", as mstsc and FreeRDP do"
      ))
    // The same address twice, or an empty alternate, says nothing.
    let same = try RDPFileReader.parse(
      Array("full address:s:rds.contoso.com\r\nalternate full address:s:RDS.contoso.com\r\n".utf8))
    #expect(same.host == "RDS.contoso.com" && same.warnings.isEmpty)
    let empty = try RDPFileReader.parse(
      Array("full address:s:10.0.0.4\r\nalternate full address:s:\r\n".utf8))
    #expect(empty.host == "10.0.0.4" && empty.warnings.isEmpty)
  }

  /// A hostile alternate address goes through the same gates as `full address`: control
  /// characters or an oversize line skip it (the file's full address stays), and a value that
  /// is not a host refuses the file, naming its line.
  @Test func aHostileAlternateAddressIsSkippedOrRefused() throws {
    func parse(_ alternate: String) throws -> ImportedRDPFile {
      try RDPFileReader.parse(
        Array("full address:s:10.0.0.4\r\nalternate full address:s:\(alternate)\r\n".utf8))
    }
    // A NUL makes it no text file at all: refused whole.
    #expect(
      throws: VaultError.rdpFile(file: "", line: 0, reason: "contains NUL bytes; not an .rdp file")
    ) { _ = try parse("evil.example\u{0}") }
    for bad in [
      "evil.example\u{1B}[8m", "evil.example\u{202E}", String(repeating: "a", count: 70_000),
    ] {
      let file = try parse(bad)
      #expect(file.host == "10.0.0.4", "\(bad.prefix(20).debugDescription)")
      #expect(file.warnings.contains { $0.hasPrefix("line 2: skipped: ") }, "\(file.warnings)")
    }
    for bad in ["evil example", "evil.example:99999", "-evil.example"] {
      #expect(throws: (any Error).self, "\(bad)") { _ = try parse(bad) }
      do {
        _ = try parse(bad)
      } catch VaultError.rdpFile(_, let line, _) {
        #expect(line == 2, "\(bad)")
      }
    }
  }

  @Test func anEditToASignedPropertyDropsTheSignature() throws {
    let (vault, _) = try memoryVault()
    var bytes = Array(
      [
        "full address:s:rds.contoso.com", "username:s:CONTOSO\\alice", "desktopwidth:i:1600",
        "signscope:s:Full Address", "signature:s:AQAB",
      ]
      .map { $0 + "\r\n" }.joined().utf8)
    _ = try vault.importRDPFile(
      &bytes, fileName: "signed.rdp", name: nil, kind: nil, tags: [], user: nil, computerName: nil)
    try vault.setSetting(profile: "signed", key: "desktopwidth", value: "1920")
    #expect(
      try vault.profile(named: "signed").profile.settings.extraLines.contains("signature:s:AQAB"),
      "an unsigned property changed")
    try vault.editProfile(
      named: "signed", changes: ProfileChanges(host: "rds2.contoso.com"), account: nil, admin: nil,
      password: nil)
    #expect(try vault.profile(named: "signed").profile.settings.extraLines.isEmpty)
  }
}
