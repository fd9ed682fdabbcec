import Foundation
import GRDB
import VaultCrypto

/// Finding one VM's or account's row: through its blind index, checked against the record.
extension Vault {
  // MARK: Row access

  func findProfile(_ db: Database, named name: String) throws -> ProfileRecord? {
    let lookup = try keys.lookup("profile", Profile.lookupKey(name: name))
    guard
      let row = try Row.fetchOne(
        try db.cachedStatement(sql: ProfileRecord.selection + " WHERE lookup = ?"),
        arguments: [lookup])
    else { return nil }
    return try ProfileRecord.decode(row, keys: keys)
  }

  func fetchProfile(_ db: Database, named name: String) throws -> ProfileRecord {
    if let record = try findProfile(db, named: name) { return record }
    throw VaultError.profileNotFound(name: name, suggestions: try suggestions(db, for: name))
  }

  /// Close matches for an unknown name: only on this error path are all names decrypted.
  private func suggestions(_ db: Database, for name: String) throws -> [String] {
    let wanted = name.lowercased()
    var scored: [(Int, String)] = []
    let rows = try Row.fetchCursor(db, sql: ProfileRecord.selection)
    while let row = try rows.next() {
      let candidate = try ProfileRecord.decode(row, keys: keys, withSettings: false).profile.name
      let lower = candidate.lowercased()
      let distance = editDistance(wanted, lower)
      if distance <= max(2, wanted.count / 3) || lower.hasPrefix(wanted) || wanted.hasPrefix(lower)
      {
        scored.append((distance, candidate))
      }
    }
    return scored.sorted { $0 < $1 }.prefix(3).map(\.1)
  }

  func fetchAccountRecord(_ db: Database, id: Int64) throws -> AccountRecord {
    guard
      let row = try Row.fetchOne(
        try db.cachedStatement(sql: AccountRecord.selection + " WHERE id = ?"), arguments: [id])
    else { throw VaultError.corrupt(detail: "a profile points to a missing account") }
    return try AccountRecord.decode(row, keys: keys)
  }

  /// The stored shared account (a domain account, a template credential) of the same name
  /// that VMs may link to by name, if any. An account kept apart (`linksByName` false) is
  /// never found here.
  func findSharedAccount(_ db: Database, like account: Account) throws -> AccountRecord? {
    guard account.isShared else { return nil }
    let name = account.accountName(computerName: "")
    let lookup = try keys.lookup("account", Account.lookupKey(signInName: name))
    for row in try Row.fetchAll(
      try db.cachedStatement(sql: AccountRecord.selection + " WHERE lookup = ?"),
      arguments: [lookup])
    {
      let record = try AccountRecord.decode(row, keys: keys)
      if record.account.scope == account.scope && record.account.linksByName { return record }
    }
    return nil
  }

  /// A template credential is one user: a VM that names it with another user is refused.
  static func checkTemplateUser(wanted: Account, existing: Account) throws {
    guard wanted.scope == .template,
      wanted.userName.lowercased() != existing.userName.lowercased()
    else { return }
    throw VaultError.templateUserMismatch(
      template: existing.domain, has: existing.userName, given: wanted.userName)
  }
}
