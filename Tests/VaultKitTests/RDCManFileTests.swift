import Foundation
import Testing

@testable import VaultKit

/// RDCMan's .rdg files, schema 1 and 3, from mRemoteNG's test resources (fixtures README).
struct RDCManFileTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/imports/rdcman")

  static func read(_ name: String) throws -> ForeignInventory {
    try RDCManFile.read([UInt8](try Data(contentsOf: directory.appendingPathComponent(name))))
  }

  @Test(arguments: ["test_rdcman_v2_7_schema3.rdg", "test_rdcman_v2_2_schema1.rdg"])
  func bothSchemasGiveTheSameFourServers(file: String) throws {
    #expect(
      RDCManFile.looksLikeRDCMan(
        [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent(file)))))
    let inventory = try Self.read(file)
    let items = inventory.items
    #expect(items.map(\.name) == ["server1_displayname", "server2", "server3", "server4"])
    #expect(items.map(\.host) == ["server1", "server2", "server3", "server4"])
    #expect(items.map(\.tags) == [["Group1"], ["Group1"], ["Group2/Group3"], ["Group2/Group3"]])
    let first = items[0]
    #expect(first.port == 9933)
    #expect(first.user == "myusername1" && first.domain == "mydomain" && first.kind == .domain)
    #expect(first.note == "Comment text here")
    #expect(first.settings.values["administrative session"] == "1")
    #expect(first.settings.values["alternate shell"] == "alternate shell")
    #expect(first.settings.values["gatewayhostname"] == "gatewayserverhost.innerdomain.net")
    #expect(first.settings.values["gatewayusagemethod"] == "1")
    #expect(first.settings.values["drivestoredirect"] == "*")
    #expect(first.settings.values["audiomode"] == "2")
    #expect(first.warnings.count == 1)
    #expect(first.warnings[0].hasPrefix("its password is protected by Windows (DPAPI"))
    // No password: the DPAPI blob is not a password, and nothing else is one.
    #expect((0..<4).allSatisfy { !inventory.passwords.hasPassword(at: $0) })
    #expect(inventory.passwords.count == 4)
    #expect(inventory.audit == nil)
    // Servers without settings of their own take nothing from server1.
    #expect(items[1].user == nil && items[1].port == 3389 && items[1].settings.isEmpty)
  }

  @Test func aClearTextPasswordIsKeptAndAudited() throws {
    var text = try String(
      contentsOf: Self.directory.appendingPathComponent("test_rdcman_v2_2_schema1.rdg"),
      encoding: .utf8)
    let start = text.range(of: "<password storeAsClearText=\"False\">")!
    let end = text.range(of: "</password>", range: start.upperBound..<text.endIndex)!
    text.replaceSubrange(
      start.lowerBound..<end.upperBound,
      with: "<password storeAsClearText=\"True\">S3cret!</password>")
    let inventory = try RDCManFile.read(Array(text.utf8))
    #expect(inventory.passwords.withPassword(at: 0) { Array($0) } == Array("S3cret!".utf8))
    #expect(inventory.items[0].warnings.isEmpty)
    #expect(
      inventory.audit
        == ImportAudit(
          protection: .clearText(tool: "RDCMan"),
          credentials: [.init(signIn: "mydomain\\myusername1", usedBy: ["server1_displayname"])]))
  }

  @Test func inheritedCredentialsComeFromTheGroup() throws {
    let text = """
      <?xml version="1.0" encoding="utf-8"?>
      <RDCMan programVersion="2.93" schemaVersion="3"><file>
        <properties><name>f</name></properties>
        <logonCredentials inherit="None"><profileName scope="Local">Custom</profileName>
          <userName>ops</userName><domain>CONTOSO</domain></logonCredentials>
        <group><properties><name>Web Farm</name></properties>
          <server><properties><name>web01.contoso.com</name></properties>
            <logonCredentials inherit="FromParent" /></server>
          <server><properties><name>web02.contoso.com</name></properties></server>
        </group>
      </file></RDCMan>
      """
    let items = try RDCManFile.read(Array(text.utf8)).items
    #expect(items.map(\.user) == ["ops", "ops"])
    #expect(items.map(\.domain) == ["CONTOSO", "CONTOSO"])
    #expect(items.map(\.tags) == [["Web-Farm"], ["Web-Farm"]])
  }

  @Test func unsupportedAndHostileFilesAreRefused() throws {
    let cases: [(String, String)] = [
      ("<RDCMan schemaVersion=\"-99\"><file/></RDCMan>", "schema version \"-99\" is not read"),
      ("<RDCMan schemaVersion=\"3\"></RDCMan>", "has no <file> element"),
      (
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><RDCMan/>",
        "document type declaration"
      ),
      ("<RDCMan schemaVersion=\"3\"><file><group>", "cut short?"),
    ]
    for (text, expected) in cases {
      do {
        _ = try RDCManFile.read(Array(text.utf8))
        Issue.record("read: \(text)")
      } catch VaultError.inventory(let reason) {
        #expect(reason.contains(expected), "\(reason)")
      }
    }
  }
}
