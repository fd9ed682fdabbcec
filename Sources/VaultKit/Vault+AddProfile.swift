import Foundation
import GRDB
import VaultCrypto

/// What `add` will do with the account it is given.
public enum AccountResolution: Equatable, Sendable, Codable {
  /// A shared account already in the vault (domain, template): the VM links to it, no
  /// password needed.
  case existing(Account)
  /// A new account: a password is needed.
  case new(Account)

  public var account: Account {
    switch self {
    case .existing(let account), .new(let account): account
    }
  }
}

extension Vault {
  // MARK: Adding

  /// Validates the profile and works out its account, without writing anything.
  public func resolveAccount(for profile: Profile, name: AccountName, admin: Bool) throws
    -> AccountResolution
  {
    try profile.validate()
    let wanted = try name.account(
      kind: profile.kind, computerName: profile.computerName, admin: admin)
    return try read { db in
      if try findProfile(db, named: profile.name) != nil {
        throw VaultError.profileExists(name: profile.name)
      }
      return try resolve(db, wanted: wanted, kind: profile.kind, admin: admin)
    }
  }

  func resolve(_ db: Database, wanted: Account, kind: AccountKind, admin: Bool) throws
    -> AccountResolution
  {
    guard let existing = try findSharedAccount(db, like: wanted) else {
      try Self.checkDomainControllerRule(kind: kind, account: wanted)
      return .new(wanted)
    }
    try Self.checkTemplateUser(wanted: wanted, existing: existing.account)
    var account = existing.account
    if admin { account.isDomainAdmin = true }
    try Self.checkDomainControllerRule(kind: kind, account: account)
    return .existing(account)
  }

  /// A domain controller is signed in to by a domain administrator of its domain.
  static func checkDomainControllerRule(kind: AccountKind, account: Account) throws {
    guard kind == .dc else { return }
    guard account.scope == .domain, account.isDomainAdmin else {
      throw VaultError.kindMismatch(
        detail: "a dc profile needs a domain administrator of its domain, and "
          + "\(account.signInName(computerName: "")) is not marked as one")
    }
  }

  /// Adds a profile and, unless a shared domain account already exists, its account.
  /// Everything happens in one transaction; on any error nothing is written.
  @discardableResult
  public func addProfile(
    _ profile: Profile, account name: AccountName, admin: Bool,
    password: consuming SecretBytes?, allowNoPassword: Bool
  ) throws -> ProfileEntry {
    try profile.validate()
    let wanted = try name.account(
      kind: profile.kind, computerName: profile.computerName, admin: admin)
    let newPassword = password
    return try write { db in
      try insertProfile(
        db, profile, wanted: wanted, admin: admin, password: newPassword,
        allowNoPassword: allowNoPassword
      ).entry
    }
  }

  /// Adds many profiles in one transaction (for bulk loads such as benchmark fixtures).
  /// `password(i)` gives the password for item i's account when that account is new.
  public func addProfiles(
    _ items: [(profile: Profile, account: AccountName, admin: Bool)],
    password: (Int) throws -> SecretBytes?
  ) throws {
    try write { db in
      for (index, item) in items.enumerated() {
        try item.profile.validate()
        let wanted = try item.account.account(
          kind: item.profile.kind, computerName: item.profile.computerName, admin: item.admin)
        let secret = try password(index)
        _ = try insertProfile(
          db, item.profile, wanted: wanted, admin: item.admin, password: secret,
          allowNoPassword: true)
      }
    }
  }

  /// The body of `addProfile`, inside a caller's transaction.
  func insertProfile(
    _ db: Database, _ profile: Profile, wanted: Account, admin: Bool,
    password: borrowing SecretBytes?,
    allowNoPassword: Bool
  ) throws -> (entry: ProfileEntry, resolution: AccountResolution, accountID: Int64) {
    if try findProfile(db, named: profile.name) != nil {
      throw VaultError.profileExists(name: profile.name)
    }
    let resolution = try resolve(db, wanted: wanted, kind: profile.kind, admin: admin)
    let accountID = try storeAccount(
      db, resolution, computerName: profile.computerName, password: password,
      allowNoPassword: allowNoPassword)
    let now = Self.now()
    let record = ProfileRecord(
      id: Random.rowID(), accountID: accountID, version: 1, createdAt: now, updatedAt: now,
      profile: profile)
    try record.save(db, vault: self, previousVersion: nil)
    return (ProfileEntry(profile: profile, account: resolution.account), resolution, accountID)
  }

  /// Writes a new account (with its password) or updates an existing one's admin mark.
  func storeAccount(
    _ db: Database, _ resolution: AccountResolution, computerName: String,
    password: borrowing SecretBytes?, allowNoPassword: Bool = false
  ) throws -> Int64 {
    switch resolution {
    case .existing(let account):
      guard var record = try findSharedAccount(db, like: account) else {
        throw VaultError.accountNotFound(name: account.accountName(computerName: computerName))
      }
      if record.account.isDomainAdmin != account.isDomainAdmin {
        record.account.isDomainAdmin = account.isDomainAdmin
        try record.saveChange(db, vault: self)
      }
      return record.id
    case .new(let account):
      let signIn = account.accountName(computerName: computerName)
      let now = Self.now()
      let record = AccountRecord(
        id: Random.rowID(), version: 1, createdAt: now, updatedAt: now, account: account,
        signInName: signIn)
      try record.save(db, vault: self, previousVersion: nil)
      switch password {
      case .some(let secret):
        try storePassword(db, accountID: record.id, password: secret)
      case .none:
        // An account without a password is a placeholder (an imported .rdp file, a bundle
        // without secrets); `password` and `connect` ask for one to be set.
        if !allowNoPassword {
          throw VaultError.missingField(field: "password", rule: "a new account needs a password")
        }
      }
      return record.id
    }
  }
}
