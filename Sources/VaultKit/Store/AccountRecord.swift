import Foundation
import GRDB
import VaultCrypto

/// A row of `accounts`: the clear `lookup` (blind index of the sign-in name) and one sealed
/// record bound to it. Record fields: 1 scope, 2 user name, 3 domain, 4 sign-in form,
/// 5 domain admin, 6 links by name, 7 sign-in name, 8 created at, 9 updated at. The sign-in
/// name is stored because a local account's needs its VM's computer name.
struct AccountRecord {
  static let table = StoredTable.accounts

  var id: Int64
  var version: Int64
  var createdAt: Int64
  var updatedAt: Int64
  var account: Account
  /// The sign-in name the blind index is made of.
  var signInName: String

  static let selection = table.selection

  func plaintext() -> [UInt8] {
    var record = RecordEncoder(capacity: 128)
    record.add(1, account.scope.rawValue)
    record.add(2, account.userName)
    record.add(3, account.domain)
    record.add(4, account.form.rawValue)
    record.add(5, account.isDomainAdmin)
    record.add(6, account.linksByName)
    record.add(7, signInName)
    record.add(8, createdAt)
    record.add(9, updatedAt)
    return record.bytes
  }

  func save(_ db: Database, vault: Vault, previousVersion: Int64?) throws {
    let bound = BoundColumns(
      lookup: try vault.keys.lookup("account", Account.lookupKey(signInName: signInName)))
    try vault.putRow(
      db, Self.table, id: id, version: version, previousVersion: previousVersion, bound: bound,
      plaintext: plaintext())
  }

  mutating func saveChange(_ db: Database, vault: Vault) throws {
    let previous = version
    version = try Vault.nextVersion(after: version)
    updatedAt = Vault.now()
    try save(db, vault: vault, previousVersion: previous)
  }

  static func decode(_ row: Row, keys: VaultKeys) throws -> AccountRecord {
    try SealedRow.with(row, table) { try decode($0, keys: keys) }
  }

  /// A row read on its own; the name inside must give the row's blind index. (Whole-table
  /// reads open `OpenedRow`s, whose index is bound into the associated data all the same.)
  static func decode(_ row: SealedRow, keys: VaultKeys) throws -> AccountRecord {
    guard let lookup = row.bound.lookup else {
      throw VaultError.corrupt(detail: "an account row has no index")
    }
    let record = try keys.openRecord(
      row.record, table, id: row.id, version: row.version, bound: row.bound
    ) { try decode($0, id: row.id, version: row.version) }
    try record.checkLookup(lookup, keys: keys)
    return record
  }

  /// A record opened by a whole-table read.
  static func decode(_ row: OpenedRow) throws -> AccountRecord {
    guard row.lookup != nil else { throw VaultError.corrupt(detail: "an account row has no index") }
    return try decode(row.plaintext, id: row.id, version: row.version)
  }

  private static func decode(_ plaintext: UnsafeRawBufferPointer, id: Int64, version: Int64) throws
    -> AccountRecord
  {
    let fields = try RecordDecoder(plaintext, table: table.rawValue)
    guard let scope = Account.Scope(rawValue: try fields.text(1)),
      let form = Account.SignInForm(rawValue: try fields.text(4))
    else { throw VaultError.corrupt(detail: "an account has an unknown scope or form") }
    let account = Account(
      scope: scope, userName: try fields.text(2), domain: try fields.text(3), form: form,
      isDomainAdmin: try fields.bool(5), linksByName: try fields.bool(6))
    return AccountRecord(
      id: id, version: version, createdAt: try fields.integer(8),
      updatedAt: try fields.integer(9), account: account, signInName: try fields.text(7))
  }

  /// The account as a bundle carries it (fields 1 to 5; SECURITY.md, "Bundle format"), made
  /// from the bytes of its stored record, checked as `decode` checks them: export writes
  /// thousands of these. (`BundlePayload.record(_: AccountEntry)`, which tests build bundles
  /// with, writes the same bytes.)
  static func sharedRecord(_ plaintext: UnsafeRawBufferPointer) throws -> [UInt8] {
    let fields = try RecordDecoder(plaintext, table: table.rawValue)
    let scope = try fields.checkedText(1)
    let form = try fields.checkedText(4)
    guard Account.Scope(utf8: scope) != nil, Account.SignInForm(utf8: form) != nil else {
      throw VaultError.corrupt(detail: "an account has an unknown scope or form")
    }
    let user = try fields.checkedText(2)
    let domain = try fields.checkedText(3)
    let domainAdmin = try fields.bool(5)
    _ = (
      try fields.bool(6), try fields.checkedText(7), try fields.integer(8), try fields.integer(9)
    )
    var record = RecordEncoder(capacity: 32 + user.count + domain.count)
    record.add(1, scope)
    record.add(2, user)
    record.add(3, domain)
    record.add(4, form)
    record.add(5, domainAdmin)
    return record.bytes
  }

  /// The same from a record opened by a whole-table read.
  static func sharedRecord(_ row: OpenedRow) throws -> [UInt8] {
    guard row.lookup != nil else { throw VaultError.corrupt(detail: "an account row has no index") }
    return try sharedRecord(row.plaintext)
  }

  /// The sign-in name inside must give the row's blind index.
  func checkLookup(_ lookup: some DataProtocol, keys: VaultKeys) throws {
    guard
      try keys.lookup("account", Account.lookupKey(signInName: signInName)).elementsEqual(lookup)
    else {
      throw VaultError.lookupMismatch(table: Self.table.rawValue)
    }
  }
}
