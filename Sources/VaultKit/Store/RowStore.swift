import Foundation
import GRDB
import VaultCrypto

/// Writing rows of a format-2 vault: every insert, update and delete goes through here, so
/// each one also moves its table's row-set digest, which `write` seals into the header in the
/// same transaction.
extension Vault {
  /// One write transaction (IMMEDIATE, so parallel commands wait for each other). With
  /// `rollback` everything is undone at the end: a dry run.
  func write<T>(rollback: Bool = false, _ body: (Database) throws -> T) throws -> T {
    settlePreread()
    return try VaultStore.guarded {
      try writer.writeWithoutTransaction { db in
        var result: T?
        try db.inTransaction(.immediate) {
          rowSetDelta = [UInt8](repeating: 0, count: VaultKeys.rowSetLength)
          result = try body(db)
          if rollback { return .rollback }
          try flushRowSet(db)
          return .commit
        }
        return result!
      }
    }
  }

  func read<T>(_ body: (Database) throws -> T) throws -> T {
    settlePreread()
    return try VaultStore.guarded { try writer.read(body) }
  }

  /// Waits for the rows still being read ahead (never while holding the database, which
  /// that read needs) and adds them to the rest; all are dropped when the file changed.
  private func settlePreread() {
    guard let rest = restOfPreread, let chunks = finish(rest) else { return }
    // The partial table's chunks no command took join its first rows (gone when a
    // command took those early, and with them the rest).
    if let table = rest.table, !chunks.isEmpty { preread?.batches[table]?.append(chunks) }
  }

  /// Waits for the rest read ahead and adds the tables it read whole; returns the partial
  /// table's chunks no command took, or nil (and drops everything read ahead) when the file
  /// changed or a read failed.
  private func finish(_ rest: RestOfPreread) -> [SealedRowBatch]? {
    restOfPreread = nil
    guard let (chunks, more) = rest.wait() else {
      preread = nil
      return nil
    }
    preread?.batches.merge(more) { _, later in later }
    if preread?.batches.isEmpty == true { preread = nil }
    return chunks
  }

  /// A table read whole while the key was derived, opened by `open` now, before `read` or
  /// `write` waits for the rest of the rows read ahead. Its outcome counts only in a
  /// transaction where `EarlyRows.isCurrent`; nil when the table is not here whole.
  func openEarly<T>(_ table: StoredTable, _ open: (SealedRowBatch) throws -> T) -> EarlyRows<T>? {
    guard let rows = preread, let batch = rows.batches[table], batch.complete else { return nil }
    dropPreread(table)
    return EarlyRows(
      dataVersion: rows.dataVersion, changes: rows.changes, outcome: Result { try open(batch) })
  }

  /// The same for a table read ahead in part: its first rows are opened now, and the rest
  /// chunk by chunk as the other thread reads them, each with `open` (so the reading and the
  /// opening overlap). Nil when the table is not here, or when its rest could not be read
  /// or the file changed meanwhile.
  func openEarlyInChunks<T>(_ table: StoredTable, _ open: (SealedRowBatch) throws -> T)
    -> EarlyRows<[T]>?
  {
    guard let rows = preread, let first = rows.batches[table] else { return nil }
    if first.complete { return openEarly(table) { [try open($0)] } }
    guard let rest = restOfPreread, rest.table == table else { return nil }
    dropPreread(table)
    let outcome = Result {
      var values = [try open(first)]
      while let chunk = rest.nextChunk() { values.append(try open(chunk)) }
      return values
    }
    // The chunks are good only if the whole rest was read from the same file.
    guard finish(rest) != nil else { return nil }
    return EarlyRows(dataVersion: rows.dataVersion, changes: rows.changes, outcome: outcome)
  }

  /// A table read ahead is used once; with the last, nothing is left ahead.
  private func dropPreread(_ table: StoredTable) {
    preread?.batches[table] = nil
    if preread?.batches.isEmpty == true && restOfPreread == nil { preread = nil }
  }

  /// Every row of `table`: the rows read while the key was derived when the file has not
  /// changed since, else read now.
  func wholeTable(_ db: Database, _ table: StoredTable) throws -> SealedRowBatch {
    // Never waited for here: the read under way waits for this transaction.
    if restOfPreread == nil, var rows = preread, var batch = rows.batches.removeValue(forKey: table)
    {
      preread = rows.batches.isEmpty ? nil : rows
      if try rows.isCurrent(db) {
        if !batch.complete {
          try batch.readRest(db)
        }
        return batch
      }
    }
    return try SealedRowBatch.fetchAll(db, table)
  }

  /// The next version of a row: clear counters come from the file, so they are checked.
  static func nextVersion(after version: Int64?) throws -> Int64 {
    let (next, overflow) = (version ?? 0).addingReportingOverflow(1)
    guard !overflow, next > 0 else {
      throw VaultError.corrupt(detail: "a row has an impossible version")
    }
    return next
  }

  private func note(_ table: StoredTable, id: Int64, version: Int64, bound: BoundColumns) throws {
    addToRowSet(table, element: try keys.rowElement(table, id: id, version: version, bound: bound))
  }

