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

  var tables: [StoredTable] {
    [(Self.profiles, StoredTable.profiles), (.accounts, .accounts), (.passwords, .accountSecrets)]
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
        var batch = try SealedRowBatch.fetch(db, table, after: nil, budget: left)
        if !batch.complete {
          batches[table] = batch
          break
        }
        // What this table did not use is the next one's.
        batch.shrinkToFit()
        batches[table] = batch
        left -= batch.byteSize
      }
      return Preread(
        dataVersion: try dataVersion(db), changes: db.totalChangesCount, batches: batches)
    }
  }

  /// Starts `read` on another thread and returns a function that waits for its result.
  static func start(_ tables: [StoredTable], from reader: any DatabaseReader) -> () -> Preread? {
    guard !tables.isEmpty else { return { nil } }
    let slot = WorkerSlots<Preread?>(count: 1)
    let done = DispatchSemaphore(value: 0)
    let shared = Unchecked(reader)
    DispatchQueue.global(qos: .userInitiated).async {
      slot.set(0, .success(read(tables, from: shared.value)))
      done.signal()
    }
    return {
      done.wait()
      return (try? slot.values[0]?.get()) ?? nil
    }
  }
}
