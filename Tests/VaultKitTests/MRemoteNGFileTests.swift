import Foundation
import Testing
import VaultCrypto

@testable import VaultKit

/// mRemoteNG's own test files and a real save (Fixtures/imports/README.md), decrypted with
/// the passwords their sources document; and hostile variations of them.
struct MRemoteNGFileTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/imports/mremoteng")

  static func fixture(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
  }

  static func password(_ text: String) -> () throws -> SecretBytes? {
    { try SecretBytes(copying: Array(text.utf8)) }
  }

  static func never() throws -> SecretBytes? {
    Issue.record("asked for a password")
    return nil
  }

  /// Every connection's name and clear password, as the fixtures README lists them.
  static func passwords(_ reading: borrowing MRemoteNGFile.Reading) -> [String: String] {
    var result: [String: String] = [:]
    for (index, connection) in reading.connections.enumerated() {
      result[connection.name] =
        reading.passwords.withPassword(at: index) { String(decoding: $0, as: UTF8.self) } ?? ""
    }
    return result
  }

  /// The tree every mRemoteNG test file holds (README: 12 connections, 11 RDP).
  static let testTree: [String: String] = [
    "Connection1.1": "folder1", "Connection1.2": "folder1", "Connection1.3": "folder1",
    "Connection2.1": "C21", "Connection2.1.1": "C211", "Connection2.1.1.1": "C2111",
    "InheritUsernameConnection": "inheritUsernamePassword",
    "InheritDomainConnection": "inheritUsernamePassword", "rootConnection": "rootpassword",
    // Inherited from Folder2 (through Folder2.2 and Folder2.2.1 InheritAll).
    "InheritalAllConnection": "folder2", "Connection2.2.1.1 InheritAll": "folder2",
    "InheritPasswordConnection": "folder2",
  ]

  @Test(
    arguments: [
      ("confCons_v2_6.xml", nil), ("confCons_v2_6_5k-iterations.xml", nil),
      ("confCons_v2_5.xml", nil), ("confCons_v2_6_passwordis_Password.xml", "Password"),
      ("confCons_v2_6_passwordis_Password_fullencryption.xml", "Password"),
      ("confCons_v2_5_passwordis_Password_fullencryption.xml", "Password"),
    ] as [(String, String?)])
  func mRemoteNGsOwnTestFilesOpen(file: String, custom: String?) throws {
    let bytes = try Self.fixture(file)
    // Told from its content, the pre-2.6 whole-file base64 too (import needs no --from).
    #expect(MRemoteNGFile.looksLikeMRemoteNG(bytes), "\(file)")
    var asked = 0
    let reading = try MRemoteNGFile.read(bytes) {
      asked += 1
      guard let custom else {
        Issue.record("asked for a password")
        return nil
      }
      return try SecretBytes(copying: Array(custom.utf8))
    }
    #expect(asked == (custom == nil ? 0 : 1))
    let usedDefaultKey = reading.usedDefaultKey
    #expect(usedDefaultKey == (custom == nil))
    let connections = reading.connections
    #expect(connections.count == 12)
    #expect(connections.filter { $0.protocolName == "RDP" }.count == 11)
    let passwords = Self.passwords(reading)
    for (name, password) in Self.testTree {
      #expect(passwords[name] == password, "\(file): \(name)")
    }
    let first = try #require(connections.first { $0.name == "Connection1.1" })
    #expect(first.folders == ["Folder1"])
    #expect(first.username == "userFolder1" && first.domain == "domainFolder1")
    let deep = try #require(connections.first { $0.name == "Connection2.1.1.1" })
    #expect(deep.folders == ["Folder2", "Folder2.1", "Folder2.1.1"])
  }

  @Test func aRealSaveWithTheDefaultKey() throws {
    let reading = try MRemoteNGFile.read(
      try Self.fixture("catc-dcloud-lab-namespaced-v2_6-rdp-ssh.xml"), askPassword: Self.never)
    let usedDefaultKey = reading.usedDefaultKey
    #expect(usedDefaultKey)
    let rdp = reading.connections.filter { $0.protocolName == "RDP" }
    #expect(rdp.map(\.name) == ["AD", "Client 1", "Client 2", "Client 3", "Client 4"])
    #expect(
      rdp.map(\.host) == [
        "198.18.133.1", "198.18.134.1", "198.18.134.2", "198.18.134.3", "198.18.134.4",
      ])
    #expect(rdp.allSatisfy { $0.username == "admin" && $0.domain == "DCLOUD" })
    let passwords = Self.passwords(reading)
    #expect(rdp.allSatisfy { passwords[$0.name] == "C1sco12345" })
    let (count, credentials) = (reading.connections.count, reading.credentials)
    #expect(count == 15)
    #expect(credentials.map(\.signIn).contains("DCLOUD\\admin"))
  }

  @Test func aWrongCustomPasswordIsRefused() throws {
    let bytes = try Self.fixture("confCons_v2_6_passwordis_Password.xml")
    #expect(throws: VaultError.sourcePasswordWrong(tool: "mRemoteNG")) {
      _ = try MRemoteNGFile.read(bytes, askPassword: Self.password("password"))
    }
    #expect(throws: VaultError.sourcePasswordNeeded(tool: "mRemoteNG")) {
      _ = try MRemoteNGFile.read(bytes) { nil }
    }
  }

  @Test func theMalformedRealFileIsRefusedWithItsLine() throws {
    #expect(throws: VaultError.inventory(reason: "line 3: content after the root element")) {
      _ = try MRemoteNGFile.read(
        try Self.fixture("htb-bastion-malformed-selfclosed-root.xml"), askPassword: Self.never)
    }
  }

  /// The file with one attribute changed, for the hostile cases.
  static func changed(_ edit: (String) -> String) throws -> [UInt8] {
    Array(edit(String(decoding: try fixture("confCons_v2_6.xml"), as: UTF8.self)).utf8)
  }

  @Test func unsupportedVersionsEnginesAndCountsAreRefused() throws {
    let cases: [(String, String, String)] = [
      ("ConfVersion=\"2.6\"", "ConfVersion=\"3.0\"", "newer than this reader knows"),
      ("ConfVersion=\"2.6\"", "ConfVersion=\"1.75\"", "is not read (2.0 to 2.8 are)"),
      ("EncryptionEngine=\"AES\"", "EncryptionEngine=\"Serpent\"", "Serpent-GCM is not read"),
      ("BlockCipherMode=\"GCM\"", "BlockCipherMode=\"EAX\"", "AES-EAX is not read"),
      ("KdfIterations=\"1000\"", "KdfIterations=\"2000000000\"", "is not a count"),
      ("KdfIterations=\"1000\"", "KdfIterations=\"-1\"", "is not a count"),
    ]
    for (old, new, expected) in cases {
      let bytes = try Self.changed { $0.replacingOccurrences(of: old, with: new) }
      do {
        _ = try MRemoteNGFile.read(bytes, askPassword: Self.never)
        Issue.record("\(new) was read")
      } catch VaultError.inventory(let reason) {
        #expect(reason.contains(expected), "\(new): \(reason)")
      }
    }
  }

  @Test func aDamagedPasswordIsDamageNotAnEmptyPassword() throws {
    let bytes = try Self.changed { text in
      // Connection2.1's password, one base64 character changed in its ciphertext.
      let marker = "Name=\"Connection2.1\""
      let node = text.range(of: marker)!
      let password = text.range(of: "Password=\"", range: node.upperBound..<text.endIndex)!
      var chars = Array(text)
      let at = text.distance(from: text.startIndex, to: password.upperBound) + 40
      chars[at] = chars[at] == "A" ? "B" : "A"
      return String(chars)
    }
    #expect(
      throws: VaultError.inventory(
        reason: "the password of \"Connection2.1\" does not open: the file is damaged")
    ) {
      _ = try MRemoteNGFile.read(bytes, askPassword: Self.never)
    }
  }

  @Test func entitiesAreRefusedBeforeAnythingExpands() throws {
    let laughs = """
      <?xml version="1.0"?>
      <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
      <Connections ConfVersion="2.6" Name="&lol2;"/>
      """
    let external = """
      <?xml version="1.0"?>
      <!DOCTYPE c [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
      <Connections ConfVersion="2.6"><Node Name="&secret;" Type="Connection"/></Connections>
      """
    for text in [laughs, external] {
      do {
        _ = try MRemoteNGFile.read(Array(text.utf8), askPassword: Self.never)
        Issue.record("a DTD was read")
      } catch VaultError.inventory(let reason) {
        #expect(reason.hasPrefix("line 2: the file has a document type declaration"))
      }
    }
    // An entity that no DTD defines is refused too, not left as text.
    let undefined = Array("<Connections ConfVersion=\"2.6\" Name=\"&lol;\"/>".utf8)
    #expect(throws: VaultError.inventory(reason: "line 1: undefined entity &lol;")) {
      _ = try MRemoteNGFile.read(undefined, askPassword: Self.never)
    }
  }

  /// Only mRemoteNG's files: not an .rdp file, JSON, a short or unaligned base64 value.
  @Test func otherFilesAreNotTakenForMRemoteNG() {
    for text in [
      "full address:s:10.0.0.1\r\n", "[{\"name\": \"vm\"}]", "QUJD", "<Other/>",
      String(repeating: "QUJD", count: 20),
    ] {
      #expect(!MRemoteNGFile.looksLikeMRemoteNG(Array(text.utf8)), "\(text)")
    }
  }

  /// Every value costs a PBKDF2 run of the file's count: a file of many values at a high
  /// count is refused before any is made, not worked through for hours.
  /// A node that inherits its folder's password costs a run as well: the walk opens the
  /// folder's value again for each one.
  @Test(arguments: [false, true]) func thePBKDF2WorkIsBoundedBeforeItStarts(inheriting: Bool)
    throws
  {
    let bytes = try Self.changed { text in
      let changed = text.replacingOccurrences(
        of: "KdfIterations=\"1000\"", with: "KdfIterations=\"1000000\"")
      // 60 more connections with a password each (the value need not open: it is counted),
      // or 60 in a folder with one password that each of them inherits.
      let nodes =
        inheriting
        ? "<Node Name=\"f\" Type=\"Container\" Password=\"AAAA\">"
          + String(
            repeating: "<Node Name=\"x\" Type=\"Connection\" InheritPassword=\"True\"/>",
            count: 60) + "</Node>"
        : String(
          repeating: "<Node Name=\"x\" Type=\"Connection\" Password=\"AAAA\"/>", count: 60)
      return changed.replacingOccurrences(of: "</Connections>", with: nodes + "</Connections>")
    }
    do {
      _ = try MRemoteNGFile.read(bytes, askPassword: Self.never)
      Issue.record("read")
    } catch VaultError.inventory(let reason) {
      #expect(
        reason.contains("PBKDF2 iterations each is more work than this reader does"), "\(reason)")
    }
  }

  /// An attribute in another namespace is not the one mRemoteNG reads: the same local name
  /// twice is refused rather than guessed.
  @Test func aPrefixedTwinAttributeIsRefused() throws {
    let text =
      "<Connections ConfVersion=\"2.6\"><Node Name=\"a\" x:Hostname=\"evil\" Hostname=\"good\"/></Connections>"
    #expect(throws: VaultError.self) {
      _ = try MRemoteNGFile.read(Array(text.utf8), askPassword: Self.never)
    }
  }

  @Test func aHugeFileIsRefusedBeforeItIsParsed() throws {
    let bytes = [UInt8](repeating: 0x20, count: MRemoteNGFile.maximumSize + 1)
    #expect(throws: VaultError.self) {
      _ = try MRemoteNGFile.read(bytes, askPassword: Self.never)
    }
  }
}
