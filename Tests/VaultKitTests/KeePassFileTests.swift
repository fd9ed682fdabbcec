import Foundation
import Testing
import VaultCrypto

@testable import VaultKit

/// KeePass 2 XML: KeePassXC's own test export (fixtures README), as found and with RDP
/// addresses written into its entries, the three ways KeePass users keep them.
struct KeePassFileTests {
  static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/imports/keepass/NewDatabase.xml")

  static func read(_ text: String) throws -> ForeignInventory {
    let secret = try SecretBytes(copying: Array(text.utf8))
    return try secret.withUnsafeBytes { try KeePassFile.read($0) }
  }

  static func original() throws -> String { try String(contentsOf: file, encoding: .utf8) }

  @Test func theExportAsFoundHasNoRDPEntry() throws {
    let bytes = [UInt8](try Data(contentsOf: Self.file))
    #expect(KeePassFile.looksLikeKeePassXML(bytes))
    #expect(!KeePassFile.isKDBX(bytes))
    let inventory = try Self.read(try Self.original())
    #expect(inventory.items.isEmpty)
    // The recycle bin's entry is neither imported nor counted; History is no entry.
    #expect(inventory.skipped.map(\.name) == ["Sample Entry 1", "Sample Entry 2", "Subsub Entry"])
  }

  @Test func rdpURLsMstscOverridesAndAHostFieldAreRDPEntries() throws {
    var text = try Self.original()
    // Sample Entry 2's URL (line 251), Sample Entry 1's empty URL (line 93), and a custom
    // field in Subsub Entry; the recycle bin's entry gets an rdp:// URL too.
    text = text.replacingOccurrences(
      of: "<Value ProtectInMemory=\"True\">http://www.keepassx.org/</Value>",
      with: "<Value>rdp://10.1.2.3:3390/</Value>")
    text = text.replacingOccurrences(
      of: "<Key>URL</Key>\r\n\t\t\t\t\t<Value ProtectInMemory=\"True\" />",
      with: "<Key>URL</Key>\r\n\t\t\t\t\t<Value>cmd://mstsc.exe /v:[fd00::5]:3391 /f</Value>")
    text = text.replacingOccurrences(
      of: "<Value>Subsub Entry</Value>\r\n\t\t\t\t\t\t</String>",
      with:
        "<Value>Subsub Entry</Value>\r\n\t\t\t\t\t\t</String><String><Key>RDP Host</Key><Value>sub.example.com</Value></String>"
    )
    text = text.replacingOccurrences(
      of: "<Key>URL</Key>\r\n\t\t\t\t\t\t<Value />",
      with: "<Key>URL</Key>\r\n\t\t\t\t\t\t<Value>rdp://deleted.example.com</Value>")
    let inventory = try Self.read(text)
    let items = inventory.items
    #expect(items.map(\.name) == ["Sample-Entry-1", "Sample-Entry-2", "Subsub-Entry"])
    #expect(items.map(\.host) == ["fd00::5", "10.1.2.3", "sub.example.com"])
    #expect(items.map(\.port) == [3391, 3390, 3389])
    #expect(items.map(\.user) == ["User Name", "notDEFUSERNAME", nil])
    #expect(items.map(\.tags) == [[], [], ["Windows/Subsub"]])
    #expect(inventory.skipped.isEmpty, "\(inventory.skipped)")
    let passwords = (0..<3).map { index in
      inventory.passwords.withPassword(at: index) { String(decoding: $0, as: UTF8.self) }
    }
    #expect(passwords == ["Password", "Jer60Hz8o9XHvxBGcRqT", nil])
  }

  @Test func hostileValuesAndFilesAreRefused() throws {
    var text = try Self.original()
    text = text.replacingOccurrences(
      of: "<Value ProtectInMemory=\"True\">http://www.keepassx.org/</Value>",
      with: "<Value>rdp://{REF:A@I:46C9B1FFBD4ABC4BBB260C6190BAD20C}</Value>")
    #expect(
      try Self.read(text).skipped.contains { $0.reason == "its address is a KeePass placeholder" })
    // A password encrypted with a KDBX's inner stream is not a password.
    var inner = try Self.original()
    inner = inner.replacingOccurrences(
      of: "<Value ProtectInMemory=\"True\">http://www.keepassx.org/</Value>",
      with: "<Value>rdp://10.1.2.3</Value>")
    inner = inner.replacingOccurrences(
      of: "<Value>Jer60Hz8o9XHvxBGcRqT</Value>",
      with: "<Value Protected=\"True\">QUJD</Value>")
    let protected = try Self.read(inner)
    let kept = protected.passwords.hasPassword(at: 0)
    #expect(!kept)
    #expect(protected.items[0].warnings.contains { $0.contains("inner stream") })
    for (hostile, expected) in [
      ("<!DOCTYPE k [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><KeePassFile/>", "document type"),
      (
        "<KeePassFile><Root><Group><Entry><String><Key>Password</Key><Value>a<b/></Value>",
        "may hold only text"
      ),
      ("<KeePassFile><Meta/></KeePassFile>", "not a KeePass XML export"),
    ] {
      do {
        _ = try Self.read(hostile)
        Issue.record("read: \(hostile)")
      } catch VaultError.inventory(let reason) {
        #expect(reason.contains(expected), "\(reason)")
      }
    }
  }

  @Test func addressesAreParsedStrictly() {
    #expect(KeePassFile.rdpTarget(url: "RDP://Host.Example:3390/path") == "Host.Example:3390")
    #expect(
      KeePassFile.rdpTarget(url: "cmd://C:\\Windows\\System32\\mstsc.exe /v:h1 /admin") == "h1")
    #expect(KeePassFile.rdpTarget(url: "cmd://calc.exe /v:h1") == nil)
    #expect(KeePassFile.rdpTarget(url: "https://rdp.example.com") == nil)
    #expect(KeePassFile.hostAndPort("[::1]:3389")! == ("::1", 3389))
    #expect(KeePassFile.hostAndPort("h:x") == nil)
    #expect(KeePassFile.hostAndPort("a:b:c")! == ("a:b:c", nil))
  }
}
