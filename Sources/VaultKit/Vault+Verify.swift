import Foundation
import GRDB

/// What `rdpvault verify` found: every record opened, every link and index checked, and each
/// table's row set compared with the digest sealed in the header.
public struct VerifyReport: Equatable, Sendable {
  public struct Problem: Equatable, Sendable {
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
  public func verify() throws -> VerifyReport {
    try read { db in
      var report = VerifyReport()
      func check(_ table: StoredTable, _ id: Int64?, _ body: () throws -> Void) {
        do {
          try body()
        } catch let error as VaultError {
          report.problems.append(VerifyReport.Problem(table: table.rawValue, rowID: id, detail: error.message))
        } catch {
          report.problems.append(VerifyReport.Problem(table: table.rawValue, rowID: id, detail: "\(error)"))
        }
      }
      var accountIDs: Set<Int64> = []
      for row in try Row.fetchAll(db, sql: AccountRecord.selection) {
        let id = (row[0] as DatabaseValue).storage.integer
        check(.accounts, id) { accountIDs.insert(try AccountRecord.decode(row, keys: keys).id) }
      }
      for row in try Row.fetchAll(db, sql: ProfileRecord.selection) {
        let id = (row[0] as DatabaseValue).storage.integer
        check(.profiles, id) {
          let record = try ProfileRecord.decode(row, keys: keys)
          guard accountIDs.contains(record.accountID) else {
            throw VaultError.corrupt(detail: "profile \(quoted(record.profile.name)) links to a missing account")
          }
        }
      }
      for row in try Row.fetchAll(db, sql: "SELECT id FROM account_secrets") {
        let id = (row[0] as DatabaseValue).storage.integer
        check(.accountSecrets, id) {
          let accountID = try row.integer(0, table: "account_secrets")
          guard let sealed = try fetchPasswordBox(db, accountID: accountID) else { return }
          _ = try openPassword(sealed, accountID: accountID)
          guard accountIDs.contains(accountID) else { throw VaultError.corrupt(detail: "a password of a missing account") }
        }
      }
      check(.identity, 1) {
        if let sealed = try fetchIdentityRow(db) { _ = try openIdentity(sealed) }
      }
      for row in try Row.fetchAll(db, sql: "SELECT id, lookup, key_lookup, version, record FROM teammates") {
        check(.teammates, (row[0] as DatabaseValue).storage.integer) { _ = try Self.decodeTeammate(row, keys: keys) }
      }
      for table in [StoredTable.seenBundles, .senderSequences] {
        for row in try Row.fetchAll(db, sql: "SELECT id, lookup FROM \(table.rawValue)") {
          check(table, (row[0] as DatabaseValue).storage.integer) {
            guard let lookup = try row.blob(1, table: table.rawValue) else { throw VaultError.corrupt(detail: "a row without its index") }
            _ = try findReplayRow(db, table, lookup: lookup)
          }
        }
      }
      for table in StoredTable.allCases {
        report.rows[table.rawValue] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.rawValue)") ?? 0
        check(table, nil) { try checkRowSet(db, [table]) }
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
