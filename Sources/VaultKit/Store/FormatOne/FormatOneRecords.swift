import Foundation
import GRDB
import VaultCrypto

/// A row of `profiles`: clear ids and counters, and one box per field.
struct ProfileRecord {
  static let table = "profiles"

  var id: Int64
  var accountID: Int64
  var version: Int64
  var createdAt: Int64
  var updatedAt: Int64
  var profile: Profile

  /// The fields, each its own box, in column order.
  static let columns = [
    "name", "kind", "host", "port", "computer_name", "resource_group", "subscription", "tags",
    "note", "settings",
  ]

  private func plaintext() throws -> [String] {
    [
      profile.name, profile.kind.rawValue, profile.host, String(profile.port),
      profile.computerName, profile.resourceGroup, profile.subscription,
      profile.tags.joined(separator: "\n"), profile.note, try SettingsCoding.encode(profile.settings),
    ]
  }

  func save(_ db: Database, keys: VaultKeys, insert: Bool) throws {
    let boxes = try zip(Self.columns, plaintext()).map { column, value in
      try keys.seal(value, table: Self.table, column: column, rowID: id)
    }
    let lookup = try keys.lookup("profile", Profile.lookupKey(name: profile.name))
    let clear: [(String, (any DatabaseValueConvertible)?)] = [
      ("lookup", lookup), ("account_id", accountID), ("version", version),
      ("created_at", createdAt), ("updated_at", updatedAt),
    ]
    try RecordWriter.save(
      db, table: Self.table, id: id, clear: clear, boxed: Array(zip(Self.columns, boxes)),
      insert: insert)
  }

  /// Saves a change: one more version, a new update time.
  mutating func saveChange(_ db: Database, keys: VaultKeys) throws {
    version += 1
    updatedAt = Int64(Date().timeIntervalSince1970)
    try save(db, keys: keys, insert: false)
  }

  /// The columns `decode` reads, in the order it reads them by position.
  static let selection =
    "SELECT id, account_id, version, created_at, updated_at, "
    + columns.joined(separator: ", ") + " FROM profiles"

  /// Decodes a row of `selection`; `settings` is opened only when asked for, since `list`
  /// does not need it. Columns are read by position: this runs 100,000 times for `list`.
  static func decode(_ row: Row, keys: VaultKeys, withSettings: Bool = true) throws -> ProfileRecord {
    try decode(row, keys: keys, prefixes: keys.profilePrefixes, withSettings: withSettings)
  }

  /// As `decode`, with the prefixes passed in: safe to call from several threads at once.
  static func decode(_ row: Row, keys: VaultKeys, prefixes: [[UInt8]], withSettings: Bool) throws -> ProfileRecord {
    let id = try row.integer(0, table: table)
    func open(_ index: Int) throws -> String {
      try row.withBlob(5 + index, table: table) { data in
        try keys.open(data, prefix: prefixes[index], rowID: id, table: table, column: columns[index])
      }
    }
    let kindText = try open(1)
    guard let kind = AccountKind(rawValue: kindText), let port = Int(try open(3)) else {
      throw VaultError.corrupt(detail: "profile row has an unknown kind or port")
    }
    let tags = try open(7)
    let profile = Profile(
      name: try open(0), host: try open(2), port: port, computerName: try open(4), kind: kind,
      resourceGroup: try open(5), subscription: try open(6),
      tags: tags.isEmpty ? [] : tags.split(separator: "\n").map(String.init), note: try open(8),
      settings: withSettings ? try SettingsCoding.decode(try open(9)) : RDPSettings())
    return ProfileRecord(
      id: id, accountID: try row.integer(1, table: table), version: try row.integer(2, table: table),
      createdAt: try row.integer(3, table: table), updatedAt: try row.integer(4, table: table), profile: profile)
  }
}

/// A row of `accounts`.
struct AccountRecord {
  static let table = "accounts"
  static let columns = ["scope", "user_name", "domain", "sign_in_form", "domain_admin", "links_by_name"]

  var id: Int64
  var version: Int64
  var createdAt: Int64
  var updatedAt: Int64
  var account: Account
  /// The sign-in name the blind index is made of (a local account's needs its VM's name).
  var signInName: String

