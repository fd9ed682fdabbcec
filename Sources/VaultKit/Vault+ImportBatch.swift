import Foundation
import GRDB
import VaultCrypto

/// What every import of many VMs shares (.rdp files, inventories): one transaction, each
/// item in a savepoint of its own, and the account rule for a new VM.
extension Vault {
  /// Runs `body` for each item in one transaction (rolled back with `dryRun`), each in a
  /// savepoint: an item that fails adds nothing, the others still import, and 10,000 items
  /// cost one commit.
  func importEach<Item>(
    _ items: [Item], dryRun: Bool, progress: ((_ done: Int, _ total: Int) -> Void)?,
    _ body: (Database, Item) throws -> RDPImport
  ) throws -> [Result<RDPImport, Error>] {
    try write(rollback: dryRun) { db in
      var results: [Result<RDPImport, Error>] = []
      for item in items {
        defer { progress?(results.count, items.count) }
        let delta = rowSetDelta
        var imported: RDPImport?
        do {
          try db.inSavepoint {
            imported = try body(db, item)
            return .commit
          }
          results.append(.success(imported!))
        } catch {
          rowSetDelta = delta
          results.append(.failure(error))
        }
      }
      return results
    }
  }

  /// The account a newly imported VM signs in with. A stored domain account of the same
  /// sign-in name is shared when it holds no password, or with `consent.linkExisting`;
  /// otherwise a new account is written (kept apart from the stored one, without consent).
  /// `created` says a new account was written (which may then take the import's password).
  /// `keepApart` writes a new account even with consent (the file itself says the password
  /// differs).
  func importAccount(
    _ db: Database, wanted: Account, kind: AccountKind, signIn: String, consent: ImportConsent,
    keepApart: Bool = false
  ) throws -> (id: Int64, link: ImportItem.AccountLink, hasPassword: Bool, created: Bool) {
    let existing = try findSharedAccount(db, like: wanted)
    let holdsPassword =
      try existing.map { try fetchPasswordBox(db, accountID: $0.id) != nil } ?? false
    let named = wanted.scope == .template
    if let existing, !keepApart, consent.linkExisting || !holdsPassword {
      try Self.checkTemplateUser(wanted: wanted, existing: existing.account)
      try Self.checkDomainControllerRule(kind: kind, account: existing.account)
      return (existing.id, holdsPassword ? .linked : .sharedWithoutPassword, holdsPassword, false)
    }
    if named, let existing {
      // A stored template credential's password reaches a new VM only with consent, as a
      // domain account's does; a second credential of the same name would be a trap.
      throw VaultError.templateNeedsConsent(template: existing.account.domain)
    }
    var account = wanted
    if existing != nil { account.linksByName = false }
    try Self.checkDomainControllerRule(kind: kind, account: account)
    let now = Self.now()
    let record = AccountRecord(
      id: Random.rowID(), version: 1, createdAt: now, updatedAt: now, account: account,
      signInName: named ? account.accountName(computerName: "") : signIn)
    try record.save(db, vault: self, previousVersion: nil)
    return (record.id, existing != nil ? .keptApart : .new, false, true)
  }
}
