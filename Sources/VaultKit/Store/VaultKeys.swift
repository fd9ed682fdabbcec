import Foundation
import VaultCrypto

/// The unlocked vault's keys, derived from the vault key: one seals records, one makes blind
/// indexes, one makes the row-set digests. Encryption happens here, at the edge of the store.
final class VaultKeys {
  private let fieldKey: SecretBytes
  private let indexKey: SecretBytes
  private let rowSetKey: SecretBytes
  let vaultID: [UInt8]
  /// `"rdpvault/record/v2" 0x00 ‖ vault_id ‖ table 0x00` per table (`digestIndex` order),
  /// made once: `list` builds one associated data per row.
  private let recordPrefixes: [[UInt8]]
  private static let recordLabel = Array("rdpvault/record/v2".utf8) + [0]

  init(vaultKey: borrowing SecretBytes, vaultID: [UInt8]) throws {
    fieldKey = try KeyDerivation.subkey(of: vaultKey, id: 1, context: "rdpvault")
    indexKey = try KeyDerivation.subkey(of: vaultKey, id: 2, context: "rdpvault")
    rowSetKey = try KeyDerivation.subkey(of: vaultKey, id: 3, context: "rdpvault")
    self.vaultID = vaultID
    recordPrefixes = StoredTable.allCases.map {
      Self.recordLabel + vaultID + Array($0.rawValue.utf8) + [0]
    }
  }

  // MARK: Format 1: a box per field (read only, by the upgrade)

