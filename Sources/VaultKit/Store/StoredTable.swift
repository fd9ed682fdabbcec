import Foundation

/// The tables of a format-2 vault. Each row is `id`, `version`, the clear columns a lookup
/// needs, and one sealed `record`; the record's associated data binds it to the vault, the
/// table, the row id, the version and every clear column, so changing any of them, or moving
/// a record to another row, makes it fail to open.
enum StoredTable: String, CaseIterable, Sendable {
  case profiles, accounts, accountSecrets = "account_secrets", identity, teammates
  case seenBundles = "seen_bundles", senderSequences = "sender_sequences"

  /// The position of this table's digest in the header's row-set digests.
  var digestIndex: Int { Self.allCases.firstIndex(of: self)! }
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
