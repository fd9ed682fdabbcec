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

  /// The bound columns of a row selected with `boundSelection`, starting at `index`.
  func bound(_ row: Row, from index: Int) throws -> BoundColumns {
    var bound = BoundColumns()
    for (offset, name) in boundColumnNames.enumerated() {
      switch name {
      case "lookup": bound.lookup = try row.blob(index + offset, table: rawValue)
      case "key_lookup": bound.keyLookup = try row.blob(index + offset, table: rawValue)
      default: bound.accountID = try row.integer(index + offset, table: rawValue)
      }
    }
    return bound
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
    for column in [lookup.map { [UInt8]($0) }, keyLookup.map { [UInt8]($0) }, accountID.map { be($0) }] {
      guard let column else {
        ad += [0xFF, 0xFF, 0xFF, 0xFF]
        continue
      }
      ad += be(UInt32(column.count)) + column
    }
  }
}
