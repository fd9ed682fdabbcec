import Foundation
import GRDB
import VaultCrypto

/// The one clear row of a vault: format, vault id, KDF parameters and the wrapped key.
struct VaultHeader {
  /// Format 2 seals each row as one record (SECURITY.md); format 1 is upgraded on open.
  static let currentFormat = 2

  var formatVersion: Int
  var vaultID: [UInt8]
  var kdfAlgorithm: String
  var kdfOpsLimit: Int64
  var kdfMemLimit: Int64
  var kdfSalt: [UInt8]
  var wrappedKey: [UInt8]
  var keyVersion: Int64
  var createdAt: Int64
  var updatedAt: Int64

  /// The KDF parameters, range-checked before anything is derived or allocated.
  func kdfParameters() throws -> KDFParameters {
    guard kdfAlgorithm == KeyDerivation.algorithmName else {
      throw VaultError.corrupt(detail: "unknown key-derivation algorithm \(quoted(kdfAlgorithm))")
    }
    guard kdfOpsLimit > 0, kdfMemLimit > 0 else {
      throw VaultError.kdfOutOfRange(
        opsLimit: UInt64(bitPattern: kdfOpsLimit), memLimit: UInt64(bitPattern: kdfMemLimit))
    }
    do {
      return try KDFParameters(opsLimit: UInt64(kdfOpsLimit), memLimit: UInt64(kdfMemLimit))
    } catch {
      throw VaultError.kdfOutOfRange(opsLimit: UInt64(kdfOpsLimit), memLimit: UInt64(kdfMemLimit))
    }
  }

  /// Binds the wrapped key to this vault, its format and the parameters that protect it: a
  /// format-2 header marked as format 1 (to slip old tables through the upgrade) no longer
  /// unwraps.
  var wrapAssociatedData: [UInt8] {
    var ad = Array("rdpvault/vault-key/v\(formatVersion)".utf8) + [0] + vaultID
    for value in [kdfOpsLimit, kdfMemLimit, keyVersion] { ad.appendBigEndian(value) }
    return ad + Array(kdfAlgorithm.utf8)
  }

  static func fetch(_ db: Database) throws -> VaultHeader? {
    guard try db.tableExists("vault_header") else { return nil }
    guard let row = try Row.fetchOne(db, sql: "SELECT * FROM vault_header WHERE id = 1") else {
      return nil
    }
    func blob(_ column: String) throws -> [UInt8] {
      guard let data = try row.blob(column, table: "vault_header") else {
        throw VaultError.corrupt(detail: "vault_header.\(column) is missing")
      }
      return [UInt8](data)
    }
    func int(_ column: String) throws -> Int64 {
      try row.integer(column, table: "vault_header")
    }
    return VaultHeader(
      formatVersion: Int(try int("format_version")),
      vaultID: try blob("vault_id"),
      kdfAlgorithm: String(
        decoding: (row["kdf_algorithm"] as DatabaseValue).storage.text ?? [], as: UTF8.self),
      kdfOpsLimit: try int("kdf_opslimit"),
      kdfMemLimit: try int("kdf_memlimit"),
      kdfSalt: try blob("kdf_salt"),
      wrappedKey: try blob("wrapped_key"),
      keyVersion: try int("key_version"),
      createdAt: try int("created_at"),
      updatedAt: try int("updated_at"))
  }

  func insert(_ db: Database) throws {
    try db.execute(
      sql: """
        INSERT INTO vault_header (id, format_version, vault_id, kdf_algorithm, kdf_opslimit,
          kdf_memlimit, kdf_salt, wrapped_key, key_version, created_at, updated_at)
        VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        formatVersion, Data(vaultID), kdfAlgorithm, kdfOpsLimit, kdfMemLimit, Data(kdfSalt),
        Data(wrappedKey), keyVersion, createdAt, updatedAt,
      ])
  }

  /// Rewrites only what `passwd` changes: the KDF parameters, salt and wrapped key.
  func updateKeyWrap(_ db: Database) throws {
    try db.execute(
      sql: """
        UPDATE vault_header SET kdf_algorithm = ?, kdf_opslimit = ?, kdf_memlimit = ?,
          kdf_salt = ?, wrapped_key = ?, key_version = ?, updated_at = ? WHERE id = 1
        """,
      arguments: [
        kdfAlgorithm, kdfOpsLimit, kdfMemLimit, Data(kdfSalt), Data(wrappedKey), keyVersion,
        updatedAt,
      ])
  }
}
