import Foundation
import GRDB

extension Vault {
  /// `list --json`: the VMs `filter` picks, in name order, as the README's JSON array (one
  /// object per line). Each record is written out on the worker that opened it, from its
  /// bytes: at 100,000 VMs, a `Profile` per record and then JSON per `Profile` cost more
  /// than the decryption. The row-set digest is checked before anything is returned.
  public func listJSON(matching filter: ProfileFilter) throws -> ListedJSON {
    // The accounts read while the key was derived are opened while the rest of the
    // profiles is still being read.
    let early = openEarly(.accounts) {
      try $0.openRecords(keys: keys, worker: { _ in () }) { _, row in try AccountRecord.decode(row)
      }
    }
    // With them, the profiles read so far are written out now, and the rest chunk by chunk
    // as the other thread reads it.
    var earlyParts: [JSONPart] = []
    let earlyProfiles = (try? early?.outcome.get().values.get()).flatMap { opened in
      let accounts = Self.accountsByID(opened)
      return openEarlyInChunks(.profiles) { batch in
        try objects(of: batch, accounts: accounts, filter: filter, parts: &earlyParts)
      }
    }
    return try read { db in
      let stored = try storedRowSet(db)
      let opened: [AccountRecord]
      if let early, try early.isCurrent(db) {
        let (values, _, digest) = try early.outcome.get()
        try Self.checkDigest(digest, .accounts, stored: stored)
        opened = try values.get()
      } else {
        opened = try openAll(db, .accounts, stored: stored, AccountRecord.decode)
      }
      var parts: [JSONPart] = []
      var chunks: [(values: Result<[ListedObject?], Error>, digest: [UInt8])]
      if let earlyProfiles, try earlyProfiles.isCurrent(db),
        let outcome = try? earlyProfiles.outcome.get()
      {
        (parts, chunks) = (earlyParts, outcome)
      } else {
        chunks = [
          try objects(
            of: try wholeTable(db, .profiles), accounts: Self.accountsByID(opened), filter: filter,
            parts: &parts)
        ]
      }
      // The row set is checked whole before any row's error is reported: a deleted or
      // rolled-back row is the better report.
      var digest = [UInt8](repeating: 0, count: 32)
      for chunk in chunks { for index in 0..<32 { digest[index] ^= chunk.digest[index] } }
      try Self.checkDigest(digest, .profiles, stored: stored)
      var listed: [ListedObject] = []
      for chunk in chunks { listed += try chunk.values.get().compactMap { $0 } }
      return ListedJSON(
        parts: parts.map(\.bytes),
        objects: sortedIndices(listed.map(\.key)).map { (listed[$0].worker, listed[$0].range) })
    }
  }

  /// Accounts by row id, read by every worker and written by none.
  private static func accountsByID(_ opened: [AccountRecord]) -> [Int64: Account] {
    Dictionary(opened.map { ($0.id, $0.account) }, uniquingKeysWith: { first, _ in first })
  }

  /// Each profile of `batch` written out as JSON on the worker that opened it, into parts
  /// added to `parts`; the listed objects in row order (nil for one the filter leaves out)
  /// and the batch's share of the row-set digest.
  private func objects(
    of batch: SealedRowBatch, accounts: [Int64: Account], filter: ProfileFilter,
    parts: inout [JSONPart]
  ) throws -> (values: Result<[ListedObject?], Error>, digest: [UInt8]) {
    let base = parts.count
    // About twice the sealed bytes come out: enough that a worker's buffer seldom grows.
    let capacity = 2 * batch.byteSize / Parallel.workers(for: batch.count) + (64 << 10)
    let (values, made, digest) = try batch.openRecords(
      keys: keys, worker: { JSONPart(worker: base + $0, capacity: capacity) }
    ) { part, row -> ListedObject? in
      guard row.lookup != nil, let accountID = row.accountID else {
        throw VaultError.corrupt(detail: "a profile row has no index or account link")
      }
      let fields = try ProfileFields(row.plaintext)
      guard let account = accounts[accountID] else {
        throw VaultError.corrupt(
          detail: "profile \(quoted(String(decoding: fields.name, as: UTF8.self))) has no account"
        )
      }
      if !filter.isEmpty, !filter.matches(try fields.profile(withSettings: false)) { return nil }
      let start = part.bytes.count
      try ProfileJSONWriter.object(fields, account: account, into: &part.bytes)
      return ListedObject(
        worker: part.worker, range: start..<part.bytes.count, key: Self.sortKey(fields.name))
    }
    parts += made
    return (values, digest)
  }

  /// One worker's objects, one after another.
  private struct JSONPart {
    let worker: Int
    var bytes: [UInt8] = []
    init(worker: Int, capacity: Int) {
      self.worker = worker
      bytes.reserveCapacity(capacity)
    }
  }

  /// Where one VM's object is, and the name it sorts by.
  private struct ListedObject {
    var worker: Int
    var range: Range<Int>
    var key: String
  }
}
