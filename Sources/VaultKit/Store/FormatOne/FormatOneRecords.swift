import Foundation
import GRDB
import VaultCrypto

/// Format 1 stored each field of a row in its own box, bound to (vault, table, row id,
/// column). These readers exist only for `FormatUpgrade`, which moves the old tables aside as
/// `v1_<name>` and turns every row into a format-2 sealed record; nothing writes format 1.
enum FormatOne {
  static let profileColumns = [
    "name", "kind", "host", "port", "computer_name", "resource_group", "subscription", "tags",
    "note", "settings",
  ]
  static let accountColumns = [
    "scope", "user_name", "domain", "sign_in_form", "domain_admin", "links_by_name",
  ]

  struct StoredProfile {
    var id: Int64
    var accountID: Int64
    var createdAt: Int64
    var updatedAt: Int64
    var profile: Profile
  }

  struct StoredAccount {
    var id: Int64
    var createdAt: Int64
    var updatedAt: Int64
    var account: Account
  }

  static func profiles(_ db: Database, keys: VaultKeys) throws -> [StoredProfile] {
    let sql =
      "SELECT id, account_id, created_at, updated_at, " + profileColumns.joined(separator: ", ")
      + " FROM v1_profiles"
    return try Row.fetchAll(db, sql: sql).map { row in
      let id = try row.integer(0, table: "profiles")
      func open(_ index: Int) throws -> String {
        try keys.open(
          try row.blob(4 + index, table: "profiles"), table: "profiles",
          column: profileColumns[index], rowID: id)
      }
      guard let kind = AccountKind(rawValue: try open(1)), let port = Int(try open(3)) else {
        throw VaultError.corrupt(detail: "profile row has an unknown kind or port")
      }
      let tags = try open(7)
      let profile = Profile(
        name: try open(0), host: try open(2), port: port, computerName: try open(4), kind: kind,
        resourceGroup: try open(5), subscription: try open(6),
        tags: tags.isEmpty ? [] : tags.split(separator: "\n").map(String.init), note: try open(8),
        settings: try SettingsCoding.decode(try open(9)))
      return StoredProfile(
        id: id, accountID: try row.integer(1, table: "profiles"),
        createdAt: try row.integer(2, table: "profiles"),
        updatedAt: try row.integer(3, table: "profiles"), profile: profile)
    }
  }

  static func accounts(_ db: Database, keys: VaultKeys) throws -> [StoredAccount] {
    let hasLinks = try db.columns(in: "v1_accounts").contains { $0.name == "links_by_name" }
    let columns = hasLinks ? accountColumns : Array(accountColumns.dropLast())
    let sql =
      "SELECT id, created_at, updated_at, " + columns.joined(separator: ", ") + " FROM v1_accounts"
    return try Row.fetchAll(db, sql: sql).map { row in
      let id = try row.integer(0, table: "accounts")
      func open(_ index: Int) throws -> String {
        try keys.open(
          try row.blob(3 + index, table: "accounts"), table: "accounts",
          column: accountColumns[index], rowID: id)
      }
      guard let scope = Account.Scope(rawValue: try open(0)),
        let form = Account.SignInForm(rawValue: try open(3))
      else {
        throw VaultError.corrupt(detail: "account row has an unknown scope or form")
      }
      // NULL (an account stored before schema 3) means the user's own, linkable.
      let links = !hasLinks || row.hasNull(atIndex: 3 + 5) ? true : try open(5) == "1"
      let account = Account(
        scope: scope, userName: try open(1), domain: try open(2), form: form,
        isDomainAdmin: try open(4) == "1",
        linksByName: links)
      return StoredAccount(
        id: id, createdAt: try row.integer(1, table: "accounts"),
        updatedAt: try row.integer(2, table: "accounts"),
        account: account)
    }
  }

  /// Each account's password, opened straight into guarded memory, by account id.
  static func passwordBoxes(_ db: Database) throws -> [(Int64, Data)] {
    try Row.fetchAll(db, sql: "SELECT account_id, password FROM v1_account_secrets").map { row in
      guard let box = try row.blob(1, table: "account_secrets") else {
        throw VaultError.corrupt(detail: "account_secrets.password is missing")
      }
      return (try row.integer(0, table: "account_secrets"), box)
    }
  }
}
