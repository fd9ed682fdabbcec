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

  /// The payload bytes in guarded memory. `passwordLength(i)` is the length of account i's
  /// password, nil for none; `writePassword(i, &out)` appends it to `out`.
  static func encode(
    _ document: Document, passwordLength: (Int) -> Int?,
    writePassword: (Int, inout SecretBytes) throws -> Void
  ) throws -> SecretBytes {
    let json = Self.json(document)
    let lengths = document.accounts.indices.map(passwordLength)
    let capacity = 4 + json.count + lengths.reduce(0) { $0 + 4 + ($1 ?? 0) }
    var out = try SecretBytes(capacity: capacity)
    for byte in be(UInt32(json.count)) { try out.append(byte) }
    json.withUnsafeBytes { raw in
      out.appendInPlace { spare in
        spare.copyMemory(from: raw)
        return raw.count
      }
    }
    for (index, length) in lengths.enumerated() {
      guard let length else {
        for byte in be(noPassword) { try out.append(byte) }
        continue
      }
      for byte in be(UInt32(length)) { try out.append(byte) }
      let before = out.count
      try writePassword(index, &out)
      guard out.count - before == length else { throw VaultError.corrupt(detail: "a password changed length") }
    }
    return out
  }

  /// The JSON of a document, written by hand (JSONEncoder takes longer than the crypto);
  /// JSONDecoder reads it back.
  static func json(_ document: Document) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(256 * (document.profiles.count + document.accounts.count) + 64)
    out += Array("{\"version\":\(document.version),\"accounts\":[".utf8)
    for (index, account) in document.accounts.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      JSONText.object(
        [
          ("domain", JSONText.text(account.domain)), ("domainAdmin", JSONText.raw(account.domainAdmin ? "true" : "false")),
          ("form", JSONText.text(account.form)), ("scope", JSONText.text(account.scope)), ("user", JSONText.text(account.user)),
        ], &out)
    }
    out += Array("],\"profiles\":[".utf8)
    for (index, profile) in document.profiles.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      let settings = profile.settings
      JSONText.object(
        [
          ("account", JSONText.raw(String(profile.account))), ("computerName", JSONText.text(profile.computerName)),
          ("host", JSONText.text(profile.host)), ("kind", JSONText.text(profile.kind)), ("name", JSONText.text(profile.name)),
          ("note", JSONText.text(profile.note)), ("port", JSONText.raw(String(profile.port))),
          ("resourceGroup", JSONText.text(profile.resourceGroup)),
          ("settings", { out in
            JSONText.object(
              [
                ("extraLines", { JSONText.array(settings.extraLines, &$0) }),
                ("options", { JSONText.dictionary(settings.options, &$0) }),
                ("values", { JSONText.dictionary(settings.values, &$0) }),
              ], &out)
          }),
          ("subscription", JSONText.text(profile.subscription)), ("tags", { JSONText.array(profile.tags, &$0) }),
        ], &out)
    }
    out += Array("]}".utf8)
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
