import Foundation
import Testing
import VaultCrypto

@testable import VaultKit

/// A fixed bundle, made once with fixed keys (Fixtures/bundle/README.md), must keep decoding
/// as later versions change the code; and its bytes must follow the layout SECURITY.md gives.
struct BundleVectorTests {
  static func seed(_ byte: UInt8) throws -> SecretBytes {
    try SecretBytes(copying: [UInt8](repeating: byte, count: 32))
  }

  static let document = BundlePayload.Document(
    version: 1,
    accounts: [
      BundlePayload.AccountEntry(
        scope: "domain", user: "alice", domain: "CONTOSO", form: "down-level", domainAdmin: true)
    ],
    profiles: [
      BundlePayload.ProfileEntry(
        name: "dc-01", host: "10.0.0.10", port: 3389, computerName: "DC-01", kind: "dc",
        resourceGroup: "rg",
        subscription: "", tags: ["lab"], note: "",
        settings: RDPSettings(values: ["administrative session": "1"]), account: 0)
    ])

  @Test func theCommittedBundleStillDecodes() throws {
    let bytes = try fixture("../bundle/bundle-v1.bin")
    let sender = try Signing.keyPair(seed: try Self.seed(2))
    let recipient = try Sealing.keyPair(seed: try Self.seed(3))
    let parsed = try BundleFormat.parse(bytes)
    try BundleFormat.verifySignature(parsed)
    #expect(parsed.header.senderSign == sender.publicKey)
    #expect(parsed.header.sequence == 7)
    #expect(parsed.header.createdAt == 1_795_000_000)
    #expect(parsed.header.bundleID == [UInt8](repeating: 0x42, count: 16))
    let payload = try BundleFormat.open(
      parsed, boxKey: recipient.publicKey, boxSecret: recipient.secretKey)
    let (document, ranges) = try BundlePayload.decode(payload, bundleVersion: parsed.version)
    #expect(document == Self.document)
    let password = try #require(ranges[0])
    #expect(
      payload.withUnsafeBytes { String(decoding: $0[password], as: UTF8.self) }
        == "Vector-Passw0rd!")
  }

  /// The layout, read with offsets from SECURITY.md, not with the decoder.
  @Test func theLayoutMatchesSecurityMD() throws {
    let bytes = try fixture("../bundle/bundle-v1.bin")
    func u32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
    func u64(_ at: Int) -> UInt64 { bytes[at..<at + 8].reduce(0) { $0 << 8 | UInt64($1) } }
    #expect(Array(bytes[0..<8]) == Array("RDPVBNDL".utf8))
    #expect(bytes[8] == 1)
    let headerLength = u32(9)
    let header = 13
    #expect(Array(bytes[header..<header + 16]) == [UInt8](repeating: 0x42, count: 16))
    #expect(u64(header + 16) == 1_795_000_000)
    #expect(u64(header + 24) == 7)
    let sender = try Signing.keyPair(seed: try Self.seed(2))
    let senderBox = try Sealing.keyPair(seed: try Self.seed(1))
    #expect(Array(bytes[header + 32..<header + 64]) == senderBox.publicKey)
    #expect(Array(bytes[header + 64..<header + 96]) == sender.publicKey)
    #expect(u32(header + 96) == 65536)
    let chunks = u32(header + 100)
    #expect(chunks == 1)
    let recipients = Int(bytes[header + 104]) << 8 | Int(bytes[header + 105])
    #expect(recipients == 1)
    let recipient = try Sealing.keyPair(seed: try Self.seed(3))
    #expect(Array(bytes[header + 106..<header + 138]) == recipient.publicKey)
    #expect(headerLength == 106 + recipients * (32 + 80))
    let stream = header + headerLength
    let firstChunk = stream + 24
    let chunkLength = u32(firstChunk)
    #expect(firstChunk + 4 + chunkLength + 64 == bytes.count)
    #expect(
      Signing.verify(
        Array(bytes.suffix(64)), message: Array(bytes.dropLast(64)), publicKey: sender.publicKey))
  }

  /// Bundle formats 2 and 3, made once with the same fixed keys and document
  /// (Fixtures/bundle/README.md): each decodes, and its payload follows SECURITY.md's layout,
  /// read here field by field without the decoder. Format 2 is signed with pure Ed25519,
  /// format 3 with Ed25519ph: each verifies only as its version says.
  @Test(arguments: [UInt8(2), 3])
  func theCommittedRecordBundlesStillDecodeAndFollowTheLayout(_ version: UInt8) throws {
    let bytes = try fixture("../bundle/bundle-v\(version).bin")
    #expect(Array(bytes[0..<8]) == Array("RDPVBNDL".utf8))
    #expect(bytes[8] == version)
    let parsed = try BundleFormat.parse(bytes)
    try BundleFormat.verifySignature(parsed)
    let signer = try Signing.keyPair(seed: try Self.seed(2)).publicKey
    let signed = Array(bytes.dropLast(64))
    let signature = Array(bytes.suffix(64))
    let pure = Signing.verify(signature, message: signed, publicKey: signer)
    let prehashed = signed.withUnsafeBytes {
      Signing.verifyPrehashed(signature, message: $0, publicKey: signer)
    }
    #expect(pure == (version == 2) && prehashed == (version == 3))
    #expect(
      parsed.version == version && parsed.header.sequence == 7
        && parsed.header.createdAt == 1_795_000_000
    )
    let recipient = try Sealing.keyPair(seed: try Self.seed(3))
    let payload = try BundleFormat.open(
      parsed, boxKey: recipient.publicKey, boxSecret: recipient.secretKey)
    let (document, ranges) = try BundlePayload.decode(payload, bundleVersion: parsed.version)
    var expected = Self.document
    expected.version = 2
    #expect(document == expected)
    let password = try #require(ranges[0])
    #expect(
      payload.withUnsafeBytes { String(decoding: $0[password], as: UTF8.self) }
        == "Vector-Passw0rd!")

    let plain = payload.withUnsafeBytes { Array($0) }
    var offset = 0
    func u32() -> Int {
      defer { offset += 4 }
      return plain[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
    }
    /// A record: version byte 1, then tag (1) ‖ length (4) ‖ bytes per field.
    func record() -> [(UInt8, [UInt8])] {
      let end = offset + u32()
      #expect(plain[offset] == 1)
      offset += 1
      var fields: [(UInt8, [UInt8])] = []
      while offset < end {
        let tag = plain[offset]
        offset += 1
        let length = u32()
        fields.append((tag, Array(plain[offset..<offset + length])))
        offset += length
      }
      return fields
    }
    func text(_ value: String) -> [UInt8] { Array(value.utf8) }
    func i64(_ value: Int64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    #expect(u32() == 1)
    let account = record()
    #expect(account.map(\.0) == [1, 2, 3, 4, 5])
    #expect(
      account.map(\.1) == [text("domain"), text("alice"), text("CONTOSO"), text("down-level"), [1]])
    #expect(u32() == 16)
    #expect(Array(plain[offset..<offset + 16]) == text("Vector-Passw0rd!"))
    offset += 16
    #expect(u32() == 1)
    let profile = record()
    #expect(profile.map(\.0) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    #expect(
      profile.map(\.1) == [
        text("dc-01"), text("dc"), text("10.0.0.10"), i64(3389), text("DC-01"), text("rg"),
        text(""), text("lab"), text(""),
        text(#"{"extraLines":[],"options":{},"values":{"administrative session":"1"}}"#), i64(0),
      ])
    #expect(offset == plain.count)
  }
}
