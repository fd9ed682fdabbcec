import Foundation
import GRDB
import GRDBSQLite
import VaultCrypto

/// One row of a format-2 table as read from the file: id, version, the clear columns its
/// record is bound to, and the sealed record (nil for NULL).
struct SealedRow {
  var id: Int64
  var version: Int64
  var bound: BoundColumns
  var record: UnsafeRawBufferPointer?

  /// A row of `table.selection` read through GRDB (the one-row lookups), record in place.
  static func with<T>(_ row: Row, _ table: StoredTable, _ body: (SealedRow) throws -> T) throws -> T
  {
    let id = try row.integer(0, table: table.rawValue)
    let version = try row.integer(1, table: table.rawValue)
    let bound = try table.bound(row, from: 2)
    return try row.withBlob(2 + table.boundColumnNames.count, table: table.rawValue) { data in
      guard let data else {
        return try body(SealedRow(id: id, version: version, bound: bound, record: nil))
      }
      return try data.withUnsafeBytes {
        try body(SealedRow(id: id, version: version, bound: bound, record: $0))
      }
    }
  }
}

/// Every row of a table, read in one pass straight from SQLite into one buffer, then opened
/// on every core. `list`, `export` and `verify` read whole tables; per-row GRDB values cost
/// more than the decryption. Opening also recomputes the table's row-set digest, so a
/// deleted or rolled-back row is found in the same pass.
struct SealedRowBatch {
  let table: StoredTable
  private var arena: [UInt8] = []
  private var rows: [Entry] = []

  private struct Entry {
    var id: Int64
    var version: Int64
    var accountID: Int64?
    var lookup: Range<Int>?
    var keyLookup: Range<Int>?
    var record: Range<Int>?
  }

  var count: Int { rows.count }
  /// False when `fetch` stopped at its memory budget; `lastID` is where to go on.
  private(set) var complete = true
  private(set) var lastID: Int64?
  /// The memory the rows use (what a budget counts: capacity reserved and never written is
  /// not resident).
  var byteSize: Int { arena.count + rows.count * MemoryLayout<Entry>.stride }

  /// Reads every row of `table` (`table.selection`).
  static func fetchAll(_ db: Database, _ table: StoredTable) throws -> SealedRowBatch {
    var batch = SealedRowBatch(table: table)
    try batch.read(db, budget: nil)
    return batch
  }

  /// Reads the rows of `table` in id order until they hold `budget` bytes (then `complete`
  /// is false, and `readRest` reads the others).
  static func fetch(_ db: Database, _ table: StoredTable, budget: Int) throws -> SealedRowBatch {
    var batch = SealedRowBatch(table: table)
    // Both arrays are reserved up front for the whole budget and never grow (an array that
    // doubles would copy, and hold up to twice the budget). Reserved pages are resident
    // only once written, so it is what the rows use that is held to the budget, whatever
    // the split between the rows' entries and their bytes.
    batch.rows.reserveCapacity(max(1, budget / MemoryLayout<Entry>.stride))
    batch.arena.reserveCapacity(budget)
    try batch.read(db, budget: budget)
    return batch
  }

  /// The rows of `table` after `lastID` (where a budgeted `fetch` or the chunk before
  /// stopped), up to `budget` bytes but at least one row: the rest of a table read ahead,
  /// handed over a chunk at a time (`RestOfPreread`).
  static func chunk(
    _ table: StoredTable, after lastID: Int64?, budget: Int, _ db: Database
  ) throws -> SealedRowBatch {
    var chunk = SealedRowBatch(table: table)
    chunk.lastID = lastID
    chunk.rows.reserveCapacity(max(1, budget / MemoryLayout<Entry>.stride))
    chunk.arena.reserveCapacity(budget)
    try chunk.read(db, budget: budget, atLeastOneRow: true)
    return chunk
  }

  /// Adds the rows of `chunks` (each read after the one before, the first after these).
  mutating func append(_ chunks: [SealedRowBatch]) {
    guard let last = chunks.last else { return }
    rows.reserveCapacity(rows.count + chunks.reduce(0) { $0 + $1.rows.count })
    arena.reserveCapacity(arena.count + chunks.reduce(0) { $0 + $1.arena.count })
    for chunk in chunks {
      precondition(chunk.table == table)
      let base = arena.count
      func moved(_ range: Range<Int>?) -> Range<Int>? {
        range.map { ($0.lowerBound + base)..<($0.upperBound + base) }
      }
      arena += chunk.arena
      for var entry in chunk.rows {
        entry.lookup = moved(entry.lookup)
        entry.keyLookup = moved(entry.keyLookup)
        entry.record = moved(entry.record)
        rows.append(entry)
      }
    }
    complete = last.complete
    lastID = last.lastID
  }

