import Foundation
import GRDB
import VaultCrypto

/// What `rdpvault verify` found: every record opened, every link and index checked, and each
/// table's row set compared with the digest sealed in the header.
public struct VerifyReport: Equatable, Sendable, Codable {
  public struct Problem: Equatable, Sendable, Codable {
    public var table: String
    /// The row, when one row is at fault; nil for a table whose row set does not match.
    public var rowID: Int64?
    public var detail: String
  }

  /// Rows checked, by table.
  public var rows: [String: Int] = [:]
  public var problems: [Problem] = []
  public var isSound: Bool { problems.isEmpty }
}

extension Vault {
  public func verify(progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws
    -> VerifyReport
  {
    try read { db in
      var report = VerifyReport()
      for table in StoredTable.allCases {
        report.rows[table.rawValue] =
          try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.rawValue)") ?? 0
      }
      // Progress in rows: the accounts, the VMs and the passwords, the bulk of the work.
      let total = [StoredTable.accounts, .profiles, .accountSecrets].reduce(0) {
        $0 + report.rows[$1.rawValue, default: 0]
      }
      var done = 0
      func advance(_ rows: Int) {
        done += rows
        if done % 1000 < rows || done == total { progress?(done, total) }
      }
      func check(_ table: StoredTable, _ id: Int64?, _ body: () throws -> Void) {
        do {
          try body()
        } catch let error as VaultError {
          report.problems.append(
            VerifyReport.Problem(table: table.rawValue, rowID: id, detail: error.message))
        } catch {
          report.problems.append(
            VerifyReport.Problem(table: table.rawValue, rowID: id, detail: "\(error)"))
        }
      }
      // The two big tables are opened on every core; each row's outcome is kept, so one
      // damaged row is reported and the rest still checked.
      var digests: [StoredTable: [UInt8]] = [:]
      var accountIDs: Set<Int64> = []
      var batch = try wholeTable(db, .accounts)
      let (accounts, accountDigest) = try batch.open(keys: keys) { row in
        (row.id, Result { try AccountRecord.decode(row, keys: keys).id })
      }
      digests[.accounts] = accountDigest
      for (id, outcome) in try accounts.get() {
        check(.accounts, id) { accountIDs.insert(try outcome.get()) }
      }
      advance(try accounts.get().count)
      batch = try wholeTable(db, .profiles)
      let (profiles, profileDigest) = try batch.open(keys: keys) { row in
        (row.id, Result { try ProfileRecord.decode(row, keys: keys) })
      }
      digests[.profiles] = profileDigest
      advance(try profiles.get().count)
      for (id, outcome) in try profiles.get() {
        check(.profiles, id) {
          let record = try outcome.get()
          guard accountIDs.contains(record.accountID) else {
            throw VaultError.corrupt(
              detail: "profile \(quoted(record.profile.name)) links to a missing account")
          }
        }
      }
      // Every password is opened into one guarded buffer, wiped after each: guarded memory
      // costs system calls per allocation, and there may be 100,000 passwords.
      var scratch = try SecretBytes(capacity: 4096)
      for row in try Row.fetchAll(db, sql: "SELECT id, version, record FROM account_secrets") {
        let id = (row[0] as DatabaseValue).storage.integer
        advance(1)
        check(.accountSecrets, id) {
          let accountID = try row.integer(0, table: "account_secrets")
          guard let box = try row.blob(2, table: "account_secrets") else {
            throw VaultError.corrupt(detail: "account_secrets has a row without its record")
          }
          if box.count - SecretBox.overhead > scratch.capacity {
            scratch = try SecretBytes(capacity: box.count)
          }
          defer { scratch.removeLast(scratch.count) }
          try keys.openSecretRecord(
            box, .accountSecrets, id: accountID,
            version: try row.integer(1, table: "account_secrets"), bound: .none,
            appendingTo: &scratch)
          guard accountIDs.contains(accountID) else {
            throw VaultError.corrupt(detail: "a password of a missing account")
          }
        }
      }
      check(.identity, 1) {
        if let sealed = try fetchIdentityRow(db) { _ = try openIdentity(sealed) }
      }
      for row in try Row.fetchAll(
        db, sql: "SELECT id, lookup, key_lookup, version, record FROM teammates")
      {
        check(.teammates, (row[0] as DatabaseValue).storage.integer) {
          _ = try Self.decodeTeammate(row, keys: keys)
        }
      }
      for table in [StoredTable.seenBundles, .senderSequences] {
        for row in try Row.fetchAll(db, sql: "SELECT id, lookup FROM \(table.rawValue)") {
          check(table, (row[0] as DatabaseValue).storage.integer) {
            guard let lookup = try row.blob(1, table: table.rawValue) else {
              throw VaultError.corrupt(detail: "a row without its index")
            }
            _ = try findReplayRow(db, table, lookup: lookup)
          }
        }
      }
      for table in StoredTable.allCases {
        check(table, nil) {
          if let digest = digests[table] {
            try Self.checkDigest(digest, table, stored: try storedRowSet(db))
          } else {
            try checkRowSet(db, [table])
          }
        }
      }
      return report
    }
  }
}

extension DatabaseValue.Storage {
  var integer: Int64? {
    if case .int64(let value) = self { return value }
    return nil
  }
}
