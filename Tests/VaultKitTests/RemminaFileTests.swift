import Foundation
import Testing
import VaultCrypto

@testable import VaultKit

/// Remmina profiles from public repositories (fixtures README), and one with a password
/// encrypted for the committed remmina.pref by the OpenSSL command-line tool
/// (`openssl enc -des-ede3-cbc -nopad`, key and IV from the pref's secret as Remmina takes
/// them, "Zeus-Pw1!" padded with NULs): Remmina's own rule, made by another program.
struct RemminaFileTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/imports/remmina")
  static let encryptedForPref = "cAzBeok4SVVl18fkP1+2aA=="

  static func bytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
  }

  static func pref() throws -> SecretBytes { try RemminaFile.prefSecret(try bytes("remmina.pref")) }

  static func legacy(password: String) throws -> [UInt8] {
    let text = String(
      decoding: try bytes("legacy-rdp-cleartext-password-redacted.remmina"), as: UTF8.self)
    return Array(
      text.replacingOccurrences(of: "password=REDACTED", with: "password=\(password)").utf8)
  }

  @Test func theRealProfilesMapAsRemminaReadsThem() throws {
    let plain = try RemminaFile.read(
      try Self.bytes("remmina-1.4-rdp-no-password.remmina"), fileName: "test", secret: nil,
      storeClearText: false)
    #expect(plain.items.count == 1)
    #expect(plain.items[0].name == "Test" && plain.items[0].host == "192.168.0.2")
    #expect(plain.items[0].user == "nejc" && plain.items[0].kind == .local)
    #expect(plain.items[0].settings.isEmpty)
    #expect(plain.audit == nil)
    let template = try RemminaFile.read(
      try Self.bytes("templates_rdp_rdp-template-1920x1080_1-1-1-1.remmina"), fileName: "t",
      secret: nil, storeClearText: false)
    let item = template.items[0]
    #expect(item.tags == ["Templates"])
    #expect(item.settings.values["desktopwidth"] == "1910")
    #expect(item.settings.values["desktopheight"] == "1010")
    #expect(item.settings.values["audiomode"] == "2")
    #expect(
      item.warnings.contains("its password is kept in the desktop keyring and was not imported"))
    let keptInKeyring = template.passwords.hasPassword(at: 0)
    #expect(!keptInKeyring)
    // The pre-1.2 profile: `resolution=1800x900`.
    let legacy = try RemminaFile.read(
      try Self.legacy(password: ""), fileName: "w", secret: nil, storeClearText: false)
    #expect(legacy.items[0].settings.values["desktopwidth"] == "1800")
    #expect(legacy.items[0].user == "Administrator")
  }

  @Test func aPasswordDecryptsWithThePrefAndIsAudited() throws {
    let pref = try Self.pref()
    let reading = try RemminaFile.read(
      try Self.legacy(password: Self.encryptedForPref), fileName: "w", secret: consume pref,
      storeClearText: false)
    #expect(reading.passwords.withPassword(at: 0) { Array($0) } == Array("Zeus-Pw1!".utf8))
    #expect(
      reading.audit
        == ImportAudit(
          protection: .remminaKeyBesideData,
          credentials: [.init(signIn: "Administrator", usedBy: ["HostNameZeusCannon"])]))
    // Without the pref: a warning, no password.
    let without = try RemminaFile.read(
      try Self.legacy(password: Self.encryptedForPref), fileName: "w", secret: nil,
      storeClearText: false)
    #expect(without.items[0].warnings.contains { $0.contains("secret of a remmina.pref") })
    #expect(without.remedies == [.remminaPref])
    let none = without.passwords.hasPassword(at: 0)
    #expect(!none)
    // Another pref's secret gives bytes that are not text: refused, not stored as garbage.
    let other = try SecretBytes(copying: [UInt8](repeating: 7, count: 32))
    let wrong = try RemminaFile.read(
      try Self.legacy(password: Self.encryptedForPref), fileName: "w", secret: consume other,
      storeClearText: false)
    #expect(wrong.items[0].warnings.contains { $0.contains("does not decrypt") })
    let stored = wrong.passwords.hasPassword(at: 0)
    #expect(!stored)
  }

  @Test func aClearTextPasswordNeedsConsent() throws {
    let refused = try RemminaFile.read(
      try Self.legacy(password: "REDACTED"), fileName: "w", secret: nil, storeClearText: false)
    #expect(refused.items[0].warnings.contains { $0.contains("written in the clear") })
    let kept = try RemminaFile.read(
      try Self.legacy(password: "REDACTED"), fileName: "w", secret: nil, storeClearText: true)
    #expect(kept.passwords.withPassword(at: 0) { Array($0) } == Array("REDACTED".utf8))
  }

  @Test func keyFilesFollowGLib() throws {
    let file = try RemminaFile.keyFile(try Self.bytes("remmina-1.4-rdp-no-password.remmina"))
    #expect(file.text("remmina", "clientbuild") == " 9600 (Windows 8 and newer)")
    // CRLF line ends read like LF (Windows editors write them).
    let crlf = String(
      decoding: try Self.bytes("remmina-1.4-rdp-no-password.remmina"), as: UTF8.self
    )
    .replacingOccurrences(of: "\n", with: "\r\n")
    let read = try RemminaFile.read(
      Array(crlf.utf8), fileName: "t", secret: nil, storeClearText: false)
    #expect(read.items.map(\.host) == ["192.168.0.2"])
    #expect(RemminaFile.unescape("a\\nb\\\\c\\td") == "a\nb\\c\td")
    #expect(RemminaFile.looksLikeRemmina(Array("# c\n\n[remmina]\nname=x\n".utf8)))
    #expect(!RemminaFile.looksLikeRemmina(Array("full address:s:x\n".utf8)))
    for (text, expected) in [
      ("[remmina\nname=x\n", "malformed group header"),
      ("name=x\n", "neither a group nor key=value"),
      ("[other]\nname=x\n", "no [remmina] group"),
    ] {
      #expect(throws: VaultError.self, "\(expected)") {
        _ = try RemminaFile.read(
          Array(text.utf8), fileName: "f", secret: nil, storeClearText: false)
      }
    }
    let ssh = try RemminaFile.read(
      Array("[remmina]\nprotocol=SSH\nserver=h\nname=s\n".utf8), fileName: "f", secret: nil,
      storeClearText: false)
    #expect(ssh.items.isEmpty && ssh.skipped.map(\.reason) == ["SSH, not RDP"])
  }
}
