import Foundation
import GRDB
import Testing
import VaultCrypto

@testable import VaultKit

/// Reads the committed format-2 vault by SECURITY.md alone: libsodium primitives and the
/// documented byte layouts, no VaultKit decoder.
struct FormatTwoVectorTests {
  static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/format2/vault-format2.db").path

  func be64(_ value: Int64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
  func be32(_ value: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(value).bigEndian) { Array($0) } }

  /// `tag ‖ u32 length ‖ bytes` fields after a version byte 1.
  func fields(_ record: [UInt8]) throws -> [UInt8: [[UInt8]]] {
    #expect(record.first == 1)
    var out: [UInt8: [[UInt8]]] = [:]
    var offset = 1
    while offset < record.count {
      let tag = record[offset]
      let length = record[offset + 1..<offset + 5].reduce(0) { $0 << 8 | Int($1) }
      out[tag, default: []].append(Array(record[offset + 5..<offset + 5 + length]))
      offset += 5 + length
    }
    #expect(offset == record.count)
    return out
  }

  func text(_ fields: [UInt8: [[UInt8]]], _ tag: UInt8) -> String? {
    fields[tag]?.first.map { String(decoding: $0, as: UTF8.self) }
  }
  func int(_ fields: [UInt8: [[UInt8]]], _ tag: UInt8) -> Int64? {
    fields[tag]?.first.map { $0.reduce(Int64(0)) { $0 << 8 | Int64($1) } }
  }

  @Test func theCommittedVaultReadsAsDocumented() throws {
    let queue = try DatabaseQueue(
      path: Self.path,
      configuration: {
        var c = Configuration()
        c.readonly = true
        return c
      }())
    let header = try queue.read { try Row.fetchOne($0, sql: "SELECT * FROM vault_header")! }
    #expect(header["format_version"] as Int64 == 2)
    let vaultID = [UInt8](header["vault_id"] as Data)
    let ops = header["kdf_opslimit"] as Int64
    let mem = header["kdf_memlimit"] as Int64
    let keyVersion = header["key_version"] as Int64
    let kdf = try KDFParameters(opsLimit: UInt64(ops), memLimit: UInt64(mem))
    let wrapping = try KeyDerivation.argon2id(
      passphrase: try SecretBytes(copying: Array("golden format two".utf8)),
      salt: [UInt8](header["kdf_salt"] as Data), parameters: kdf)
    let wrapAD =
      Array("rdpvault/vault-key/v2".utf8) + [0] + vaultID + be64(ops) + be64(mem) + be64(keyVersion)
      + Array("argon2id13".utf8)
    let vaultKey = try SecretBox.openSecret(
      [UInt8](header["wrapped_key"] as Data), additionalData: wrapAD, key: wrapping)
    let recordKey = try KeyDerivation.subkey(of: vaultKey, id: 1, context: "rdpvault")
    let indexKey = try KeyDerivation.subkey(of: vaultKey, id: 2, context: "rdpvault")
    let rowSetKey = try KeyDerivation.subkey(of: vaultKey, id: 3, context: "rdpvault")

    func ad(
      _ table: String, _ id: Int64, _ version: Int64, lookup: [UInt8]?, keyLookup: [UInt8]? = nil,
      account: Int64? = nil
    ) -> [UInt8] {
      var out =
        Array("rdpvault/record/v2".utf8) + [0] + vaultID + Array(table.utf8) + [0] + be64(id)
        + be64(version)
      for column in [lookup, keyLookup, account.map(be64)] {
        out += column.map { be32($0.count) + $0 } ?? [0xFF, 0xFF, 0xFF, 0xFF]
      }
      return out
    }

    // Profiles: lookup = BLAKE2b(index key, "profile" 0x00 lower-cased name).
    let profiles = try queue.read {
      try Row.fetchAll($0, sql: "SELECT id, lookup, account_id, version, record FROM profiles")
    }
    var byName: [String: ([UInt8: [[UInt8]]], Int64)] = [:]
    for row in profiles {
      let lookup = [UInt8](row["lookup"] as Data)
      let plain = try SecretBox.open(
        [UInt8](row["record"] as Data),
        additionalData: ad(
          "profiles", row["id"], row["version"], lookup: lookup, account: row["account_id"]),
        key: recordKey)
      let f = try fields(plain)
      let name = try #require(text(f, 1))
      #expect(
        try KeyedHash.hash(
          Array("profile".utf8) + [0] + Array(name.lowercased().utf8), key: indexKey) == lookup)
      byName[name] = (f, row["account_id"])
    }
    let web = try #require(byName["web-01"]?.0)
    #expect(text(web, 2) == "local")
    #expect(text(web, 3) == "10.0.0.4")
    #expect(int(web, 4) == 3390)
    #expect(text(web, 5) == "WEB-01")
    #expect(web[8]?.map { String(decoding: $0, as: UTF8.self) } == ["prod", "web"])
    #expect(text(web, 10)?.contains("\"desktopwidth\":\"1920\"") == true)
    #expect(text(byName["app-01"]?.0 ?? [:], 3) == "app01.contoso.com")

