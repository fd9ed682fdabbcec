import Foundation
import GRDB

extension Vault {
  /// `list --json`: the VMs `filter` picks, in name order, as the README's JSON array (one
  /// object per line). Each record is written out on the worker that opened it, from its
  /// bytes: at 100,000 VMs, a `Profile` per record and then JSON per `Profile` cost more
  /// than the decryption. The row-set digest is checked before anything is returned.
  public func listJSON(matching filter: ProfileFilter) throws -> [UInt8] {
    // The accounts read while the key was derived are opened while the rest of the
    // profiles is still being read.
    let early = openEarly(.accounts) {
      try $0.openRecords(keys: keys, worker: { _ in () }) { _, row in try AccountRecord.decode(row)
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
      // Read by every worker, written by none.
      let accounts = Dictionary(
        opened.map { ($0.id, $0.account) }, uniquingKeysWith: { first, _ in first })
      let (values, parts, digest) = try wholeTable(db, .profiles).openRecords(
        keys: keys, worker: { JSONPart(worker: $0) }
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
      try Self.checkDigest(digest, .profiles, stored: stored)
      let listed = try values.get().compactMap { $0 }
      let order = sortedIndices(listed.map(\.key))
      return Self.array(of: order.map { listed[$0] }, in: parts)
    }
  }

  /// One worker's objects, one after another.
  private struct JSONPart {
    let worker: Int
    var bytes: [UInt8] = []
    init(worker: Int) {
      self.worker = worker
      bytes.reserveCapacity(1 << 20)
    }
  }

  /// Where one VM's object is, and the name it sorts by.
  private struct ListedObject {
    var worker: Int
    var range: Range<Int>
    var key: String
  }

  /// The name in lower case, as `profilesUnsorted` sorts (VM names are ASCII: this is
  /// `lowercased()` without the cost of Unicode's rules).
  private static func sortKey(_ name: UnsafeRawBufferPointer) -> String {
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

  /// `[`, the objects one per line, `]`.
  private static func array(of objects: [ListedObject], in parts: [JSONPart]) -> [UInt8] {
    guard !objects.isEmpty else { return Array("[]\n".utf8) }
    var out: [UInt8] = []
    out.reserveCapacity(objects.reduce(4) { $0 + $1.range.count + 2 })
    for (index, object) in objects.enumerated() {
      out.append(contentsOf: (index == 0 ? "[\n" : ",\n").utf8)
      out.append(contentsOf: parts[object.worker].bytes[object.range])
    }
    out.append(contentsOf: "\n]\n".utf8)
    return out
  }
}
