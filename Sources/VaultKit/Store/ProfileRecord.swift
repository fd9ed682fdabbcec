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

  /// Inserts the row, or (with `previousVersion`) replaces that version of it.
  func save(_ db: Database, vault: Vault, previousVersion: Int64?) throws {
    let bound = BoundColumns(
      lookup: try vault.keys.lookup("profile", Profile.lookupKey(name: profile.name)),
      accountID: accountID)
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

  /// `checkLookup: false` is for whole-table reads, which find no row by its index; the index
  /// is bound into the record's associated data either way (`verify` recomputes them all).
  static func decode(
    _ row: SealedRow, keys: VaultKeys, withSettings: Bool = true, checkLookup: Bool = true
  ) throws
    -> ProfileRecord
  {
    let name = table.rawValue
    guard let lookup = row.bound.lookup, let accountID = row.bound.accountID else {
      throw VaultError.corrupt(detail: "a profile row has no index or account link")
    }
    let record = try keys.openRecord(
      row.record, table, id: row.id, version: row.version, bound: row.bound
    ) { plaintext in
      let fields = try RecordDecoder(plaintext, table: name)
      guard let kind = AccountKind(rawValue: try fields.text(2)),
        let port = Int(exactly: try fields.integer(4))
      else {
        throw VaultError.corrupt(detail: "a profile has an unknown kind or port")
      }
      let profile = Profile(
        name: try fields.text(1), host: try fields.text(3), port: port,
        computerName: try fields.text(5), kind: kind,
        resourceGroup: try fields.text(6), subscription: try fields.text(7),
        tags: try fields.texts(8),
        note: try fields.text(9),
        settings: withSettings ? try SettingsCoding.decode(try fields.text(10)) : RDPSettings())
      return ProfileRecord(
        id: row.id, accountID: accountID, version: row.version, createdAt: try fields.integer(11),
        updatedAt: try fields.integer(12), profile: profile)
    }
    guard
      try !checkLookup
        || (keys.lookup("profile", Profile.lookupKey(name: record.profile.name)) == lookup)
    else {
      throw VaultError.lookupMismatch(table: name)
    }
    return record
  }
}
