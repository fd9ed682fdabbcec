import Foundation
import GRDB

/// The tables of a format-2 vault. Each row is `id`, `version`, the clear columns a lookup
/// needs, and one sealed `record`; the record's associated data binds it to the vault, the
/// table, the row id, the version and every clear column, so changing any of them, or moving
/// a record to another row, makes it fail to open.
enum StoredTable: String, CaseIterable, Sendable {
  case profiles, accounts, accountSecrets = "account_secrets", identity, teammates
  case seenBundles = "seen_bundles", senderSequences = "sender_sequences"

  /// The position of this table's digest in the header's row-set digests.
  var digestIndex: Int { Self.allCases.firstIndex(of: self)! }

  /// The clear columns a record of this table is bound to, in `BoundColumns` order.
  var boundColumnNames: [String] {
    switch self {
    case .profiles: ["lookup", "account_id"]
    case .accounts, .seenBundles, .senderSequences: ["lookup"]
    case .teammates: ["lookup", "key_lookup"]
    case .accountSecrets, .identity: []
    }
  }

  /// `, col, col` to append to a SELECT of id and version.
  var boundSelection: String { boundColumnNames.map { ", " + $0 }.joined() }

  /// `INSERT` of id, version, record, then the bound columns (made once per table).
  var insertSQL: String { Self.insertSQLs[digestIndex] }
  /// `UPDATE` of version, record and the bound columns, `WHERE id = ? AND version = ?`.
  var updateSQL: String { Self.updateSQLs[digestIndex] }

  private static let insertSQLs = allCases.map { table in
    let names = ["id", "version", "record"] + table.boundColumnNames
    return "INSERT INTO \(table.rawValue) (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))"
  }

  private static let updateSQLs = allCases.map { table in
    let assignments = (["version", "record"] + table.boundColumnNames).map { "\($0) = ?" }.joined(separator: ", ")
    return "UPDATE \(table.rawValue) SET \(assignments) WHERE id = ? AND version = ?"
  }

  /// A row as `SealedRow` reads it: id, version, the bound columns, the record.
  var selection: String { "SELECT id, version\(boundSelection), record FROM \(rawValue)" }

  /// The bound columns of a row selected with `boundSelection`, starting at `index`.
  func bound(_ row: Row, from index: Int) throws -> BoundColumns {
    switch self {
    case .profiles:
      BoundColumns(lookup: try row.blob(index, table: rawValue), accountID: try row.integer(index + 1, table: rawValue))
    case .accounts, .seenBundles, .senderSequences: BoundColumns(lookup: try row.blob(index, table: rawValue))
    case .teammates:
      BoundColumns(lookup: try row.blob(index, table: rawValue), keyLookup: try row.blob(index + 1, table: rawValue))
    case .accountSecrets, .identity: BoundColumns()
    }
  }
}

/// The clear columns of a row that its record is bound to.
struct BoundColumns: Equatable, Sendable {
  var lookup: Data?
  var keyLookup: Data?
  var accountID: Int64?

  static let none = BoundColumns()

  /// `u32 length ‖ bytes` per column, in this order, an absent one as length 0xFFFFFFFF.
  func append(to ad: inout [UInt8]) {
    func column(_ bytes: Data?) {
      guard let bytes else { return ad.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF]) }
      ad.appendBigEndian(UInt32(bytes.count))
      bytes.withUnsafeBytes { ad.append(contentsOf: $0) }
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