    // Accounts and their passwords (a password's record is the password itself).
    let accounts = try queue.read {
      try Row.fetchAll($0, sql: "SELECT id, lookup, version, record FROM accounts")
    }
    var signIns: [Int64: String] = [:]
    for row in accounts {
      let lookup = [UInt8](row["lookup"] as Data)
      let f = try fields(
        try SecretBox.open(
          [UInt8](row["record"] as Data),
          additionalData: ad("accounts", row["id"], row["version"], lookup: lookup), key: recordKey)
      )
      let signIn = try #require(text(f, 7))
      #expect(
        try KeyedHash.hash(
          Array("account".utf8) + [0] + Array(signIn.lowercased().utf8), key: indexKey) == lookup)
      signIns[row["id"]] = signIn
      if signIn == "CONTOSO\\alice" { #expect(f[5] == [[1]], "domain admin") }
    }
    #expect(Set(signIns.values) == ["WEB-01\\azureuser", "CONTOSO\\alice"])
    var passwords: [String: String] = [:]
    for row in try queue.read({
      try Row.fetchAll($0, sql: "SELECT id, version, record FROM account_secrets")
    }) {
      let plain = try SecretBox.open(
        [UInt8](row["record"] as Data),
        additionalData: ad("account_secrets", row["id"], row["version"], lookup: nil),
        key: recordKey)
      passwords[signIns[row["id"]]!] = String(decoding: plain, as: UTF8.self)
    }
    #expect(passwords == ["WEB-01\\azureuser": "Golden-Pw-1", "CONTOSO\\alice": "Golden-Pw-2"])

    // Row-set digests: per table, XOR of BLAKE2b(row-set key, table 0x00 ‖ id ‖ version ‖
    // bound columns as in the associated data), sealed under "rdpvault/rowset/v2" 0x00 ‖ vault_id.
    let digests = try SecretBox.open(
      [UInt8](header["row_digests"] as Data),
      additionalData: Array("rdpvault/rowset/v2".utf8) + [0] + vaultID, key: recordKey)
    let tables: [(String, [String])] = [
      ("profiles", ["lookup", "account_id"]), ("accounts", ["lookup"]), ("account_secrets", []),
      ("identity", []),
      ("teammates", ["lookup", "key_lookup"]), ("seen_bundles", ["lookup"]),
      ("sender_sequences", ["lookup"]),
    ]
    #expect(digests.count == 32 * tables.count)
    for (index, (table, bound)) in tables.enumerated() {
      var digest = [UInt8](repeating: 0, count: 32)
      for row in try queue.read({ try Row.fetchAll($0, sql: "SELECT * FROM \(table)") }) {
        var message = Array(table.utf8) + [0] + be64(row["id"]) + be64(row["version"])
        for column in ["lookup", "key_lookup", "account_id"] {
          guard bound.contains(column) else {
            message += [0xFF, 0xFF, 0xFF, 0xFF]
            continue
          }
          let bytes: [UInt8] =
            column == "account_id" ? be64(row[column]) : [UInt8](row[column] as Data)
          message += be32(bytes.count) + bytes
        }
        let element = try KeyedHash.hash(message, key: rowSetKey)
        for i in 0..<32 { digest[i] ^= element[i] }
      }
      #expect(digest == Array(digests[32 * index..<32 * index + 32]), "\(table)")
    }
  }

  /// And VaultKit agrees.
  @Test func vaultKitOpensItAndFindsItSound() throws {
    let temp = TemporaryDirectory()
    let copy = temp.path + "/vault.db"
    try FileManager.default.copyItem(atPath: Self.path, toPath: copy)
    chmod(copy, 0o600)
    let vault = try Vault.open(at: copy, passphrase: try secret("golden format two"))
    #expect(vault.upgradedFromFormat == nil)
    #expect(try vault.verify().isSound)
    #expect(VaultKitTests.text(of: try vault.password(forProfile: "web-01")) == "Golden-Pw-1")
  }
}
