import Foundation
import VaultCrypto

/// The unlocked vault's keys: one for the fields, one for the blind indexes, both derived
/// from the vault key. Encryption happens here, at the edge of the store.
final class VaultKeys {
  private let fieldKey: SecretBytes
  private let indexKey: SecretBytes
  let vaultID: [UInt8]

  /// Every (table, column) the store boxes, with its associated-data prefix, made once at
  /// unlock and then only read.
  private let knownPrefixes: [String: [UInt8]]

  static let boxedColumns: [(String, [String])] = [
    ("profiles", ProfileRecord.columns), ("accounts", AccountRecord.columns), ("account_secrets", ["password"]),
    ("teammates", ["name", "identity"]), ("identity", ["box_public", "box_secret", "sign_public", "sign_secret"]),
  ]

  init(vaultKey: borrowing SecretBytes, vaultID: [UInt8]) throws {
    fieldKey = try KeyDerivation.subkey(of: vaultKey, id: 1, context: "rdpvault")
    indexKey = try KeyDerivation.subkey(of: vaultKey, id: 2, context: "rdpvault")
    self.vaultID = vaultID
    var prefixes: [String: [UInt8]] = [:]
    for (table, columns) in Self.boxedColumns {
      for column in columns { prefixes[table + "." + column] = Self.makePrefix(vaultID, table, column) }
    }
    knownPrefixes = prefixes
    profilePrefixes = ProfileRecord.columns.map { prefixes["profiles." + $0]! }
    accountPrefixes = AccountRecord.columns.map { prefixes["accounts." + $0]! }
  }

  /// The associated data up to the row id, for the profile and account columns, computed
  /// once and then only read, so rows can be opened on several threads.
  /// The prefixes of `profiles` and `accounts` columns in column order, for reading rows by
  /// position; made once here and only read after, so rows can be opened on several threads.
  let profilePrefixes: [[UInt8]]
  let accountPrefixes: [[UInt8]]

  private static func makePrefix(_ vaultID: [UInt8], _ table: String, _ column: String) -> [UInt8] {
    Array("rdpvault/field/v1".utf8) + [0] + vaultID + Array(table.utf8) + [0] + Array(column.utf8) + [0]
  }

  func prefix(table: String, column: String) -> [UInt8] {
    knownPrefixes[table + "." + column] ?? Self.makePrefix(vaultID, table, column)
  }

  /// Binds a box to this vault, its table, its row and its column.
  func associatedData(table: String, column: String, rowID: Int64) -> [UInt8] {
    associatedData(prefix: prefix(table: table, column: column), rowID: rowID)
  }

  func associatedData(prefix: [UInt8], rowID: Int64) -> [UInt8] {
    var ad = prefix
    ad.reserveCapacity(prefix.count + 8)
    withUnsafeBytes(of: rowID.bigEndian) { ad.append(contentsOf: $0) }
    return ad
  }

  /// Opens a metadata box in place (no copy of the box) with a prefix from
  /// `prefix(table:column:)`; this is the hot path of `list`.
  func open(_ box: Data?, prefix: [UInt8], rowID: Int64, table: String, column: String) throws -> String {
    guard let box else { throw VaultError.corrupt(detail: "\(table).\(column) is missing") }
    var ad = prefix
    withUnsafeBytes(of: rowID.bigEndian) { ad.append(contentsOf: $0) }
    let bytes: [UInt8]
    do {
      bytes = try box.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
        try ad.withUnsafeBytes { try SecretBox.open(raw, additionalData: $0, key: fieldKey) }
      }
    } catch {
      throw VaultError.tampered(table: table, column: column)
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw VaultError.corrupt(detail: "\(table).\(column) is not UTF-8")
    }
    return text
  }

  func seal(_ text: String, table: String, column: String, rowID: Int64) throws -> Data {
    let ad = associatedData(table: table, column: column, rowID: rowID)
    return Data(try SecretBox.seal(Array(text.utf8), additionalData: ad, key: fieldKey))
  }

  func seal(secret: borrowing SecretBytes, table: String, column: String, rowID: Int64) throws
    -> Data
  {
    let ad = associatedData(table: table, column: column, rowID: rowID)
    return Data(try SecretBox.seal(secret, additionalData: ad, key: fieldKey))
  }

  func seal(bytes: UnsafeRawBufferPointer, table: String, column: String, rowID: Int64) throws -> Data {
    let ad = associatedData(table: table, column: column, rowID: rowID)
    return Data(try SecretBox.seal(bytes, additionalData: ad, key: fieldKey, nonce: Random.bytes(SecretBox.nonceLength)))
  }

  func open(_ box: Data?, table: String, column: String, rowID: Int64) throws -> String {
    guard let box else { throw VaultError.corrupt(detail: "\(table).\(column) is missing") }
    let ad = associatedData(table: table, column: column, rowID: rowID)
    do {
      let bytes = try SecretBox.open([UInt8](box), additionalData: ad, key: fieldKey)
      guard let text = String(validating: bytes, as: UTF8.self) else {
        throw VaultError.corrupt(detail: "\(table).\(column) is not UTF-8")
      }
      return text
    } catch is CryptoError {
      throw VaultError.tampered(table: table, column: column)
    }
  }

  func openSecret(_ box: Data?, table: String, column: String, rowID: Int64) throws
    -> SecretBytes
  {
    guard let box else { throw VaultError.corrupt(detail: "\(table).\(column) is missing") }
    let ad = associatedData(table: table, column: column, rowID: rowID)
    do {
      return try SecretBox.openSecret([UInt8](box), additionalData: ad, key: fieldKey)
    } catch {
      throw VaultError.tampered(table: table, column: column)
    }
  }

  /// Opens a secret box into the spare capacity of `out`.
  func openSecret(_ box: Data, table: String, column: String, rowID: Int64, appendingTo out: inout SecretBytes) throws {
    do {
      try SecretBox.openSecret(
        [UInt8](box), additionalData: associatedData(table: table, column: column, rowID: rowID), key: fieldKey,
        appendingTo: &out)
    } catch {
      throw VaultError.tampered(table: table, column: column)
    }
  }

  /// The blind index of a normalised name: equal names give equal indexes, and nothing
  /// about the name can be learned without the vault key.
  func lookup(_ scope: String, _ normalisedName: String) throws -> Data {
    Data(try KeyedHash.hash(Array((scope + "\u{0}" + normalisedName).utf8), key: indexKey))
  }
}
