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
    vault = try Vault.create(in: try DatabaseQueue(), passphrase: try SecretBytes(copying: Array("x".utf8)), kdf: .interactive)
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
      "name": name, "host": host, "port": 3389, "computerName": "VM1", "kind": kind, "resourceGroup": "",
      "subscription": "", "tags": [String](), "note": "", "settings": settings, "account": account,
    ]
    entry.merge(overrides) { $1 }
    return entry
  }

  static func account(
    user: String = "admin", domain: String = "CONTOSO", scope: String = "domain", form: String = "down-level",
    admin: Bool = false
  ) -> [String: Any] {
    ["scope": scope, "user": user, "domain": domain, "form": form, "domainAdmin": admin]
  }

  /// A signed bundle for `box`'s vault carrying exactly this document and these passwords
  /// (raw bytes, nil for none), written into the box as FILE.
  func bundle(
    for box: Sandbox, profiles: [[String: Any]], accounts: [[String: Any]], passwords: [[UInt8]?]? = nil,
    file: String = "hostile.rdpv"
  ) throws -> String {
    let recipient = box.run(["identity", "--json"])
    let json = try #require(try JSONSerialization.jsonObject(with: Data(recipient.stdout.utf8)) as? [String: String])
    let to = try PublicIdentity(parsing: json["identity"]!)
    let document = try JSONSerialization.data(
      withJSONObject: ["version": 1, "accounts": accounts, "profiles": profiles], options: [.sortedKeys])
    var payload: [UInt8] = be(UInt32(document.count)) + [UInt8](document)
    for password in passwords ?? accounts.map { _ in nil } {
      if let password { payload += be(UInt32(password.count)) + password } else { payload += be(UInt32.max) }
    }
    let bytes = try BundleFormat.write(
      payload: try SecretBytes(copying: payload), senderBox: identity.boxKey, senderSign: identity.signKey,
      signingKey: try vault.identitySecret(.sign), recipients: [to], sequence: sequence)
    sequence += 1
    return box.writeBytes(bytes, to: file)
  }
}
