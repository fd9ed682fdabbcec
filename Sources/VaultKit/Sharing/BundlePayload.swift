import Foundation
import VaultCrypto

/// What a bundle carries, before encryption: JSON for the profiles and accounts, then each
/// account's password as length-prefixed bytes, so passwords never pass through a String.
///
///     JSON length u32 | JSON | per account: password length u32 (0xFFFFFFFF: none) | bytes
enum BundlePayload {
  static let noPassword: UInt32 = 0xFFFF_FFFF

  struct AccountEntry: Codable, Equatable {
    var scope: String
    var user: String
    var domain: String
    var form: String
    var domainAdmin: Bool
  }

  struct ProfileEntry: Codable, Equatable {
    var name: String
    var host: String
    var port: Int
    var computerName: String
    var kind: String
    var resourceGroup: String
    var subscription: String
    var tags: [String]
    var note: String
    var settings: RDPSettings
    var account: Int
  }

  struct Document: Codable, Equatable {
    var version: Int
    var accounts: [AccountEntry]
    var profiles: [ProfileEntry]
  }

  /// Longest password a bundle carries; longer ones are refused.
  static let maximumPassword = 4096

  /// The payload bytes in guarded memory; `secretFor(i)` gives account i's password, if any.
  static func encode(_ document: Document, secretFor: (Int) throws -> SecretBytes?) throws -> SecretBytes {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = [UInt8](try encoder.encode(document))
    let capacity = 4 + json.count + document.accounts.count * (4 + maximumPassword)
    var out = try SecretBytes(capacity: capacity)
    for byte in be(UInt32(json.count)) + json { try out.append(byte) }
    for index in document.accounts.indices {
      guard let secret = try secretFor(index) else {
        for byte in be(noPassword) { try out.append(byte) }
        continue
      }
      guard secret.count <= maximumPassword else {
        throw VaultError.invalidField(field: "password", value: "…", rule: "longer than \(maximumPassword) bytes")
      }
      for byte in be(UInt32(secret.count)) { try out.append(byte) }
      for offset in 0..<secret.count { try out.append(secret[offset]) }
    }
    return out
  }

  /// The document, and the byte range of each account's password within `payload`.
  static func decode(_ payload: borrowing SecretBytes) throws -> (Document, [Range<Int>?]) {
    func u32(at offset: Int) throws -> UInt32 {
      guard offset + 4 <= payload.count else { throw VaultError.bundleMalformed(reason: "payload truncated") }
      return (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(payload[offset + $1]) }
    }
    let jsonLength = Int(try u32(at: 0))
    guard 4 + jsonLength <= payload.count else { throw VaultError.bundleMalformed(reason: "payload truncated") }
    let json = payload.withUnsafeBytes { Data($0[4..<4 + jsonLength]) }
    let document: Document
    do {
      document = try JSONDecoder().decode(Document.self, from: json)
    } catch {
      throw VaultError.bundleMalformed(reason: "the payload cannot be read")
    }
    guard document.version == 1 else { throw VaultError.bundleUnsupportedVersion(document.version) }
    var offset = 4 + jsonLength
    var ranges: [Range<Int>?] = []
    for _ in document.accounts {
      let length = try u32(at: offset)
      offset += 4
      if length == noPassword {
        ranges.append(nil)
      } else {
        guard offset + Int(length) <= payload.count else { throw VaultError.bundleMalformed(reason: "payload truncated") }
        ranges.append(offset..<offset + Int(length))
        offset += Int(length)
      }
    }
    guard offset == payload.count else { throw VaultError.bundleMalformed(reason: "payload has extra bytes") }
    for profile in document.profiles where !document.accounts.indices.contains(profile.account) {
      throw VaultError.bundleMalformed(reason: "a profile points to a missing account")
    }
    return (document, ranges)
  }
}
