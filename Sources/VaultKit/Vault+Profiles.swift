import Foundation
import GRDB
import VaultCrypto

extension Vault {
  // MARK: Reading

  /// One profile by exact name (case-insensitive), through the blind index: one row is
  /// decrypted whatever the size of the vault.
  public func profile(named name: String) throws -> ProfileEntry {
    try read { db in
      let record = try fetchProfile(db, named: name)
      let account = try fetchAccountRecord(db, id: record.accountID)
      return ProfileEntry(profile: record.profile, account: account.account)
    }
  }

  /// Every profile with its account, sorted by name. Opens no password and no settings
  /// unless `withSettings`.
  public func profiles(withSettings: Bool) throws -> [ProfileEntry] {
    var (entries, order) = try profilesUnsorted(withSettings: withSettings)
    permute(&entries, by: order)
    return entries
  }

  /// Every VM with its account, and their order by name (`order[k]` is the index of the k-th
  /// name): 100,000 entries are not moved to be read once in order.
  public func profilesUnsorted(withSettings: Bool) throws -> (
    entries: [ProfileEntry], order: [Int]
  ) {
    try read { db in
      let stored = try storedRowSet(db)
      var accounts: [Int64: Account] = [:]
      for record in try openAll(db, .accounts, stored: stored, AccountRecord.decode) {
        accounts[record.id] = record.account
      }
      // Joined on the workers too.
      let entries = try openAll(db, .profiles, stored: stored) { row in
        let record = try ProfileRecord.decode(row, withSettings: withSettings)
        guard let account = accounts[record.accountID] else {
          throw VaultError.corrupt(detail: "profile \(quoted(record.profile.name)) has no account")
        }
        return ProfileEntry(profile: record.profile, account: account)
      }
      return (entries, sortedIndices(entries.map { $0.profile.name.lowercased() }))
    }
  }

  /// Puts `values[order[k]]` at `k`, in place, by swaps along each cycle: copying 100,000
  /// entries into a new array costs a retain and a release per field.
  func permute<T>(_ values: inout [T], by order: [Int]) {
    var placed = [Bool](repeating: false, count: values.count)
    for start in values.indices where !placed[start] {
      var current = start
      while true {
        placed[current] = true
        let next = order[current]
        if next == start { break }
        values.swapAt(current, next)
        current = next
      }
    }
  }

  /// The name in lower case, as `profilesUnsorted` sorts (VM names are ASCII: this is
  /// `lowercased()` without the cost of Unicode's rules).
  static func sortKey(_ name: UnsafeRawBufferPointer) -> String {
    guard name.allSatisfy({ $0 < 0x80 }) else {
      return String(decoding: name, as: UTF8.self).lowercased()
    }
    return String(unsafeUninitializedCapacity: name.count) { out in
      for (index, byte) in name.enumerated() {
        out[index] = (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
      }
      return name.count
    }
  }

  /// The order of `keys`, sorted as two halves on two cores and merged (ties keep their
  /// original order): sorting 100,000 names costs as much as opening them.
  func sortedIndices(_ keys: [String]) -> [Int] {
    let middle = keys.count / 2
    guard keys.count >= 2048 else { return keys.indices.sorted { (keys[$0], $0) < (keys[$1], $1) } }
    let halves = WorkerSlots<[Int]>(count: 2)
    let shared = Unchecked(keys)
    DispatchQueue.concurrentPerform(iterations: 2) { half in
      let keys = shared.value
      let range = half == 0 ? 0..<middle : middle..<keys.count
      halves.set(half, .success(range.sorted { (keys[$0], $0) < (keys[$1], $1) }))
    }
    let left = try! halves.values[0]!.get()
    let right = try! halves.values[1]!.get()
    var merged: [Int] = []
    merged.reserveCapacity(keys.count)
    var i = 0
    var j = 0
    while i < left.count && j < right.count {
      if keys[right[j]] < keys[left[i]] {
        merged.append(right[j])
        j += 1
      } else {
        merged.append(left[i])
        i += 1
      }
    }
    merged += left[i...]
    merged += right[j...]
    return merged
  }

  /// Opens every row of `table` on every core and checks the table's row set against the
  /// sealed digests (`stored`, from `storedRowSet`) in the same pass.
  func openAll<T>(
    _ db: Database, _ table: StoredTable, stored: [UInt8], _ transform: (OpenedRow) throws -> T
  ) throws -> [T] {
    let (values, _, digest) = try wholeTable(db, table).openRecords(
      keys: keys, worker: { _ in () }, { _, row in try transform(row) })
    try Self.checkDigest(digest, table, stored: stored)
    return try values.get()
  }

  /// The password a profile signs in with.
  public func password(forProfile name: String) throws -> SecretBytes {
    let (accountID, sealed, signIn, profile) = try read { db in
      let record = try fetchProfile(db, named: name)
      let account = try fetchAccountRecord(db, id: record.accountID).account
      return (
        record.accountID, try fetchPasswordBox(db, accountID: record.accountID),
        account.signInName(computerName: record.profile.computerName), record.profile.name
      )
    }
    guard let sealed else { throw VaultError.noPassword(account: signIn, profile: profile) }
    return try openPassword(sealed, accountID: accountID)
  }
}
