import Foundation
import GRDB

/// Rows new to the vault (version 1, never a change), collected during a write and inserted
/// together: their records are sealed and their row-set elements computed on every core. They
/// are inserted in the order added, so add a row after the rows it links to. Until `insert`,
/// the database does not hold them: insert before reading anything they could be.
struct NewRows {
  enum Plaintext {
    /// A record encoded when it is sealed.
    case record(() throws -> [UInt8])
    /// A secret: these bytes of the guarded memory handed to `insert`.
    case secret(Range<Int>)
  }

  struct Row {
    var table: StoredTable
    var id: Int64
    var bound: BoundColumns
    var plaintext: Plaintext
  }

  private(set) var rows: [Row] = []

  var isEmpty: Bool { rows.isEmpty }

  mutating func add(_ table: StoredTable, id: Int64, bound: BoundColumns, _ plaintext: Plaintext) {
    rows.append(Row(table: table, id: id, bound: bound, plaintext: plaintext))
  }

  mutating func removeAll() { rows.removeAll(keepingCapacity: true) }
}

extension Vault {
  /// Seals and inserts the rows of `pending`, then empties it. `secrets` is the guarded
  /// memory that `.secret` rows point into.
  func insert(_ db: Database, _ pending: inout NewRows, secrets: UnsafeRawBufferPointer) throws {
    guard !pending.isEmpty else { return }
    let rows = Unchecked(pending.rows)
    let memory = Unchecked(secrets)
    let keys = keys
    let sealed = try Parallel.map(rows.value.count, minimumPerWorker: 256) {
      index -> (record: Data, element: [UInt8]) in
      let row = rows.value[index]
      let record: Data
      switch row.plaintext {
      case .record(let encode):
        record = try encode().withUnsafeBytes {
          try keys.sealRecord($0, row.table, id: row.id, version: 1, bound: row.bound)
        }
      case .secret(let range):
        guard range.lowerBound >= 0, range.upperBound <= memory.value.count else {
          throw VaultError.corrupt(detail: "a secret lies outside its memory")
        }
        record = try keys.sealRecord(
          UnsafeRawBufferPointer(rebasing: memory.value[range]), row.table, id: row.id,
          version: 1, bound: row.bound)
      }
      return (record, try keys.rowElement(row.table, id: row.id, version: 1, bound: row.bound))
    }
    for (row, sealed) in zip(rows.value, sealed) {
      let statement = try db.cachedStatement(sql: row.table.insertSQL)
      try statement.execute(
        arguments: StatementArguments(
          [row.id, 1 as Int64, sealed.record] + row.table.boundColumns.map(row.bound.value(of:))))
      addToRowSet(row.table, element: sealed.element)
    }
    pending.removeAll()
  }
}