  /// Moves the table's row-set digest by one row's element (a row added or removed).
  func addToRowSet(_ table: StoredTable, element: [UInt8]) {
    let base = table.digestIndex * 32
    for index in 0..<32 { rowSetDelta[base + index] ^= element[index] }
  }

  private func flushRowSet(_ db: Database) throws {
    guard rowSetDelta.contains(where: { $0 != 0 }) else { return }
    var digests = try storedRowSet(db)
    for index in digests.indices { digests[index] ^= rowSetDelta[index] }
    try db.execute(
      sql: "UPDATE vault_header SET row_digests = ? WHERE id = 1",
      arguments: [try keys.sealRowSet(digests)])
  }

  func storedRowSet(_ db: Database) throws -> [UInt8] {
    let box = try Row.fetchOne(db, sql: "SELECT row_digests FROM vault_header WHERE id = 1").map {
      try $0.blob(0, table: "vault_header")
    }
    return try keys.openRowSet(box ?? nil)
  }

  /// Recomputes the row-set digest of each table from its rows and compares it with the
  /// sealed one: a deleted, added or rolled-back row shows up here.
  func checkRowSet(_ db: Database, _ tables: [StoredTable]) throws {
    let stored = try storedRowSet(db)
    for table in tables {
      var digest = [UInt8](repeating: 0, count: 32)
      let rows = try Row.fetchCursor(
        db, sql: "SELECT id, version\(table.boundSelection) FROM \(table.rawValue)")
      while let row = try rows.next() {
        let element = try keys.rowElement(
          table, id: try row.integer(0, table: table.rawValue),
          version: try row.integer(1, table: table.rawValue),
          bound: try table.bound(row, from: 2))
        for index in 0..<32 { digest[index] ^= element[index] }
      }
      try Self.checkDigest(digest, table, stored: stored)
    }
  }

  static func checkDigest(_ digest: [UInt8], _ table: StoredTable, stored: [UInt8]) throws {
    let base = table.digestIndex * 32
    guard constantTimeEquals(digest, Array(stored[base..<base + 32])) else {
      throw VaultError.rowSetMismatch(table: table.rawValue)
    }
  }

  /// Inserts a row (`previousVersion` nil) or replaces one, sealing `plaintext` as its record.
  func putRow(
    _ db: Database, _ table: StoredTable, id: Int64, version: Int64, previousVersion: Int64?,
    bound: BoundColumns,
    plaintext: UnsafeRawBufferPointer
  ) throws {
    let record = try keys.sealRecord(plaintext, table, id: id, version: version, bound: bound)
    let boundValues = table.boundColumns.map(bound.value(of:))
    if let previousVersion {
      // What the row was bound to before, for its old row-set element.
      var oldBound: BoundColumns?
      if !table.boundColumnNames.isEmpty,
        let row = try Row.fetchOne(
          db.cachedStatement(
            sql: "SELECT id, version\(table.boundSelection) FROM \(table.rawValue) WHERE id = ?"),
          arguments: [id])
      {
        oldBound = try table.bound(row, from: 2)
      }
      let statement = try db.cachedStatement(sql: table.updateSQL)
      try statement.execute(
        arguments: StatementArguments([version, record] + boundValues + [id, previousVersion]))
      guard db.changesCount == 1 else {
        throw VaultError.corrupt(detail: "\(table.rawValue) changed under this command")
      }
      try note(table, id: id, version: previousVersion, bound: oldBound ?? bound)
    } else {
      let statement = try db.cachedStatement(sql: table.insertSQL)
      try statement.execute(arguments: StatementArguments([id, version, record] + boundValues))
    }
    try note(table, id: id, version: version, bound: bound)
  }

  func putRow(
    _ db: Database, _ table: StoredTable, id: Int64, version: Int64, previousVersion: Int64?,
    bound: BoundColumns,
    plaintext: [UInt8]
  ) throws {
    try plaintext.withUnsafeBytes {
      try putRow(
        db, table, id: id, version: version, previousVersion: previousVersion, bound: bound,
        plaintext: $0)
    }
  }

  /// Deletes a row if it is there; returns whether it was.
  @discardableResult
  func deleteRow(_ db: Database, _ table: StoredTable, id: Int64) throws -> Bool {
    guard
      let row = try Row.fetchOne(
        db, sql: "SELECT version\(table.boundSelection) FROM \(table.rawValue) WHERE id = ?",
        arguments: [id])
    else { return false }
    let version = try row.integer(0, table: table.rawValue)
    let bound = try table.bound(row, from: 1)
    try db.execute(sql: "DELETE FROM \(table.rawValue) WHERE id = ?", arguments: [id])
    try note(table, id: id, version: version, bound: bound)
    return true
  }
}

/// What `Vault.openEarly` made of rows read ahead, and when they were read.
struct EarlyRows<T> {
  let dataVersion: Int64
  let changes: Int
  let outcome: Result<T, Error>

  /// The rows are still the file's in the transaction of `db`.
  func isCurrent(_ db: Database) throws -> Bool {
    try Preread.isCurrent(db, dataVersion: dataVersion, changes: changes)
  }
}