  /// Format 1 bound each box to `"rdpvault/field/v1" 0x00 ‖ vault_id ‖ table 0x00 ‖ column
  /// 0x00 ‖ row_id`.
  func associatedData(table: String, column: String, rowID: Int64) -> [UInt8] {
    Array("rdpvault/field/v1".utf8) + [0] + vaultID + Array(table.utf8) + [0] + Array(column.utf8)
      + [0] + be(rowID)
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

  /// The blind index of a normalised name: equal names give equal indexes, and nothing
  /// about the name can be learned without the vault key.
  func lookup(_ scope: String, _ normalisedName: String) throws -> Data {
    Data(try KeyedHash.hash(Array((scope + "\u{0}" + normalisedName).utf8), key: indexKey))
  }

  // MARK: Format 2: sealed records

  /// `"rdpvault/record/v2" 0x00 ‖ vault_id ‖ table 0x00 ‖ id ‖ version ‖ bound columns`.
  func recordAssociatedData(_ table: StoredTable, id: Int64, version: Int64, bound: BoundColumns)
    -> [UInt8]
  {
    var ad: [UInt8] = []
    writeRecordAssociatedData(table, id: id, version: version, into: &ad) { bound.append(to: &$0) }
    return ad
  }

  /// Empties `ad` and writes a record's associated data into it, `bound` adding the bound
  /// columns: whole-table reads reuse one buffer per worker.
  func writeRecordAssociatedData(
    _ table: StoredTable, id: Int64, version: Int64, into ad: inout [UInt8],
    bound: (inout [UInt8]) -> Void
  ) {
    ad.removeAll(keepingCapacity: true)
    ad.reserveCapacity(recordPrefixes[table.digestIndex].count + 16 + 2 * 36 + 12)
    ad.append(contentsOf: recordPrefixes[table.digestIndex])
    ad.appendBigEndian(id)
    ad.appendBigEndian(version)
    bound(&ad)
  }

  func sealRecord(
    _ plaintext: UnsafeRawBufferPointer, _ table: StoredTable, id: Int64, version: Int64,
    bound: BoundColumns
  ) throws -> Data {
    try sealRecord(
      plaintext, associatedData: recordAssociatedData(table, id: id, version: version, bound: bound)
    )
  }

  /// The same with the associated data already made (`recordAssociatedData`), which the
  /// row's row-set element is computed from too.
  func sealRecord(
    _ plaintext: UnsafeRawBufferPointer, associatedData ad: [UInt8]
  ) throws -> Data {
    Data(
      try SecretBox.seal(
        plaintext, additionalData: ad, key: fieldKey, nonce: Random.bytes(SecretBox.nonceLength)))
  }

  /// Opens a record in place and hands its plaintext to `body`; a box that does not open is
  /// reported as tampering with that table.
  func openRecord<T>(
    _ box: UnsafeRawBufferPointer?, _ table: StoredTable, id: Int64, version: Int64,
    bound: BoundColumns,
    _ body: (UnsafeRawBufferPointer) throws -> T
  ) throws -> T {
    guard let box else {
      throw VaultError.corrupt(detail: "\(table.rawValue) has a row without its record")
    }
    let ad = recordAssociatedData(table, id: id, version: version, bound: bound)
    let plaintext: [UInt8]
    do {
      plaintext = try ad.withUnsafeBytes {
        try SecretBox.open(box, additionalData: $0, key: fieldKey)
      }
    } catch {
      throw VaultError.tampered(table: table.rawValue, column: "record")
    }
    return try plaintext.withUnsafeBytes(body)
  }

  /// Opens a record into `out` (exactly its plaintext) under associated data already made:
  /// whole-table reads make it once per row, for the row-set element too.
  func openRecord(
    _ box: UnsafeRawBufferPointer, associatedData: UnsafeRawBufferPointer,
    into out: UnsafeMutableRawBufferPointer
  ) throws {
    try SecretBox.open(box, additionalData: associatedData, key: fieldKey, into: out)
  }

  func openRecord<T>(
    _ box: Data?, _ table: StoredTable, id: Int64, version: Int64, bound: BoundColumns,
    _ body: (UnsafeRawBufferPointer) throws -> T
  ) throws -> T {
    guard let box else {
      return try openRecord(
        UnsafeRawBufferPointer?.none, table, id: id, version: version, bound: bound, body)
    }
    return try box.withUnsafeBytes {
      try openRecord($0, table, id: id, version: version, bound: bound, body)
    }
  }

  /// Opens a record that holds secrets straight into guarded memory.
  func openSecretRecord(
    _ box: Data?, _ table: StoredTable, id: Int64, version: Int64, bound: BoundColumns
  ) throws -> SecretBytes {
    guard let box else {
      throw VaultError.corrupt(detail: "\(table.rawValue) has a row without its record")
    }
    do {
      return try SecretBox.openSecret(
        [UInt8](box),
        additionalData: recordAssociatedData(table, id: id, version: version, bound: bound),
        key: fieldKey)
    } catch {
      throw VaultError.tampered(table: table.rawValue, column: "record")
    }
  }

  /// Opens a secret record into the spare capacity of `out` (a bundle payload).
  func openSecretRecord(
    _ box: Data, _ table: StoredTable, id: Int64, version: Int64, bound: BoundColumns,
    appendingTo out: inout SecretBytes
  ) throws {
    do {
      try SecretBox.openSecret(
        [UInt8](box),
        additionalData: recordAssociatedData(table, id: id, version: version, bound: bound),
        key: fieldKey,
        appendingTo: &out)
    } catch {
      throw VaultError.tampered(table: table.rawValue, column: "record")
    }
  }

  /// One row's element of its table's row-set digest: BLAKE2b keyed with the row-set key
  /// over `table 0x00 ‖ id ‖ version ‖ bound columns` (as in the record's associated data), so
  /// a changed index or link changes the digest even where nothing opens the record.
  func rowElement(_ table: StoredTable, id: Int64, version: Int64, bound: BoundColumns) throws
    -> [UInt8]
  {
    try rowElement(
      ofAssociatedData: recordAssociatedData(table, id: id, version: version, bound: bound))
  }

  /// The same from the record's associated data, already made (it is sealed with it too).
  func rowElement(ofAssociatedData ad: [UInt8]) throws -> [UInt8] {
    var element = [UInt8](repeating: 0, count: 32)
    try ad.withUnsafeBytes { ad in
      try element.withUnsafeMutableBytes { try rowElement(ofAssociatedData: ad, into: $0) }
    }
    return element
  }

  /// The row-set element of the row whose record's associated data is `ad`: the message is
  /// that data after `"rdpvault/record/v2" 0x00 ‖ vault_id`.
  func rowElement(
    ofAssociatedData ad: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer
  )
    throws
  {
    try KeyedHash.hash(
      UnsafeRawBufferPointer(rebasing: ad[(Self.recordLabel.count + vaultID.count)...]),
      key: rowSetKey, into: out)
  }

  static let rowSetLength = 32 * StoredTable.allCases.count

  func sealRowSet(_ digests: [UInt8]) throws -> Data {
    Data(
      try SecretBox.seal(
        digests, additionalData: Array("rdpvault/rowset/v2".utf8) + [0] + vaultID, key: fieldKey))
  }

  func openRowSet(_ box: Data?) throws -> [UInt8] {
    guard let box else { throw VaultError.corrupt(detail: "the header has no row-set digest") }
    do {
      let digests = try SecretBox.open(
        [UInt8](box), additionalData: Array("rdpvault/rowset/v2".utf8) + [0] + vaultID,
        key: fieldKey)
      guard digests.count == Self.rowSetLength else {
        throw VaultError.corrupt(detail: "the row-set digest has the wrong size")
      }
      return digests
    } catch let error as VaultError {
      throw error
    } catch {
      throw VaultError.tampered(table: "vault_header", column: "row_digests")
    }
  }
}
