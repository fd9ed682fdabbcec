import Foundation
import GRDB
import VaultCrypto

/// What `add` will do with the account it is given.
public enum AccountResolution: Equatable, Sendable {
  /// A shared domain account already in the vault: the VM links to it, no password needed.
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
  public static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

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
  public func profiles(withSettings: Bool = false) throws -> [ProfileEntry] {
    var (entries, order) = try profilesUnsorted(withSettings: withSettings)
    permute(&entries, by: order)
    return entries
  }

  /// Every VM with its account, and their order by name (`order[k]` is the index of the k-th
  /// name): 100,000 entries are not moved to be read once in order.
  public func profilesUnsorted(withSettings: Bool = false) throws -> (entries: [ProfileEntry], order: [Int]) {
    try read { db in
        let stored = try storedRowSet(db)
        var accounts: [Int64: Account] = [:]
        for record in try openAll(db, .accounts, stored: stored, { try AccountRecord.decode($0, keys: keys, checkLookup: false) }) {
          accounts[record.id] = record.account
        }
        // Joined on the workers too.
        let entries = try openAll(db, .profiles, stored: stored) { row in
          let record = try ProfileRecord.decode(row, keys: keys, withSettings: withSettings, checkLookup: false)
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
        merged.append(right[j]); j += 1
      } else {
        merged.append(left[i]); i += 1
      }
    }
    merged += left[i...]
    merged += right[j...]
    return merged
  }

  /// Opens every row of `table` on every core and checks the table's row set against the
  /// sealed digests (`stored`, from `storedRowSet`) in the same pass.
  func openAll<T>(_ db: Database, _ table: StoredTable, stored: [UInt8], _ transform: (SealedRow) throws -> T) throws -> [T] {
    let (values, digest) = try wholeTable(db, table).open(keys: keys, transform)
    try Self.checkDigest(digest, table, stored: stored)
    return try values.get()
  }

  /// The password a profile signs in with.
  public func password(forProfile name: String) throws -> SecretBytes {
    let (accountID, sealed, signIn) = try read { db in
      let record = try fetchProfile(db, named: name)
      let account = try fetchAccountRecord(db, id: record.accountID).account
      return (
        record.accountID, try fetchPasswordBox(db, accountID: record.accountID),
        account.signInName(computerName: record.profile.computerName)
      )
    }
    guard let sealed else { throw VaultError.noPassword(account: signIn) }
    return try openPassword(sealed, accountID: accountID)
  }

  // MARK: Adding

  /// Validates the profile and works out its account, without writing anything.
  public func resolveAccount(for profile: Profile, name: AccountName, admin: Bool) throws
    -> AccountResolution
  {
    try profile.validate()
    let wanted = try name.account(kind: profile.kind, computerName: profile.computerName, admin: admin)
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
    guard wanted.scope == .domain, let existing = try findDomainAccount(db, like: wanted) else {
      try Self.checkDomainControllerRule(kind: kind, account: wanted)
      return .new(wanted)
    }
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
    _ profile: Profile, account name: AccountName, admin: Bool = false,
    password: consuming SecretBytes?, allowNoPassword: Bool = false
  ) throws -> ProfileEntry {
    try profile.validate()
    let wanted = try name.account(kind: profile.kind, computerName: profile.computerName, admin: admin)
    let newPassword = password
    return try write { db in
      try insertProfile(db, profile, wanted: wanted, admin: admin, password: newPassword, allowNoPassword: allowNoPassword).entry
    }
  }

  /// Adds many profiles in one transaction (for bulk loads such as benchmark fixtures).
  /// `password(i)` gives the password for item i's account when that account is new.
  public func addProfiles(
    _ items: [(profile: Profile, account: AccountName, admin: Bool)], password: (Int) throws -> SecretBytes?
  ) throws {
    try write { db in
      for (index, item) in items.enumerated() {
        try item.profile.validate()
        let wanted = try item.account.account(kind: item.profile.kind, computerName: item.profile.computerName, admin: item.admin)
        let secret = try password(index)
        _ = try insertProfile(db, item.profile, wanted: wanted, admin: item.admin, password: secret, allowNoPassword: true)
      }
    }
  }

  /// The body of `addProfile`, inside a caller's transaction.
  func insertProfile(
    _ db: Database, _ profile: Profile, wanted: Account, admin: Bool, password: borrowing SecretBytes?,
    allowNoPassword: Bool
  ) throws -> (entry: ProfileEntry, resolution: AccountResolution, accountID: Int64) {
    if try findProfile(db, named: profile.name) != nil {
      throw VaultError.profileExists(name: profile.name)
    }
    let resolution = try resolve(db, wanted: wanted, kind: profile.kind, admin: admin)
    let accountID = try store(
      db, resolution, computerName: profile.computerName, password: password, allowNoPassword: allowNoPassword)
    let now = Self.now()
    let record = ProfileRecord(
      id: Random.rowID(), accountID: accountID, version: 1, createdAt: now, updatedAt: now, profile: profile)
    try record.save(db, vault: self, previousVersion: nil)
    return (ProfileEntry(profile: profile, account: resolution.account), resolution, accountID)
  }

