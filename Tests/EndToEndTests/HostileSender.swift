import Foundation
import GRDB
import Testing
import VaultCrypto

@testable import VaultKit

/// A teammate whose identity was stolen: it signs, validly, bundles with any payload at all,
/// built here by hand rather than by `export`, which would never write them.
final class HostileSender {
  let vault: Vault
  let identity: PublicIdentity
  private var sequence: UInt64 = 1

  init() throws {
    vault = try Vault.create(
      in: try DatabaseQueue(), passphrase: try SecretBytes(copying: Array("x".utf8)),
      kdf: .interactive)
    identity = try vault.identity()
  }

  /// Pins this sender in `box` as `name`, as a user would after checking the fingerprint.
  func pin(in box: Sandbox, as name: String = "mallory") {
    let result = box.run(["teammate", "add", name, identity.encoded])
    #expect(result.status == 0, "\(result.stderr)")
  }

  /// A profile entry as JSON, with `overrides` replacing or adding keys.
  static func profile(
    _ name: String, host: String = "203.0.113.9", kind: String = "domain", account: Int = 0,
    settings: [String: Any] = [:], overrides: [String: Any] = [:]
  ) -> [String: Any] {
    var entry: [String: Any] = [
      "name": name, "host": host, "port": 3389, "computerName": "VM1", "kind": kind,
      "resourceGroup": "",
      "subscription": "", "tags": [String](), "note": "", "settings": settings, "account": account,
    ]
    entry.merge(overrides) { $1 }
    return entry
  }

  static func account(
    user: String = "admin", domain: String = "CONTOSO", scope: String = "domain",
    form: String = "down-level",
    admin: Bool = false
  ) -> [String: Any] {
    ["scope": scope, "user": user, "domain": domain, "form": form, "domainAdmin": admin]
  }

  /// A signed bundle for `box`'s vault carrying exactly this document and these passwords
  /// (raw bytes, nil for none), written into the box as FILE. Version 2 payloads are records
  /// made field by field from the entries (a value of the wrong type is written as that type,
  /// where the reader expects another); version 1 is the older JSON payload.
  func bundle(
    for box: Sandbox, profiles: [[String: Any]], accounts: [[String: Any]],
    passwords: [[UInt8]?]? = nil,
    file: String = "hostile.rdpv", version: UInt8 = BundleFormat.version
  ) throws -> String {
    let passwords = passwords ?? accounts.map { _ in nil }
    func password(_ password: [UInt8]?) -> [UInt8] {
      guard let password else { return be(UInt32.max) }
      return be(UInt32(password.count)) + password
    }
    var payload: [UInt8]
    if version == 1 {
      let document = try JSONSerialization.data(
        withJSONObject: ["version": 1, "accounts": accounts, "profiles": profiles],
        options: [.sortedKeys])
      payload = be(UInt32(document.count)) + [UInt8](document)
      for entry in passwords { payload += password(entry) }
    } else {
      payload = be(UInt32(accounts.count))
      for (index, account) in accounts.enumerated() {
        let record = try Self.record(account, tags: Self.accountTags)
        payload +=
          be(UInt32(record.count)) + record
          + password(index < passwords.count ? passwords[index] : nil)
      }
      payload += be(UInt32(profiles.count))
      for profile in profiles {
        let record = try Self.record(profile, tags: Self.profileTags)
        payload += be(UInt32(record.count)) + record
      }
    }
    return try bundle(for: box, payload: payload, file: file, version: version)
  }

  /// A signed bundle for `box` around exactly these payload bytes.
  func bundle(
    for box: Sandbox, payload: [UInt8], file: String = "hostile.rdpv",
    version: UInt8 = BundleFormat.version
  ) throws -> String {
    let recipient = box.run(["identity", "--json"])
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(recipient.stdout.utf8)) as? [String: String])
    let to = try PublicIdentity(parsing: json["identity"]!)
    let bytes = try BundleFormat.write(
      payload: try SecretBytes(copying: payload), senderBox: identity.boxKey,
      senderSign: identity.signKey,
      signingKey: try vault.identitySecret(.sign), recipients: [to], sequence: sequence,
      version: version)
    sequence += 1
    return box.writeBytes(bytes, to: file)
  }

  static let accountTags: [String: UInt8] = [
    "scope": 1, "user": 2, "domain": 3, "form": 4, "domainAdmin": 5,
  ]
  static let profileTags: [String: UInt8] = [
    "name": 1, "kind": 2, "host": 3, "port": 4, "computerName": 5, "resourceGroup": 6,
    "subscription": 7, "tags": 8,
    "note": 9, "settings": 10, "account": 11,
  ]

  /// An entry as a payload record (SECURITY.md): each value by its own type, settings as JSON.
  static func record(_ entry: [String: Any], tags: [String: UInt8]) throws -> [UInt8] {
    var record = RecordEncoder()
    for (key, value) in entry.sorted(by: { (tags[$0.key] ?? 99) < (tags[$1.key] ?? 99) }) {
      let tag = tags[key] ?? 99
      switch value {
      case let text as String: record.add(tag, text)
      case let flag as Bool where type(of: value) == Bool.self: record.add(tag, flag)
      case let number as Int: record.add(tag, Int64(number))
      case let texts as [String] where tag == 8: for text in texts { record.add(tag, text) }
      default:
        let json = try JSONSerialization.data(
          withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
        record.add(tag, String(decoding: json, as: UTF8.self))
      }
    }
    return record.bytes
  }
}
