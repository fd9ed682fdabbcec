import Foundation
import GRDB
import VaultCrypto

/// A row of `profiles`: the clear `lookup` (blind index of the name) and `account_id` link,
/// and one sealed record bound to both. Record fields (SECURITY.md): 1 name, 2 kind, 3 host,
/// 4 port, 5 computer name, 6 resource group, 7 subscription, 8 tag (repeated), 9 note,
/// 10 settings (JSON), 11 created at, 12 updated at.
struct ProfileRecord {
  static let table = StoredTable.profiles

  var id: Int64
  var accountID: Int64
  var version: Int64
  var createdAt: Int64
  var updatedAt: Int64
  var profile: Profile

  static let selection = table.selection

  func plaintext() throws -> [UInt8] {
    var record = RecordEncoder(capacity: 256)
    record.add(1, profile.name)
    record.add(2, profile.kind.rawValue)
    record.add(3, profile.host)
    record.add(4, Int64(profile.port))
    record.add(5, profile.computerName)
    record.add(6, profile.resourceGroup)
    record.add(7, profile.subscription)
    for tag in profile.tags { record.add(8, tag) }
    record.add(9, profile.note)
    record.add(10, try SettingsCoding.encode(profile.settings))
    record.add(11, createdAt)
    record.add(12, updatedAt)
    return record.bytes
  }

  /// The clear columns the record is bound to, `lookup` being the index of its name.
  func bound(lookup: Data) -> BoundColumns { BoundColumns(lookup: lookup, accountID: accountID) }

  /// Inserts the row, or (with `previousVersion`) replaces that version of it.
  func save(_ db: Database, vault: Vault, previousVersion: Int64?) throws {
    let bound = bound(
      lookup: try vault.keys.lookup("profile", Profile.lookupKey(name: profile.name)))
    try vault.putRow(
      db, Self.table, id: id, version: version, previousVersion: previousVersion, bound: bound,
      plaintext: try plaintext())
  }

  /// Saves a change: one more version, a new update time.
  mutating func saveChange(_ db: Database, vault: Vault) throws {
    let previous = version
    version = try Vault.nextVersion(after: version)
    updatedAt = Vault.now()
    try save(db, vault: vault, previousVersion: previous)
  }

  /// Decodes a row of `selection`. The record must open under the row's clear columns, and
  /// the name inside must give the row's blind index: a swapped index is damage. Settings are
  /// decoded only when asked for (`list` does not need them).
  static func decode(_ row: Row, keys: VaultKeys, withSettings: Bool = true) throws -> ProfileRecord
  {
    try SealedRow.with(row, table) { try decode($0, keys: keys, withSettings: withSettings) }
  }

  /// A row read on its own (or by `verify`). Whole-table reads open `OpenedRow`s, whose
  /// index is bound into the associated data all the same.
  static func decode(_ row: SealedRow, keys: VaultKeys, withSettings: Bool = true) throws
    -> ProfileRecord
  {
    guard let lookup = row.bound.lookup, let accountID = row.bound.accountID else {
      throw VaultError.corrupt(detail: "a profile row has no index or account link")
    }
    let record = try keys.openRecord(
      row.record, table, id: row.id, version: row.version, bound: row.bound
    ) { plaintext in
      try decode(
        plaintext, id: row.id, version: row.version, accountID: accountID,
        withSettings: withSettings)
    }
    try record.checkLookup(lookup, keys: keys)
    return record
  }

  /// A record opened by a whole-table read.
  static func decode(_ row: OpenedRow, withSettings: Bool = true) throws -> ProfileRecord {
    guard row.lookup != nil, let accountID = row.accountID else {
      throw VaultError.corrupt(detail: "a profile row has no index or account link")
    }
    return try decode(
      row.plaintext, id: row.id, version: row.version, accountID: accountID,
      withSettings: withSettings)
  }

  private static func decode(
    _ plaintext: UnsafeRawBufferPointer, id: Int64, version: Int64, accountID: Int64,
    withSettings: Bool
  ) throws -> ProfileRecord {
    let fields = try ProfileFields(plaintext)
    let profile = try fields.profile(withSettings: withSettings)
    return ProfileRecord(
      id: id, accountID: accountID, version: version, createdAt: fields.createdAt,
      updatedAt: fields.updatedAt, profile: profile)
  }

  /// The name inside must give the row's blind index.
  func checkLookup(_ lookup: some DataProtocol, keys: VaultKeys) throws {
    guard try keys.lookup("profile", Profile.lookupKey(name: profile.name)).elementsEqual(lookup)
    else {
      throw VaultError.lookupMismatch(table: Self.table.rawValue)
    }
  }
}

/// A profile record's fields, checked but left in its bytes: every text is UTF-8, the kind
/// and port are known, both times are there. `ProfileRecord.decode` makes a `Profile` of it;
/// `list --json` writes it out as it is (`ProfileJSONWriter`).
struct ProfileFields {
  let name: UnsafeRawBufferPointer
  let kind: AccountKind
  let host: UnsafeRawBufferPointer
  let port: Int
  let computerName: UnsafeRawBufferPointer
  let resourceGroup: UnsafeRawBufferPointer
  let subscription: UnsafeRawBufferPointer
  let note: UnsafeRawBufferPointer
  /// The settings JSON (`SettingsCoding`), empty for none.
  let settings: UnsafeRawBufferPointer
  let createdAt: Int64
  let updatedAt: Int64
  private let fields: RecordDecoder

  init(_ plaintext: UnsafeRawBufferPointer) throws {
    fields = try RecordDecoder(plaintext, table: ProfileRecord.table.rawValue)
    guard let kind = AccountKind(utf8: try fields.checkedText(2)),
      let port = Int(exactly: try fields.integer(4))
    else {
      throw VaultError.corrupt(detail: "a profile has an unknown kind or port")
    }
    self.kind = kind
    self.port = port
    name = try fields.checkedText(1)
    host = try fields.checkedText(3)
    computerName = try fields.checkedText(5)
    resourceGroup = try fields.checkedText(6)
    subscription = try fields.checkedText(7)
    note = try fields.checkedText(9)
    settings = try fields.checkedText(10)
    createdAt = try fields.integer(11)
    updatedAt = try fields.integer(12)
    try fields.forEach(8) {
      guard isValidUTF8($0) else {
        throw RecordDecoder.damage(ProfileRecord.table.rawValue, "text that is not UTF-8")
      }
    }
  }

  /// The `Profile` these fields hold; its settings only when asked for.
  func profile(withSettings: Bool) throws -> Profile {
    var tags: [String] = []
    forEachTag { tags.append(String(decoding: $0, as: UTF8.self)) }
    return Profile(
      name: String(decoding: name, as: UTF8.self), host: String(decoding: host, as: UTF8.self),
      port: port, computerName: String(decoding: computerName, as: UTF8.self), kind: kind,
      resourceGroup: String(decoding: resourceGroup, as: UTF8.self),
      subscription: String(decoding: subscription, as: UTF8.self), tags: tags,
      note: String(decoding: note, as: UTF8.self),
      settings: withSettings ? try SettingsCoding.decode(settings) : RDPSettings())
  }

  /// The record's size in bytes.
  var byteCount: Int { fields.bytes.count }

  /// The tags, in order (checked as UTF-8 by init).
  func forEachTag(_ body: (UnsafeRawBufferPointer) -> Void) { fields.forEach(8, body) }
}