  /// Writes a new account (with its password) or updates an existing one's admin mark.
  private func store(
    _ db: Database, _ resolution: AccountResolution, computerName: String,
    password: borrowing SecretBytes?, allowNoPassword: Bool = false
  ) throws -> Int64 {
    switch resolution {
    case .existing(let account):
      guard var record = try findDomainAccount(db, like: account) else {
        throw VaultError.accountNotFound(name: account.signInName(computerName: computerName))
      }
      if record.account.isDomainAdmin != account.isDomainAdmin {
        record.account.isDomainAdmin = account.isDomainAdmin
        try record.saveChange(db, vault: self)
      }
      return record.id
    case .new(let account):
      let signIn = account.signInName(computerName: computerName)
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

  // MARK: Changing

  /// Renames a profile; the new name must be free (a change of case alone is allowed).
  public func renameProfile(_ oldName: String, to newName: String) throws {
    try Validation.profileName(newName)
    try write { db in
      var record = try fetchProfile(db, named: oldName)
      if let other = try findProfile(db, named: newName), other.id != record.id {
        throw VaultError.profileExists(name: newName)
      }
      record.profile.name = newName
      try record.saveChange(db, vault: self)
    }
  }

  /// What an edit does to the VM's account.
  enum EditPlan {
    /// The same account, possibly with new values (admin mark, a local account's new name).
    case same(AccountRecord)
    /// Another account, stored or new.
    case other(AccountResolution)
  }

  private func planEdit(
    _ db: Database, record: inout ProfileRecord, change: (inout Profile) throws -> Void,
    account newName: AccountName?, admin: Bool?
  ) throws -> EditPlan {
    let accountRecord = try fetchAccountRecord(db, id: record.accountID)
    let current = accountRecord.account
    let oldKind = record.profile.kind
    let before =
      RDPSignature.scope(of: record.profile.settings) == nil
      ? nil : RDPFileWriter.lines(for: ProfileEntry(profile: record.profile, account: current))
    try change(&record.profile)
    try record.profile.validate()
    if let other = try findProfile(db, named: record.profile.name), other.id != record.id {
      throw VaultError.profileExists(name: record.profile.name)
    }
    let profile = record.profile
    if newName == nil, (oldKind == .local) != (profile.kind == .local) {
      throw VaultError.missingField(
        field: "user",
        rule: "changing the kind from \(oldKind.rawValue) to \(profile.kind.rawValue) needs --user (and --domain)")
    }
    let wantedName =
      newName
      ?? AccountName(
        userName: current.userName,
        domain: current.scope == .local ? profile.computerName : current.domain, form: current.form)
    // A VM taken back to a local account leaves the admin mark with the domain account.
    let wanted = try wantedName.account(
      kind: profile.kind, computerName: profile.computerName,
      admin: admin ?? (profile.kind != .local && current.scope == .domain && current.isDomainAdmin))
    // A change to a signed property voids an imported file's signature: drop it.
    RDPSignature.dropIfBroken(&record.profile.settings, before: before) { [profile = record.profile] in
      RDPFileWriter.lines(for: ProfileEntry(profile: profile, account: wanted))
    }
    let same =
      wanted.scope == current.scope
      && (wanted.scope == .local
        || Account.lookupKey(signInName: wanted.signInName(computerName: ""))
          == Account.lookupKey(signInName: current.signInName(computerName: "")))
    guard same else {
      return .other(try resolve(db, wanted: wanted, kind: profile.kind, admin: admin ?? false))
    }
    try Self.checkDomainControllerRule(kind: profile.kind, account: wanted)
    var updated = accountRecord
    updated.account = wanted
    updated.account.linksByName = current.linksByName
    updated.signInName = wanted.signInName(computerName: profile.computerName)
    return .same(updated)
  }

  /// The sign-in name of the local account, with its password, that `editProfile` with these
  /// arguments would remove (the VM leaves it for another account); nil when none. Writes
  /// nothing.
  public func editRemovesAccount(
    named name: String, change: (inout Profile) throws -> Void, account newName: AccountName?, admin: Bool?
  ) throws -> String? {
    try read { db in
        var record = try fetchProfile(db, named: name)
        let current = try fetchAccountRecord(db, id: record.accountID)
        let oldComputer = record.profile.computerName
        guard case .other = try planEdit(db, record: &record, change: change, account: newName, admin: admin),
          current.account.scope == .local
        else { return nil }
        let users = try Int.fetchOne(
          db, sql: "SELECT count(*) FROM profiles WHERE account_id = ?", arguments: [current.id]) ?? 0
        guard users == 1, try fetchPasswordBox(db, accountID: current.id) != nil else { return nil }
        return current.account.signInName(computerName: oldComputer)
    }
  }

  /// Whether `editProfile` with these arguments would create an account, which needs a
  /// password. Writes nothing.
  public func editNeedsPassword(
    named name: String, change: (inout Profile) throws -> Void, account newName: AccountName?,
    admin: Bool?
  ) throws -> Bool {
    try read { db in
      var record = try fetchProfile(db, named: name)
      if case .other(.new) = try planEdit(db, record: &record, change: change, account: newName, admin: admin) {
        return true
      }
      return false
    }
  }

  /// Changes a profile. `change` edits the fields; a new `account` re-points the VM (and a
  /// local account it leaves behind is removed); `password` sets the account's password.
  /// One transaction: on any error nothing is written.
  @discardableResult
  public func editProfile(
    named name: String, change: (inout Profile) throws -> Void, account newName: AccountName?,
    admin: Bool?, password: consuming SecretBytes?
  ) throws -> ProfileEntry {
    let newPassword = password
    return try write { db in
      var record = try fetchProfile(db, named: name)
      let plan = try planEdit(db, record: &record, change: change, account: newName, admin: admin)
      let account: Account
      switch plan {
      case .same(var updated):
        try updated.saveChange(db, vault: self)
        try storePassword(db, accountID: updated.id, ifGiven: newPassword)
        account = updated.account
      case .other(let resolution):
        let oldID = record.accountID
        record.accountID = try store(
          db, resolution, computerName: record.profile.computerName, password: newPassword)
        account = resolution.account
        try record.saveChange(db, vault: self)
        try removeAccountIfOrphanedLocal(db, id: oldID)
        return ProfileEntry(profile: record.profile, account: account)
      }
      try record.saveChange(db, vault: self)
      return ProfileEntry(profile: record.profile, account: account)
    }
  }

  /// Removes a profile, and its account when that was the VM's own local account.
  public func removeProfile(named name: String) throws {
    try write { db in
      try deleteProfile(db, try fetchProfile(db, named: name))
    }
  }

  func deleteProfile(_ db: Database, _ record: ProfileRecord) throws {
    try deleteRow(db, .profiles, id: record.id)
    try removeAccountIfOrphanedLocal(db, id: record.accountID)
  }

  private func removeAccountIfOrphanedLocal(_ db: Database, id: Int64) throws {
    let users = try Int.fetchOne(db, sql: "SELECT count(*) FROM profiles WHERE account_id = ?", arguments: [id]) ?? 0
    guard users == 0 else { return }
    let record = try fetchAccountRecord(db, id: id)
    if record.account.scope == .local { try deleteAccount(db, id: id) }
  }

  /// Deletes an account and its password.
  func deleteAccount(_ db: Database, id: Int64) throws {
    try deleteRow(db, .accountSecrets, id: id)
    try deleteRow(db, .accounts, id: id)
  }

  // MARK: Row access

  func findProfile(_ db: Database, named name: String) throws -> ProfileRecord? {
    let lookup = try keys.lookup("profile", Profile.lookupKey(name: name))
    guard let row = try Row.fetchOne(try db.cachedStatement(sql: ProfileRecord.selection + " WHERE lookup = ?"), arguments: [lookup])
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
      if distance <= max(2, wanted.count / 3) || lower.hasPrefix(wanted) || wanted.hasPrefix(lower) {
        scored.append((distance, candidate))
      }
    }
    return scored.sorted { $0 < $1 }.prefix(3).map(\.1)
  }

  func fetchAccountRecord(_ db: Database, id: Int64) throws -> AccountRecord {
    guard let row = try Row.fetchOne(try db.cachedStatement(sql: AccountRecord.selection + " WHERE id = ?"), arguments: [id])
    else { throw VaultError.corrupt(detail: "a profile points to a missing account") }
    return try AccountRecord.decode(row, keys: keys)
  }

  /// The stored domain account with the same sign-in name that VMs may link to by name, if
  /// any. An account kept apart (`linksByName` false) is never found here.
  func findDomainAccount(_ db: Database, like account: Account) throws -> AccountRecord? {
    let signIn = account.signInName(computerName: "")
    let lookup = try keys.lookup("account", Account.lookupKey(signInName: signIn))
    for row in try Row.fetchAll(try db.cachedStatement(sql: AccountRecord.selection + " WHERE lookup = ?"), arguments: [lookup]) {
      let record = try AccountRecord.decode(row, keys: keys)
      if record.account.scope == .domain && record.account.linksByName { return record }
    }
    return nil
  }
}

/// Levenshtein distance, for "did you mean".
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a)
  let b = Array(b)
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous = Array(0...b.count)
  for i in 1...a.count {
    var current = [i] + Array(repeating: 0, count: b.count)
    for j in 1...b.count {
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.count]
}
