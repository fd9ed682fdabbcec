import Foundation
import GRDB
import VaultCrypto

/// An account with the VMs that use it, as `account list` shows it.
public struct AccountEntry: Equatable, Sendable, Codable {
  public var account: Account
  public var signInName: String
  public var profiles: [String]
}

extension Vault {
  /// Every account and the VMs that sign in with it, sorted by sign-in name.
  public func accounts() throws -> [AccountEntry] {
    try read { db in
      try checkRowSet(db, [.profiles, .accounts])
      var users: [Int64: [Profile]] = [:]
      let profileRows = try Row.fetchCursor(db, sql: ProfileRecord.selection)
      while let row = try profileRows.next() {
        let record = try ProfileRecord.decode(row, keys: keys, withSettings: false)
        users[record.accountID, default: []].append(record.profile)
      }
      var result: [AccountEntry] = []
      let rows = try Row.fetchCursor(db, sql: AccountRecord.selection)
      while let row = try rows.next() {
        let record = try AccountRecord.decode(row, keys: keys)
        let profiles = (users[record.id] ?? []).sorted {
          $0.name.lowercased() < $1.name.lowercased()
        }
        result.append(
          AccountEntry(
            account: record.account, signInName: record.signInName, profiles: profiles.map(\.name)))
      }
      return result.sorted { $0.signInName.lowercased() < $1.signInName.lowercased() }
    }
  }

  /// One account, found as `account passwd` finds it, and the VMs that use it.
  public func account(named name: String) throws -> AccountEntry {
    try read { db in
      let (record, users) = try fetchAccount(db, signInName: name)
      return AccountEntry(account: record.account, signInName: record.signInName, profiles: users)
    }
  }

  /// Sets an account's password; returns the VMs that now use it.
  @discardableResult
  public func setAccountPassword(_ name: String, password: consuming SecretBytes) throws -> [String]
  {
    let secret = password
    return try write { db in
      let (record, users) = try fetchAccount(db, signInName: name)
      try storePassword(db, accountID: record.id, password: secret)
      return users
    }
  }

  /// Marks or unmarks a domain account as a domain administrator.
  public func setDomainAdmin(_ name: String, _ isAdmin: Bool) throws {
    try write { db in
      var (record, users) = try fetchAccount(db, signInName: name)
      guard record.account.scope == .domain else {
        throw VaultError.kindMismatch(
          detail: "\(name) is a local account; only domain accounts can be domain admins")
      }
      if !isAdmin {
        let controllers = try users.filter { try fetchProfile(db, named: $0).profile.kind == .dc }
        if !controllers.isEmpty {
          throw VaultError.adminNeeded(name: name, controllers: controllers)
        }
      }
      record.account.isDomainAdmin = isAdmin
      try record.saveChange(db, vault: self)
    }
  }

  /// Removes an account no VM uses.
  public func removeAccount(_ name: String) throws {
    try write { db in
      let (record, users) = try fetchAccount(db, signInName: name)
      if !users.isEmpty { throw VaultError.accountInUse(name: name, profiles: users.sorted()) }
      try deleteAccount(db, id: record.id)
    }
  }

  /// The one account whose sign-in name is `name` (case-insensitive), and its VMs' names.
  func fetchAccount(_ db: Database, signInName name: String) throws -> (AccountRecord, [String]) {
    let wanted = Account.lookupKey(signInName: name)
    let lookup = try keys.lookup("account", wanted)
    var found: [(AccountRecord, [String])] = []
    for row in try Row.fetchAll(
      db, sql: AccountRecord.selection + " WHERE lookup = ?", arguments: [lookup])
    {
      let record = try AccountRecord.decode(row, keys: keys)
      var users: [ProfileRecord] = []
      for profileRow in try Row.fetchAll(
        db, sql: ProfileRecord.selection + " WHERE account_id = ?", arguments: [record.id])
      {
        users.append(try ProfileRecord.decode(profileRow, keys: keys, withSettings: false))
      }
      if Account.lookupKey(signInName: record.signInName) == wanted {
        found.append((record, users.map(\.profile.name)))
      }
    }
    // The user's own account of that name first; one kept apart only when it is alone.
    let linkable = found.filter { $0.0.account.linksByName }
    if !linkable.isEmpty { found = linkable }
    guard let first = found.first else { throw VaultError.accountNotFound(name: name) }
    if found.count > 1 {
      throw VaultError.accountAmbiguous(name: name, profiles: found.flatMap(\.1).sorted())
    }
    return first
  }
}