  func save(_ db: Database, keys: VaultKeys, insert: Bool) throws {
    let values = [
      account.scope.rawValue, account.userName, account.domain, account.form.rawValue,
      account.isDomainAdmin ? "1" : "0", account.linksByName ? "1" : "0",
    ]
    let boxes = try zip(Self.columns, values).map { column, value in
      try keys.seal(value, table: Self.table, column: column, rowID: id)
    }
    let lookup = try keys.lookup("account", Account.lookupKey(signInName: signInName))
    let clear: [(String, (any DatabaseValueConvertible)?)] = [
      ("lookup", lookup), ("version", version), ("created_at", createdAt),
      ("updated_at", updatedAt),
    ]
    try RecordWriter.save(
      db, table: Self.table, id: id, clear: clear, boxed: Array(zip(Self.columns, boxes)),
      insert: insert)
  }

  /// Saves a change: one more version, a new update time.
  mutating func saveChange(_ db: Database, keys: VaultKeys) throws {
    version += 1
    updatedAt = Int64(Date().timeIntervalSince1970)
    try save(db, keys: keys, insert: false)
  }

  /// The columns `decode` reads by position.
  static let selection =
    "SELECT id, version, created_at, updated_at, " + columns.joined(separator: ", ") + " FROM accounts"

  static func decode(_ row: Row, keys: VaultKeys) throws -> AccountRecord {
    let id = try row.integer(0, table: table)
    let prefixes = keys.accountPrefixes
    func open(_ index: Int) throws -> String {
      try row.withBlob(4 + index, table: table) { data in
        try keys.open(data, prefix: prefixes[index], rowID: id, table: table, column: columns[index])
      }
    }
    // By position in `columns`: scope, user_name, domain, sign_in_form, domain_admin,
    // links_by_name (NULL in accounts stored before schema 3: the user's own, linkable).
    guard let scope = Account.Scope(rawValue: try open(0)), let form = Account.SignInForm(rawValue: try open(3))
    else { throw VaultError.corrupt(detail: "account row has an unknown scope or form") }
    let linksByName = row.hasNull(atIndex: 4 + 5) ? true : try open(5) == "1"
    let account = Account(
      scope: scope, userName: try open(1), domain: try open(2), form: form, isDomainAdmin: try open(4) == "1",
      linksByName: linksByName)
    return AccountRecord(
      id: id, version: try row.integer(1, table: table), createdAt: try row.integer(2, table: table),
      updatedAt: try row.integer(3, table: table), account: account, signInName: "")
  }
}

/// Writes a row's clear columns and boxes with one statement.
enum RecordWriter {
  static func save(
    _ db: Database, table: String, id: Int64, clear: [(String, (any DatabaseValueConvertible)?)],
    boxed: [(String, Data)], insert: Bool
  ) throws {
    let names = clear.map(\.0) + boxed.map(\.0)
    var arguments = StatementArguments(clear.map(\.1) + boxed.map { $0.1 as (any DatabaseValueConvertible)? })
    if insert {
      arguments = [id] + arguments
      let placeholders = Array(repeating: "?", count: names.count + 1).joined(separator: ", ")
      // Cached: an import writes thousands of rows with the same statement.
      try db.cachedStatement(
        sql: "INSERT INTO \(table) (id, \(names.joined(separator: ", "))) VALUES (\(placeholders))"
      ).execute(arguments: arguments)
    } else {
      arguments += [id]
      let assignments = names.map { "\($0) = ?" }.joined(separator: ", ")
      try db.cachedStatement(sql: "UPDATE \(table) SET \(assignments) WHERE id = ?").execute(arguments: arguments)
    }
  }
}

/// The settings column: JSON with sorted keys, so equal settings give equal plaintext.
enum SettingsCoding {
  static func encode(_ settings: RDPSettings) throws -> String {
    if settings.isEmpty { return "" }
    // By hand, as JSONEncoder would with sorted keys: bulk adds and imports write thousands.
    var out: [UInt8] = []
    JSONText.object(
      [
        ("extraLines", { JSONText.array(settings.extraLines, &$0) }),
        ("options", { JSONText.dictionary(settings.options, &$0) }),
        ("values", { JSONText.dictionary(settings.values, &$0) }),
      ], &out)
    return String(decoding: out, as: UTF8.self)
  }

  static func decode(_ text: String) throws -> RDPSettings {
    if text.isEmpty { return RDPSettings() }
    do {
      return try JSONDecoder().decode(RDPSettings.self, from: Data(text.utf8))
    } catch {
      throw VaultError.corrupt(detail: "profile settings cannot be read")
    }
  }
}
