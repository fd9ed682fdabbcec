import Foundation
import GRDB
import GRDBSQLite

/// Rows new to the vault (version 1, never a change), collected during a write and inserted
/// together: their records are sealed and their row-set elements computed on every core. They
/// are inserted table by table, the linked-to first (accounts, then their secrets and the
/// profiles), each in the order of its row ids: random ids inserted in order touch SQLite's
/// pages in order, a third faster. Until `insert`, the database does not hold them: insert
/// before reading anything they could be.
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

  /// Rows that others link to come first (a profile and a secret name an account).
  private static func rank(_ table: StoredTable) -> Int {
    switch table {
    case .accounts: 0
    case .accountSecrets: 1
    case .profiles: 2
    case .identity, .teammates, .seenBundles, .senderSequences: 3
    }
  }

  var rowsInInsertOrder: [Row] {
    rows.sorted { (Self.rank($0.table), $0.id) < (Self.rank($1.table), $1.id) }
  }
}

extension Vault {
  /// Seals and inserts the rows of `pending`, then empties it. `secrets` is the guarded
  /// memory that `.secret` rows point into.
  func insert(_ db: Database, _ pending: inout NewRows, secrets: UnsafeRawBufferPointer) throws {
    guard !pending.isEmpty else { return }
    let rows = Unchecked(pending.rowsInInsertOrder)
    let memory = Unchecked(secrets)
    let keys = Unchecked(keys)
    let statements = InsertStatements(db)
    // Sealed on the other cores while this thread inserts the rows already sealed: the
    // sealing and SQLite's inserts take about as long.
    try Parallel.pipeline(
      rows.value.count,
      produce: { index -> (record: Data, element: [UInt8]) in
        let row = rows.value[index]
        let ad = keys.value.recordAssociatedData(
          row.table, id: row.id, version: 1, bound: row.bound)
        let record: Data
        switch row.plaintext {
        case .record(let encode):
          record = try encode().withUnsafeBytes {
            try keys.value.sealRecord($0, associatedData: ad)
          }
        case .secret(let range):
          guard range.lowerBound >= 0, range.upperBound <= memory.value.count else {
            throw VaultError.corrupt(detail: "a secret lies outside its memory")
          }
          record = try keys.value.sealRecord(
            UnsafeRawBufferPointer(rebasing: memory.value[range]), associatedData: ad)
        }
        return (record, try keys.value.rowElement(ofAssociatedData: ad))
      },
      consume: { index, sealed in
        try statements.insert(rows.value[index], record: sealed.record)
        addToRowSet(rows.value[index].table, element: sealed.element)
      })
    pending.removeAll()
  }
}

/// Each table's INSERT, prepared on the connection for one `Vault.insert` and finalized
/// after it: SQLite's own binding calls, because a bundle import inserts tens of thousands of
/// rows and boxing each value for GRDB showed in its profile. Kept apart from GRDB's
/// statement cache, whose statements GRDB binds and resets itself.
private final class InsertStatements {
  private let db: Database
  private var handles: [StoredTable: OpaquePointer] = [:]

  init(_ db: Database) { self.db = db }

  deinit { for handle in handles.values { sqlite3_finalize(handle) } }

  private func check(_ code: Int32, done: Int32 = SQLITE_OK) throws {
    guard code == done else {
      throw DatabaseError(
        resultCode: ResultCode(rawValue: code),
        message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
    }
  }

  private func handle(_ table: StoredTable) throws -> OpaquePointer {
    if let handle = handles[table] { return handle }
    var handle: OpaquePointer?
    try check(sqlite3_prepare_v2(db.sqliteConnection, table.insertSQL, -1, &handle, nil))
    guard let handle else { throw VaultError.database(detail: "SQLite prepared no statement") }
    handles[table] = handle
    return handle
  }

  func insert(_ row: NewRows.Row, record: Data) throws {
    let handle = try handle(row.table)
    defer {
      sqlite3_reset(handle)
      sqlite3_clear_bindings(handle)
    }
    func bind(_ index: Int32, _ bytes: Data?) throws {
      guard let bytes else { return try check(sqlite3_bind_null(handle, index)) }
      // SQLITE_TRANSIENT: SQLite copies the bytes before this returns.
      try bytes.withUnsafeBytes {
        try check(
          sqlite3_bind_blob(
            handle, index, $0.baseAddress, Int32($0.count),
            unsafeBitCast(-1, to: sqlite3_destructor_type.self)))
      }
    }
    try check(sqlite3_bind_int64(handle, 1, row.id))
    try check(sqlite3_bind_int64(handle, 2, 1))
    try bind(3, record)
    for (offset, column) in row.table.boundColumns.enumerated() {
      let index = Int32(4 + offset)
      switch column {
      case .lookup: try bind(index, row.bound.lookup)
      case .keyLookup: try bind(index, row.bound.keyLookup)
      case .accountID:
        if let id = row.bound.accountID {
          try check(sqlite3_bind_int64(handle, index, id))
        } else {
          try check(sqlite3_bind_null(handle, index))
        }
      }
    }
    try check(sqlite3_step(handle), done: SQLITE_DONE)
  }
}