  /// Reads the rows after those here (a budgeted `fetch`), into the same arrays: room for
  /// them is reserved first, guessed from the rows here, since an array that doubles
  /// copies itself (and faults its new pages in) each time.
  mutating func readRest(_ db: Database) throws {
    if !rows.isEmpty,
      let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.rawValue)")
    {
      let more = max(0, total - rows.count)
      let room = more + more / 16
      rows.reserveCapacity(rows.count + room)
      arena.reserveCapacity(arena.count + arena.count / rows.count * room)
    }
    try read(db, budget: nil)
  }

  /// Reads the rows after `lastID` (all of them when nil) in id order, until the batch
  /// would use more than `budget` bytes.
  private mutating func read(_ db: Database, budget: Int?, atLeastOneRow: Bool = false) throws {
    complete = true
    let statement = try db.makeStatement(
      sql: table.selection + (lastID == nil ? "" : " WHERE id > ?") + " ORDER BY id")
    if let lastID { statement.arguments = [lastID] }
    let columns = table.boundColumns
    // The blob columns (indexes, record) are what the arena holds. Only these are sized:
    // sqlite3_column_bytes on an integer column converts it to text, after which its type
    // is undefined.
    let blobColumns =
      columns.enumerated().filter { $0.element != .accountID }.map { Int32(2 + $0.offset) }
      + [Int32(2 + columns.count)]
    let stride = MemoryLayout<Entry>.stride
    let cursor = try Row.fetchCursor(statement)
    let handle = statement.sqliteStatement
    let name = table.rawValue
    while try cursor.next() != nil {
      // The row is kept only if it fits; else it is read again later (after `lastID`, the
      // row before it).
      if let budget, !(atLeastOneRow && rows.isEmpty) {
        let bytes = blobColumns.reduce(0) { $0 + Int(sqlite3_column_bytes(handle, $1)) }
        if byteSize + stride + bytes > budget {
          complete = false
          break
        }
      }
      var entry = Entry(
        id: try Self.integer(handle, 0, name), version: try Self.integer(handle, 1, name))
      for (offset, column) in columns.enumerated() {
        switch column {
        case .accountID: entry.accountID = try Self.integer(handle, Int32(2 + offset), name)
        case .keyLookup: entry.keyLookup = try blob(handle, Int32(2 + offset), name)
        case .lookup: entry.lookup = try blob(handle, Int32(2 + offset), name)
        }
      }
      entry.record = try blob(handle, Int32(2 + columns.count), name)
      rows.append(entry)
      lastID = entry.id
    }
  }

  private static func integer(_ handle: OpaquePointer, _ column: Int32, _ table: String) throws
    -> Int64
  {
    guard sqlite3_column_type(handle, column) == SQLITE_INTEGER else {
      throw VaultError.corrupt(detail: "\(table) holds a value of the wrong type")
    }
    return sqlite3_column_int64(handle, column)
  }

  /// Copies a blob column into the arena; nil for NULL.
  private mutating func blob(_ handle: OpaquePointer, _ column: Int32, _ table: String) throws
    -> Range<Int>?
  {
    switch sqlite3_column_type(handle, column) {
    case SQLITE_NULL: return nil
    case SQLITE_BLOB:
      let start = arena.count
      let length = Int(sqlite3_column_bytes(handle, column))
      if length > 0, let bytes = sqlite3_column_blob(handle, column) {
        arena.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: length))
      }
      return start..<arena.count
    default: throw VaultError.corrupt(detail: "\(table) holds a value of the wrong type")
    }
  }

  /// Hands each row, still sealed, to `transform` on every core (`verify`, which opens each
  /// record itself and reports every damaged row). Returns the results in row order (or the
  /// first error, in row order) with the table's recomputed row-set digest, which is whole
  /// even when a row failed: a changed row set is the better report of what happened.
  func open<T>(keys: VaultKeys, _ transform: (SealedRow) throws -> T) throws -> (
    values: Result<[T], Error>, digest: [UInt8]
  ) {
    let (values, _, digest) = try eachRow(keys: keys, worker: { _ in () }) { _, row, _ in
      try transform(row.sealed)
    }
    return (values, digest)
  }

  /// Opens each record on every core into its worker's scratch memory and hands it to
  /// `transform` with the worker's own state (`worker(index)` makes it): nothing is allocated
  /// per row but what `transform` makes. Never for `account_secrets`, whose records are
  /// opened only into guarded memory. Results, states in worker order, and the digest.
  func openRecords<Worker, T>(
    keys: VaultKeys, worker: (Int) -> Worker, _ transform: (inout Worker, OpenedRow) throws -> T
  ) throws -> (values: Result<[T], Error>, workers: [Worker], digest: [UInt8]) {
    precondition(table != .accountSecrets, "passwords are opened only into guarded memory")
    return try eachRow(keys: keys, worker: worker) { state, row, plaintext in
      guard let box = row.record else {
        throw VaultError.corrupt(detail: "\(table.rawValue) has a row without its record")
      }
      guard box.count >= SecretBox.overhead else {
        throw VaultError.tampered(table: table.rawValue, column: "record")
      }
      let length = box.count - SecretBox.overhead
      if plaintext.count < length {
        plaintext = [UInt8](repeating: 0, count: max(length, 2 * plaintext.count, 1024))
      }
      return try plaintext.withUnsafeMutableBytes { buffer in
        let out = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length])
        do {
          try keys.openRecord(box, associatedData: row.associatedData, into: out)
        } catch {
          throw VaultError.tampered(table: table.rawValue, column: "record")
        }
        return try transform(
          &state,
          OpenedRow(
            id: row.id, version: row.version, lookup: row.lookup, accountID: row.accountID,
            plaintext: UnsafeRawBufferPointer(out)))
      }
    }
  }

  /// Opens the records of `account_secrets` whose ids are in `wanted` on every core, straight
  /// into one guarded buffer (an export of every VM carries thousands of passwords), and
  /// hands the table's row-set digest, recomputed over every row, to `checkDigest` before
  /// any row's failure is thrown. Other rows are never opened. The passwords are never in a
  /// Swift array or String.
  func openSecrets(
    keys: VaultKeys, wanted: Set<Int64>, checkDigest: ([UInt8]) throws -> Void
  ) throws -> OpenedSecrets {
    precondition(table == .accountSecrets)
    // Each wanted row's place in the buffer; a row without a record, or too short for one,
    // is reported when it is opened below.
    var slots: [Range<Int>?] = []
    slots.reserveCapacity(rows.count)
    var ranges: [Int64: Range<Int>] = [:]
    var total = 0
    for entry in rows {
      guard wanted.contains(entry.id) else {
        slots.append(nil)
        continue
      }
      let length = max(0, (entry.record?.count ?? 0) - SecretBox.overhead)
      slots.append(total..<total + length)
      ranges[entry.id] = total..<total + length
      total += length
    }
    var bytes = try SecretBytes(zeros: total)
    let (values, _, digest) = try bytes.withUnsafeMutableBytes { buffer in
      // Each row writes only its own range, checked against its box first.
      let out = Unchecked(buffer)
      return try eachRow(keys: keys, worker: { _ in () }) { _, row, _ in
        guard let range = slots[row.index] else { return }
        guard let box = row.record else {
          throw VaultError.corrupt(detail: "\(table.rawValue) has a row without its record")
        }
        guard box.count == range.count + SecretBox.overhead else {
          throw VaultError.tampered(table: table.rawValue, column: "record")
        }
        do {
          try keys.openRecord(
            box, associatedData: row.associatedData,
            into: UnsafeMutableRawBufferPointer(rebasing: out.value[range]))
        } catch {
          throw VaultError.tampered(table: table.rawValue, column: "record")
        }
      }
    }
    try checkDigest(digest)
    _ = try values.get()
    return OpenedSecrets(ranges: ranges, bytes: bytes)
  }

  /// What `eachRow` hands its body: a row in place, and the associated data its record was
  /// sealed with (made in the worker's scratch memory); valid for the call.
  private struct ScratchRow {
    /// Its place in the batch.
    var index: Int
    var id: Int64
    var version: Int64
    var lookup: UnsafeRawBufferPointer?
    var keyLookup: UnsafeRawBufferPointer?
    var accountID: Int64?
    var record: UnsafeRawBufferPointer?
    var associatedData: UnsafeRawBufferPointer

    /// The row as the one-row reads see it (its indexes copied).
    var sealed: SealedRow {
      SealedRow(
        id: id, version: version,
        bound: BoundColumns(
          lookup: lookup.map { Data($0) }, keyLookup: keyLookup.map { Data($0) },
          accountID: accountID),
        record: record)
    }
  }

  private func eachRow<Worker, T>(
    keys: VaultKeys, worker makeWorker: (Int) -> Worker,
    _ body: (inout Worker, ScratchRow, inout [UInt8]) throws -> T
  ) throws -> (values: Result<[T], Error>, workers: [Worker], digest: [UInt8]) {
    let workers = Parallel.workers(for: rows.count)
    let slots = WorkerSlots<(Result<[T], Error>, Worker, [UInt8])>(count: workers)
    withoutActuallyEscaping(makeWorker) { makeWorker in
      withoutActuallyEscaping(body) { body in
        // The batch and keys are only read; each worker builds values of its own.
        let batch = Unchecked(self)
        let sharedKeys = Unchecked(keys)
        let shared = Unchecked((makeWorker, body))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
          let count = batch.value.rows.count
          let range = (count * worker / workers)..<(count * (worker + 1) / workers)
          slots.set(
            worker,
            Result {
              var state = shared.value.0(worker)
              let (values, digest) = try batch.value.eachRow(
                range, keys: sharedKeys.value, state: &state, shared.value.1)
              return (values, state, digest)
            })
        }
      }
    }
    var values: [T] = []
    values.reserveCapacity(rows.count)
    var states: [Worker] = []
    var failure: Error?
    var digest = [UInt8](repeating: 0, count: 32)
    for slot in slots.values {
      let (part, state, partDigest) = try slot!.get()
      states.append(state)
      for index in 0..<32 { digest[index] ^= partDigest[index] }
      switch part {
      case .success(let part) where failure == nil: values += part
      case .failure(let error) where failure == nil: failure = error
      default: break
      }
    }
    return (failure.map { .failure($0) } ?? .success(values), states, digest)
  }

  private func eachRow<Worker, T>(
    _ range: Range<Int>, keys: VaultKeys, state: inout Worker,
    _ body: (inout Worker, ScratchRow, inout [UInt8]) throws -> T
  ) throws -> (Result<[T], Error>, [UInt8]) {
    var values: [T] = []
    values.reserveCapacity(range.count)
    var failure: Error?
    var digest = [UInt8](repeating: 0, count: 32)
    var element = [UInt8](repeating: 0, count: 32)
    var ad: [UInt8] = []
    var plaintext: [UInt8] = []
    try arena.withUnsafeBytes { arena in
      func slice(_ range: Range<Int>?) -> UnsafeRawBufferPointer? {
        range.map { UnsafeRawBufferPointer(rebasing: arena[$0]) }
      }
      for index in range {
        let entry = rows[index]
        let lookup = slice(entry.lookup)
        let keyLookup = slice(entry.keyLookup)
        keys.writeRecordAssociatedData(table, id: entry.id, version: entry.version, into: &ad) {
          BoundColumns.append(
            lookup: lookup, keyLookup: keyLookup, accountID: entry.accountID, to: &$0)
        }
        try ad.withUnsafeBytes { ad in
          try element.withUnsafeMutableBytes { try keys.rowElement(ofAssociatedData: ad, into: $0) }
          for index in 0..<32 { digest[index] ^= element[index] }
          // After a failure only the digest goes on.
          guard failure == nil else { return }
          let row = ScratchRow(
            index: index, id: entry.id, version: entry.version, lookup: lookup,
            keyLookup: keyLookup,
            accountID: entry.accountID, record: slice(entry.record), associatedData: ad)
          do {
            values.append(try body(&state, row, &plaintext))
          } catch {
            failure = error
          }
        }
      }
    }
    return (failure.map { .failure($0) } ?? .success(values), digest)
  }
}

/// The records of `account_secrets` opened by `SealedRowBatch.openSecrets`: the password of
/// account `id` is `bytes[ranges[id]]`.
struct OpenedSecrets: ~Copyable {
  let ranges: [Int64: Range<Int>]
  let bytes: SecretBytes
}

/// A record opened by `SealedRowBatch.openRecords`: its plaintext is valid for the call.
struct OpenedRow {
  var id: Int64
  var version: Int64
  var lookup: UnsafeRawBufferPointer?
  var accountID: Int64?
  var plaintext: UnsafeRawBufferPointer
}
