import Foundation
import Testing
import VaultCrypto

@testable import VaultKit

/// A fixed bundle, made once with fixed keys (Fixtures/bundle/README.md), must keep decoding
/// as later versions change the code; and its bytes must follow the layout SECURITY.md gives.
struct BundleVectorTests {
  static func seed(_ byte: UInt8) throws -> SecretBytes { try SecretBytes(copying: [UInt8](repeating: byte, count: 32)) }

  static let document = BundlePayload.Document(
    version: 1,
    accounts: [BundlePayload.AccountEntry(scope: "domain", user: "alice", domain: "CONTOSO", form: "down-level", domainAdmin: true)],
    profiles: [
      BundlePayload.ProfileEntry(
        name: "dc-01", host: "10.0.0.10", port: 3389, computerName: "DC-01", kind: "dc", resourceGroup: "rg",
        subscription: "", tags: ["lab"], note: "", settings: RDPSettings(values: ["administrative session": "1"]), account: 0)
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
    let payload = try BundleFormat.open(parsed, boxKey: recipient.publicKey, boxSecret: recipient.secretKey)
    let (document, ranges) = try BundlePayload.decode(payload, bundleVersion: parsed.version)
    #expect(document == Self.document)
    let password = try #require(ranges[0])
    #expect(payload.withUnsafeBytes { String(decoding: $0[password], as: UTF8.self) } == "Vector-Passw0rd!")
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
    #expect(Signing.verify(Array(bytes.suffix(64)), message: Array(bytes.dropLast(64)), publicKey: sender.publicKey))
  }
}
