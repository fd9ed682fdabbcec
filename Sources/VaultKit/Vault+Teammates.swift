import Foundation
import GRDB
import VaultCrypto

/// A pinned teammate.
public struct Teammate: Equatable, Sendable, Codable {
  public var name: String
  public var identity: PublicIdentity
}

extension Vault {
  // MARK: Teammates

  public func addTeammate(name: String, identity: PublicIdentity) throws {
    try Validation.profileName(name)
    try write { db in
      if try ensureIdentity(db) == identity {
        throw VaultError.invalidIdentity(reason: "that is this vault's own identity")
      }
      try insertTeammate(db, name: name, identity: identity)
    }
  }

  /// Teammate fields: 1 name, 2 identity string, 3 created at, 4 updated at.
  func insertTeammate(_ db: Database, name: String, identity: PublicIdentity) throws {
    let lookup = try keys.lookup("teammate", name.lowercased())
    if try Bool.fetchOne(db, sql: "SELECT 1 FROM teammates WHERE lookup = ?", arguments: [lookup])
      == true
    {
      throw VaultError.teammateExists(name: name)
    }
    let keyLookup = try keys.lookup("teammate-key", hexEncode(identity.boxKey + identity.signKey))
    if let row = try Row.fetchOne(
      db, sql: "SELECT id, lookup, key_lookup, version, record FROM teammates WHERE key_lookup = ?",
      arguments: [keyLookup])
    {
      throw VaultError.identityAlreadyPinned(name: try Self.decodeTeammate(row, keys: keys).name)
    }
    let now = Self.now()
    var record = RecordEncoder()
    record.add(1, name)
    record.add(2, identity.encoded)
    record.add(3, now)
    record.add(4, now)
    try putRow(
      db, .teammates, id: Random.rowID(), version: 1, previousVersion: nil,
      bound: BoundColumns(lookup: lookup, keyLookup: keyLookup), plaintext: record.bytes)
  }

  static func decodeTeammate(_ row: Row, keys: VaultKeys) throws -> Teammate {
    let id = try row.integer(0, table: "teammates")
    let bound = BoundColumns(
      lookup: try row.blob(1, table: "teammates"), keyLookup: try row.blob(2, table: "teammates"))
    let version = try row.integer(3, table: "teammates")
    let teammate = try keys.openRecord(
      try row.blob(4, table: "teammates"), .teammates, id: id, version: version, bound: bound
    ) {
      let fields = try RecordDecoder($0, table: "teammates")
      return Teammate(
        name: try fields.text(1), identity: try PublicIdentity(parsing: try fields.text(2)))
    }
    guard try keys.lookup("teammate", teammate.name.lowercased()) == bound.lookup,
      try keys.lookup(
        "teammate-key", hexEncode(teammate.identity.boxKey + teammate.identity.signKey))
        == bound.keyLookup
    else { throw VaultError.lookupMismatch(table: "teammates") }
    return teammate
  }

  public func teammates() throws -> [Teammate] {
    try read { db in try fetchTeammates(db) }.sorted { $0.name.lowercased() < $1.name.lowercased() }
  }

  /// The pinned teammates, after checking that none was removed, added back or rolled back
  /// in the file: who is trusted must be exactly who the user pinned.
  func fetchTeammates(_ db: Database) throws -> [Teammate] {
    try checkRowSet(db, [.teammates])
    return try Row.fetchAll(
      db, sql: "SELECT id, lookup, key_lookup, version, record FROM teammates"
    ).map {
      try Self.decodeTeammate($0, keys: keys)
    }
  }

  public func removeTeammate(name: String) throws {
    try write { db in
      let lookup = try keys.lookup("teammate", name.lowercased())
      guard
        let id = try Row.fetchOne(
          db, sql: "SELECT id FROM teammates WHERE lookup = ?", arguments: [lookup])
      else {
        throw VaultError.teammateNotFound(name: name)
      }
      try deleteRow(db, .teammates, id: try id.integer(0, table: "teammates"))
    }
  }
}
