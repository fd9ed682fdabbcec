import Foundation
import GRDB
import VaultCrypto

extension Vault {
  // MARK: Changing

  /// Renames a profile; the new name must be free (a change of case alone is allowed).
  public func renameProfile(_ oldName: String, to newName: String) throws {
    try Validation.profileName(newName)
    try write { db in
      var record = try fetchProfile(db, named: oldName)
      if let other = try findProfile(db, named: newName), other.id != record.id {
        throw VaultError.profileExists(name: newName)
      }
      Self.keepAzureName(&record.profile, approved: true)
      record.profile.name = newName
      try record.saveChange(db, vault: self)
    }
  }

  /// Before a rename: an Azure VM keeps its Azure name (`azure-vm`), which the Azure steps
  /// and Bastion act on. Approved when the user renames; not when an import does.
  static func keepAzureName(_ profile: inout Profile, approved: Bool) {
    guard !profile.resourceGroup.isEmpty, profile.settings.options[ConnectOption.azureVM] == nil,
      AzureName.isValid(profile.name)
    else { return }
    profile.settings.options[ConnectOption.azureVM] = profile.name
    if approved { profile.settings.approve(ConnectOption.azureVM) }
  }

  /// What an edit does to the VM's account.
  enum EditPlan {
    /// The same account, possibly with new values (admin mark, a local account's computer
    /// name, or its user name's case).
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
      throw VaultError.kindChangeNeedsUser(from: oldKind, to: profile.kind)
    }
    let wantedName =
      newName
      ?? AccountName(
        userName: current.userName,
        domain: current.signsInOnComputer ? profile.computerName : current.domain,
        form: current.form, template: current.scope == .template ? current.domain : nil)
    // A VM taken back to a local account leaves the admin mark with the domain account.
    let wanted = try wantedName.account(
      kind: profile.kind, computerName: profile.computerName,
      admin: admin ?? (profile.kind != .local && current.scope == .domain && current.isDomainAdmin))
    // A change to a signed property voids an imported file's signature: drop it.
    RDPSignature.dropIfBroken(&record.profile.settings, before: before) {
      [profile = record.profile] in
      RDPFileWriter.lines(for: ProfileEntry(profile: profile, account: wanted))
    }
    // A local account is the VM's own: a new computer name (or the user name in another case,
    // which Windows ignores) is the same account, but another user is another account, whose
    // password the old one's is not.
    let same =
      wanted.scope == current.scope
      && (wanted.scope == .local
        ? wanted.userName.lowercased() == current.userName.lowercased()
        : Account.lookupKey(signInName: wanted.accountName(computerName: ""))
          == Account.lookupKey(signInName: current.accountName(computerName: "")))
    guard same else {
      return .other(try resolve(db, wanted: wanted, kind: profile.kind, admin: admin ?? false))
    }
    try Self.checkDomainControllerRule(kind: profile.kind, account: wanted)
    var updated = accountRecord
    updated.account = wanted
    updated.account.linksByName = current.linksByName
    updated.signInName = wanted.accountName(computerName: profile.computerName)
    return .same(updated)
  }

  /// The sign-in name of the local account, with its password, that `editProfile` with these
  /// arguments would remove (the VM leaves it for another account); nil when none. Writes
  /// nothing.
  public func editRemovesAccount(
    named name: String, changes: ProfileChanges, account newName: AccountName?, admin: Bool?
  ) throws -> String? {
    try read { db in
      var record = try fetchProfile(db, named: name)
      let current = try fetchAccountRecord(db, id: record.accountID)
      let oldComputer = record.profile.computerName
      guard
        case .other = try planEdit(
          db, record: &record, change: changes.apply, account: newName, admin: admin),
        current.account.scope == .local
      else { return nil }
      let users =
        try Int.fetchOne(
          db, sql: "SELECT count(*) FROM profiles WHERE account_id = ?", arguments: [current.id])
        ?? 0
      guard users == 1, try fetchPasswordBox(db, accountID: current.id) != nil else { return nil }
      return current.account.signInName(computerName: oldComputer)
    }
  }

  /// Whether `editProfile` with these arguments would create an account, which needs a
  /// password. Writes nothing.
  public func editNeedsPassword(
    named name: String, changes: ProfileChanges, account newName: AccountName?, admin: Bool?
  ) throws -> Bool {
    try read { db in
      var record = try fetchProfile(db, named: name)
      if case .other(.new) = try planEdit(
        db, record: &record, change: changes.apply, account: newName, admin: admin)
      {
        return true
      }
      return false
    }
  }

  /// Changes profiles. `changes` are the fields to change; a new `account` re-points each VM
  /// (and a local account one leaves behind is removed); `password` sets the password of each
  /// one's account. One transaction: on any error nothing is written.
  @discardableResult
  public func editProfiles(
    named names: [String], changes: ProfileChanges, account newName: AccountName?, admin: Bool?,
    password: consuming SecretBytes?
  ) throws -> [ProfileEntry] {
    try editProfiles(
      named: names, change: changes.apply, account: newName, admin: admin, password: password)
  }

  /// The same, with the change as code: the settings operations check the current value.
  @discardableResult
  func editProfiles(
    named names: [String], change: (inout Profile) throws -> Void, account newName: AccountName?,
    admin: Bool?, password: consuming SecretBytes?
  ) throws -> [ProfileEntry] {
    let newPassword = password
    return try write { db in
      var entries: [ProfileEntry] = []
      entries.reserveCapacity(names.count)
      for name in names {
        entries.append(
          try editProfile(
            db, named: name, change: change, account: newName, admin: admin,
            password: newPassword))
      }
      return entries
    }
  }

  private func editProfile(
    _ db: Database, named name: String, change: (inout Profile) throws -> Void,
    account newName: AccountName?, admin: Bool?, password newPassword: borrowing SecretBytes?
  ) throws -> ProfileEntry {
    var record = try fetchProfile(db, named: name)
    let plan = try planEdit(db, record: &record, change: change, account: newName, admin: admin)
    switch plan {
    case .same(var updated):
      try updated.saveChange(db, vault: self)
      try storePassword(db, accountID: updated.id, ifGiven: newPassword)
      try record.saveChange(db, vault: self)
      return ProfileEntry(profile: record.profile, account: updated.account)
    case .other(let resolution):
      let oldID = record.accountID
      record.accountID = try storeAccount(
        db, resolution, computerName: record.profile.computerName, password: newPassword)
      try record.saveChange(db, vault: self)
      try removeAccountIfOrphanedLocal(db, id: oldID)
      return ProfileEntry(profile: record.profile, account: resolution.account)
    }
  }

  /// Removes profiles, and each one's account when that was the VM's own local account. One
  /// transaction.
  public func removeProfiles(named names: [String]) throws {
    try write { db in
      for name in names { try deleteProfile(db, try fetchProfile(db, named: name)) }
    }
  }

  func deleteProfile(_ db: Database, _ record: ProfileRecord) throws {
    try deleteRow(db, .profiles, id: record.id)
    try removeAccountIfOrphanedLocal(db, id: record.accountID)
  }

  private func removeAccountIfOrphanedLocal(_ db: Database, id: Int64) throws {
    let users =
      try Int.fetchOne(
        db, sql: "SELECT count(*) FROM profiles WHERE account_id = ?", arguments: [id]) ?? 0
    guard users == 0 else { return }
    let record = try fetchAccountRecord(db, id: id)
    if record.account.scope == .local { try deleteAccount(db, id: id) }
  }

  /// Deletes an account and its password.
  func deleteAccount(_ db: Database, id: Int64) throws {
    try deleteRow(db, .accountSecrets, id: id)
    try deleteRow(db, .accounts, id: id)
  }
}
