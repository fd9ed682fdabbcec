import Foundation
import GRDB

/// Whole tables a command will read, named before the vault is unlocked so they can be
/// read while the key derivation runs: reading 100,000 rows from SQLite needs no key, and
/// Argon2id keeps one core busy for most of a second while the other is idle.
public struct WholeTables: OptionSet, Sendable {
  public let rawValue: Int
  public init(rawValue: Int) { self.rawValue = rawValue }

  public static let profiles = WholeTables(rawValue: 1)
  public static let accounts = WholeTables(rawValue: 2)
  public static let passwords = WholeTables(rawValue: 4)

  /// In the order they are read: the accounts first, which the commands open first (a
  /// profile's JSON needs its account), so they can be opened while the rest is read.
  var tables: [StoredTable] {
    [(Self.accounts, StoredTable.accounts), (.profiles, .profiles), (.passwords, .accountSecrets)]
      .filter { contains($0.0) }.map(\.1)
  }
}

/// Rows read ahead, with two counters of the connection at the time: SQLite's
/// `data_version` changes when another connection commits, and its total change count when
/// this one writes (even in a transaction not yet committed). Both the same later, on the same
/// connection, means the rows are still the file's. Each batch is used once.
struct Preread: @unchecked Sendable {
  var dataVersion: Int64
  var changes: Int
  var batches: [StoredTable: SealedRowBatch]

  static func dataVersion(_ db: Database) throws -> Int64 {
    try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? -1
  }

  func isCurrent(_ db: Database) throws -> Bool {
    try Self.isCurrent(db, dataVersion: dataVersion, changes: changes)
  }

  static func isCurrent(_ db: Database, dataVersion: Int64, changes: Int) throws -> Bool {
    try db.totalChangesCount == changes && Self.dataVersion(db) == dataVersion
  }

  /// What the rows read ahead may hold while Argon2id holds its own memory: the vault keeps
  /// within Argon2id's memory plus 40 MiB, and the process itself needs about 20. A bigger
  /// table is read up to this, and the rest after the key is derived.
  static let budget = 12 << 20

  /// Reads `tables` in one read transaction, up to `budget` bytes, with a small SQLite page
  /// cache (pages read once need none); nil when anything fails (the command then reads
  /// them itself and reports the failure properly).
  static func read(_ tables: [StoredTable], from reader: any DatabaseReader, budget: Int = budget)
    -> Preread?
  {
    try? reader.read { db in
      try db.execute(sql: "PRAGMA cache_size = -1024")
      defer { try? db.execute(sql: "PRAGMA cache_size = \(VaultFile.cacheSize)") }
      var batches: [StoredTable: SealedRowBatch] = [:]
      var left = budget
      for table in tables {
        let batch = try SealedRowBatch.fetch(db, table, budget: left)
        batches[table] = batch
        guard batch.complete else { break }
        // What this table did not use is the next one's.
        left -= batch.byteSize
      }
      return Preread(
        dataVersion: try dataVersion(db), changes: db.totalChangesCount, batches: batches)
    }
  }

  /// Once the key is derived, the memory budget is gone with Argon2id's memory: the rows
  /// `read` left (the rest of the table it stopped in, and the tables after it) are read on
  /// another thread while the command opens what is already here. The rest of the partial
  /// table comes a chunk at a time, so a command can open each as it arrives
  /// (`Vault.openEarlyInChunks`); the partial table stays here. Nil when nothing is left.
  func startRest(
    of tables: [StoredTable], from reader: any DatabaseReader,
    chunkBudget: Int = RestOfPreread.chunkBudget
  ) -> RestOfPreread? {
    let partial = batches.first { !$0.value.complete }.map { ($0.key, $0.value.lastID) }
    let missing = tables.filter { batches[$0] == nil }
    guard partial != nil || !missing.isEmpty else { return nil }
    let rest = RestOfPreread(table: partial?.0)
    let (dataVersion, changes) = (dataVersion, changes)
    let shared = Unchecked(reader)
    DispatchQueue.global(qos: .userInitiated).async {
      let missingBatches = try? shared.value.read { db -> [StoredTable: SealedRowBatch]? in
        if let (table, lastID) = partial {
          var after = lastID
          while true {
            let chunk = try SealedRowBatch.chunk(
              table, after: after, budget: chunkBudget, db)
            after = chunk.lastID
            let complete = chunk.complete
            rest.add(chunk)
            if complete { break }
          }
        }
        var read: [StoredTable: SealedRowBatch] = [:]
        for table in missing { read[table] = try SealedRowBatch.fetchAll(db, table) }
        // Checked after the reads, inside their transaction (as `read` does): the file
        // is then known unchanged from the first rows read ahead to the last.
        guard try Preread.isCurrent(db, dataVersion: dataVersion, changes: changes) else {
          return nil
        }
        return read
      }
      rest.finish(missingBatches ?? nil)
    }
    return rest
  }

  /// Starts `read` on another thread and returns a function that waits for its result.
  static func start(_ tables: [StoredTable], from reader: any DatabaseReader) -> () -> Preread? {
    guard !tables.isEmpty else { return { nil } }
    let slot = WorkerSlots<Preread?>(count: 1)
    let shared = Unchecked(reader)
    DispatchQueue.global(qos: .userInitiated).async {
      slot.set(0, .success(read(tables, from: shared.value)))
    }
    return { (try? slot.take(0).get()) ?? nil }
  }
}

/// What `Preread.startRest` reads on its thread: chunks of the partial table's rest, taken
/// as they come (`nextChunk`) or all at the end (`finish`), then the tables not read at all.
final class RestOfPreread: @unchecked Sendable {
  /// A chunk's bytes: small enough that the first is opened soon, big enough that a
  /// chunk's thread start-up is nothing next to its rows.
  static let chunkBudget = 4 << 20

  /// The partial table whose rest comes in chunks, if any.
  let table: StoredTable?
  private let condition = NSCondition()
  private var chunks: [SealedRowBatch] = []
  private var finished = false
  /// Nil when the file changed or a read failed.
  private var missing: [StoredTable: SealedRowBatch]?

  init(table: StoredTable?) { self.table = table }

  func add(_ chunk: SealedRowBatch) {
    condition.lock()
    chunks.append(chunk)
    condition.broadcast()
    condition.unlock()
  }

  func finish(_ missing: [StoredTable: SealedRowBatch]?) {
    condition.lock()
    self.missing = missing
    finished = true
    condition.broadcast()
    condition.unlock()
  }

  /// The next chunk of the partial table's rest, waiting for it; nil after the last. A
  /// chunk is only good once `wait` says the file did not change.
  func nextChunk() -> SealedRowBatch? {
    condition.lock()
    defer { condition.unlock() }
    while chunks.isEmpty && !finished { condition.wait() }
    return chunks.isEmpty ? nil : chunks.removeFirst()
  }

  /// Waits for the thread: the chunks not taken and the tables read whole, or nil when the
  /// file changed or a read failed (the command then reads them itself).
  func wait() -> (chunks: [SealedRowBatch], missing: [StoredTable: SealedRowBatch])? {
    condition.lock()
    defer { condition.unlock() }
    while !finished { condition.wait() }
    guard let missing else { return nil }
    defer { chunks = [] }
    return (chunks, missing)
  }
}
