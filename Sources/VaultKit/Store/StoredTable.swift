import Foundation
import GRDB

/// The tables of a format-2 vault. Each row is `id`, `version`, the clear columns a lookup
/// needs, and one sealed `record`; the record's associated data binds it to the vault, the
/// table, the row id, the version and every clear column, so changing any of them, or moving
/// a record to another row, makes it fail to open.
enum StoredTable: String, CaseIterable, Sendable {
  case profiles, accounts
  case accountSecrets = "account_secrets"
  case identity, teammates
  case seenBundles = "seen_bundles"
  case senderSequences = "sender_sequences"

  /// The position of this table's digest in the header's row-set digests.
  var digestIndex: Int { Self.allCases.firstIndex(of: self)! }

  /// The clear columns a record of this table is bound to, in `BoundColumns` order.
  var boundColumns: [BoundColumn] {
    switch self {
    case .profiles: [.lookup, .accountID]
    case .accounts, .seenBundles, .senderSequences: [.lookup]
    case .teammates: [.lookup, .keyLookup]
    case .accountSecrets, .identity: []
    }
  }

  var boundColumnNames: [String] { boundColumns.map(\.rawValue) }

  /// `, col, col` to append to a SELECT of id and version.
  var boundSelection: String { boundColumnNames.map { ", " + $0 }.joined() }

  /// `INSERT` of id, version, record, then the bound columns (made once per table).
  var insertSQL: String { Self.insertSQLs[digestIndex] }
  /// `UPDATE` of version, record and the bound columns, `WHERE id = ? AND version = ?`.
  var updateSQL: String { Self.updateSQLs[digestIndex] }

  private static let insertSQLs = allCases.map { table in
    let names = ["id", "version", "record"] + table.boundColumnNames
    return
      "INSERT INTO \(table.rawValue) (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))"
  }

  private static let updateSQLs = allCases.map { table in
    let assignments = (["version", "record"] + table.boundColumnNames).map { "\($0) = ?" }.joined(
      separator: ", ")
    return "UPDATE \(table.rawValue) SET \(assignments) WHERE id = ? AND version = ?"
  }

  /// A row as `SealedRow` reads it: id, version, the bound columns, the record.
  var selection: String { "SELECT id, version\(boundSelection), record FROM \(rawValue)" }

  /// The bound columns of a row selected with `boundSelection`, starting at `index`.
  func bound(_ row: Row, from index: Int) throws -> BoundColumns {
    var bound = BoundColumns()
    for (offset, column) in boundColumns.enumerated() {
      switch column {
      case .lookup: bound.lookup = try row.blob(index + offset, table: rawValue)
      case .keyLookup: bound.keyLookup = try row.blob(index + offset, table: rawValue)
      case .accountID: bound.accountID = try row.integer(index + offset, table: rawValue)
      }
    }
    return bound
  }
}

/// A clear column a record can be bound to, by its SQL name.
enum BoundColumn: String, Sendable {
  case lookup
  case keyLookup = "key_lookup"
  case accountID = "account_id"
}

/// The clear columns of a row that its record is bound to.
struct BoundColumns: Equatable, Sendable {
  var lookup: Data?
  var keyLookup: Data?
  var accountID: Int64?

  static let none = BoundColumns()

  /// The value of one column, as SQLite stores it (NULL when absent).
  func value(of column: BoundColumn) -> (any DatabaseValueConvertible)? {
    switch column {
    case .lookup: lookup
    case .keyLookup: keyLookup
    case .accountID: accountID
    }
  }

  /// `u32 length ‖ bytes` per column, in this order, an absent one as length 0xFFFFFFFF.
  func append(to ad: inout [UInt8]) {
    func withBytes(_ data: Data?, _ body: (UnsafeRawBufferPointer?) -> Void) {
      guard let data else { return body(nil) }
      data.withUnsafeBytes { body($0) }
    }
    withBytes(lookup) { lookup in
      withBytes(keyLookup) { keyLookup in
        Self.append(lookup: lookup, keyLookup: keyLookup, accountID: accountID, to: &ad)
      }
    }
  }

  /// The same from bytes in place (the rows of a whole-table read).
  static func append(
    lookup: UnsafeRawBufferPointer?, keyLookup: UnsafeRawBufferPointer?, accountID: Int64?,
    to ad: inout [UInt8]
  ) {
    func column(_ bytes: UnsafeRawBufferPointer?) {
      guard let bytes else { return ad.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF]) }
      ad.appendBigEndian(UInt32(bytes.count))
      ad.append(contentsOf: bytes)
    }
    column(lookup)
    column(keyLookup)
    if let accountID {
      ad.appendBigEndian(UInt32(8))
      ad.appendBigEndian(accountID)
    } else {
      column(nil)
    }
  }
}
