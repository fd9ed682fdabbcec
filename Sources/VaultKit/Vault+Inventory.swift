import Foundation
import GRDB
import VaultCrypto

/// VMs from an inventory (Azure, CSV), in one transaction, each in a savepoint of its own: a VM
/// that fails adds nothing, and the others still import. A new VM gets its own local account
/// without a password (Azure never returns one); a domain account of the same sign-in name
/// is linked only with consent, as for .rdp files. With `consent.updateExisting`, a VM that
/// exists gets its new address and nothing else: accounts, passwords, settings and tags stay.
extension Vault {
  /// `passwords` has one slot per item (or none at all): a new account takes its VM's
  /// password. VMs of one file that sign in with the same domain account and the same
  /// password share one account; with another password they get accounts kept apart.
  public func importInventory(
    _ items: [InventoryItem], passwords: borrowing InventoryPasswords, consent: ImportConsent,
    dryRun: Bool, progress: ((_ done: Int, _ total: Int) -> Void)? = nil
  ) throws -> [Result<RDPImport, Error>] {
    guard passwords.count == 0 || passwords.count == items.count else {
      throw VaultError.corrupt(detail: "passwords for another number of VMs")
    }
    var madeHere: [String: (accountID: Int64, item: Int)] = [:]
    return try importEach(Array(items.enumerated()), dryRun: dryRun, progress: progress) {
      db, entry in
      try importInventoryItem(
        db, entry.element, index: entry.offset, passwords: passwords, madeHere: &madeHere,
        consent: consent)
    }
  }

  private func importInventoryItem(
    _ db: Database, _ item: InventoryItem, index: Int, passwords: borrowing InventoryPasswords,
    madeHere: inout [String: (accountID: Int64, item: Int)], consent: ImportConsent
  ) throws -> RDPImport {
    try Validation.profileName(item.name)
    if var existing = try findProfile(db, named: item.name) {
      guard consent.updateExisting else { throw VaultError.profileExists(name: item.name) }
      let account = try fetchAccountRecord(db, id: existing.accountID).account
      let old = ProfileEntry(profile: existing.profile, account: account)
      var refreshed = existing.profile
      refreshed.host = item.host
      refreshed.port = item.port
      try refreshed.validate()
      let changes = ImportItem.changes(
        from: old, to: ProfileEntry(profile: refreshed, account: account))
      if !changes.isEmpty {
        existing.profile = refreshed
        try existing.saveChange(db, vault: self)
      }
      let hasPassword = try fetchPasswordBox(db, accountID: existing.accountID) != nil
      return RDPImport(
        item: ImportItem(
          action: .update, name: existing.profile.name, host: refreshed.host,
          port: refreshed.port, signInName: old.signInName, link: .new, hasPassword: hasPassword,
          storedPassword: false, preConnect: nil, gateway: nil, extraLines: [], changes: changes,
          kind: existing.profile.kind),
        warnings: item.warnings, needsPassword: !hasPassword,
        hadClearTextPassword: false)
    }
    guard let user = item.user, !user.isEmpty else {
      throw VaultError.inventoryVMNamesNoUser
    }
    var name = try AccountName.parse(user: user, domain: item.domain)
    name.template = item.sharedCredential
    let computerName = Profile.computerName(
      given: item.computerName, vmName: item.name, user: name
    ).name
    let profile = Profile(
      name: item.name, host: item.host, port: item.port, computerName: computerName,
      kind: item.kind, resourceGroup: item.resourceGroup, subscription: item.subscription,
      tags: item.tags, note: item.note, settings: item.settings)
    try profile.validate()
    // A domain controller is signed in to as a domain administrator: an inventory that says
    // `dc` says so of its account.
    let wanted = try name.account(
      kind: item.kind, computerName: computerName, admin: item.kind == .dc)
    let signIn = wanted.signInName(computerName: computerName)
    let carriesPassword = passwords.hasPassword(at: index)
    try passwords.withPassword(at: index) {
      try Validation.password($0, field: "password from the file")
    }
    let accountID: Int64
    let link: ImportItem.AccountLink
    var hasPassword: Bool
    var stored = false
    let accountKey = wanted.accountName(computerName: computerName).lowercased()
    let sameFile = wanted.isShared ? madeHere[accountKey] : nil
    if let sameFile, wanted.scope == .template, !passwords.samePassword(sameFile.item, index),
      carriesPassword
    {
      // One template, one password: the file contradicts itself.
      throw VaultError.templatePasswordDiffers(template: wanted.domain)
    }
    if let sameFile, passwords.samePassword(sameFile.item, index) || wanted.scope == .template {
      // An account this import made for an earlier VM of the file, with the same password.
      try Self.checkDomainControllerRule(kind: item.kind, account: wanted)
      try Self.checkTemplateUser(
        wanted: wanted, existing: try fetchAccountRecord(db, id: sameFile.accountID).account)
      (accountID, link, hasPassword) = (
        sameFile.accountID, .new, carriesPassword || passwords.hasPassword(at: sameFile.item)
      )
    } else {
      let made = try importAccount(
        db, wanted: wanted, kind: item.kind, signIn: signIn, consent: consent,
        keepApart: sameFile != nil)
      (accountID, link, hasPassword) = (made.id, made.link, made.hasPassword)
      if made.created {
        try passwords.withPassword(at: index) {
          try storePassword(db, accountID: made.id, passwordBytes: $0)
          (hasPassword, stored) = (true, true)
        }
        if wanted.isShared && sameFile == nil { madeHere[accountKey] = (made.id, index) }
      }
    }
    var warnings = item.warnings
    if carriesPassword && !stored && sameFile == nil {
      warnings.append(
        "the file's password for \(signIn) was not stored: the VM uses the account already stored")
    }
    let now = Self.now()
    try ProfileRecord(
      id: Random.rowID(), accountID: accountID, version: 1, createdAt: now, updatedAt: now,
      profile: profile
    ).save(db, vault: self, previousVersion: nil)
    var imported = ImportItem(
      action: .add, name: profile.name, host: profile.host, port: profile.port,
      signInName: signIn, link: link, hasPassword: hasPassword, storedPassword: stored,
      preConnect: nil, gateway: profile.settings.unapprovedGateway, extraLines: [],
      kind: item.kind)
    if wanted.scope == .template {
      imported.sharedCredential = wanted.accountName(computerName: computerName)
    }
    return RDPImport(
      item: imported,
      warnings: warnings, needsPassword: !hasPassword,
      hadClearTextPassword: false)
  }
}
