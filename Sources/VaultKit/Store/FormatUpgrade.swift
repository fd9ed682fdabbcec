import Foundation
import GRDB
import VaultCrypto

/// Turns a format-1 vault (a box per field) into format 2 (a sealed record per row) in one
/// transaction, on the first open with the passphrase: a crash or `kill -9` at any point
/// leaves the old vault or the new one, and both open. A new vault is made in format 2
/// directly, through `restructure`.
enum FormatUpgrade {
  /// Replaces the format-1 tables (which the numbered migrations make) with format 2's and
  /// gives the header its sealed row-set digests, all zero: an empty vault.
  static func restructure(_ db: Database, keys: VaultKeys) throws {
    for table in FormatTwoSchema.formatOneTables where try db.tableExists(table) {
      try db.execute(sql: "DROP TABLE \(table)")
    }
    try db.execute(sql: FormatTwoSchema.tables)
    if try !db.columns(in: "vault_header").contains(where: { $0.name == "row_digests" }) {
      try db.execute(sql: "ALTER TABLE vault_header ADD COLUMN row_digests BLOB")
    }
    try db.execute(
      sql: "UPDATE vault_header SET row_digests = ?, format_version = 2 WHERE id = 1",
      arguments: [try keys.sealRowSet([UInt8](repeating: 0, count: VaultKeys.rowSetLength))])
  }

  /// Moves the format-1 tables aside, makes format 2's, writes each old row again as a
  /// sealed record, and drops the old tables: one transaction.
  static func upgrade(_ vault: Vault, wrappedKey: [UInt8]) throws {
    let keys = vault.keys
    try vault.write { db in
      guard try db.columns(in: "profiles").contains(where: { $0.name == "name" }),
        try !db.columns(in: "vault_header").contains(where: { $0.name == "row_digests" })
      else {
        throw VaultError.corrupt(
          detail: "the header says format 1 but the tables are not format 1's")
      }
      try FormatTwoSchema.refuseForeignObjects(db)
      for index in ["profiles_account", "accounts_lookup"] {
        try db.execute(sql: "DROP INDEX IF EXISTS \(index)")
      }
      for table in FormatTwoSchema.formatOneTables {
        try db.execute(sql: "ALTER TABLE \(table) RENAME TO v1_\(table)")
      }
      try restructure(db, keys: keys)
      try db.execute(
        sql: "UPDATE vault_header SET wrapped_key = ? WHERE id = 1", arguments: [Data(wrappedKey)])

      let profiles = try FormatOne.profiles(db, keys: keys)
      // A local account's sign-in name needs its VM's computer name.
      var computerOf: [Int64: String] = [:]
      for stored in profiles { computerOf[stored.accountID] = stored.profile.computerName }
      for stored in try FormatOne.accounts(db, keys: keys) {
        let signIn = stored.account.signInName(computerName: computerOf[stored.id] ?? "")
        try AccountRecord(
          id: stored.id, version: 1, createdAt: stored.createdAt, updatedAt: stored.updatedAt,
          account: stored.account,
          signInName: signIn
        ).save(db, vault: vault, previousVersion: nil)
      }
      for stored in profiles {
        try ProfileRecord(
          id: stored.id, accountID: stored.accountID, version: 1, createdAt: stored.createdAt,
          updatedAt: stored.updatedAt,
          profile: stored.profile
        ).save(db, vault: vault, previousVersion: nil)
      }
      for (id, box) in try FormatOne.passwordBoxes(db) {
        let password = try keys.openSecret(
          box, table: "account_secrets", column: "password", rowID: id)
        try vault.storePassword(db, accountID: id, password: password)
      }
      if let row = try Row.fetchOne(db, sql: "SELECT * FROM v1_identity WHERE id = 1") {
        func open(_ column: String) throws -> String {
          try keys.open(
            try row.blob(column, table: "identity"), table: "identity", column: column, rowID: 1)
        }
        func secret(_ column: String) throws -> SecretBytes {
          try keys.openSecret(
            try row.blob(column, table: "identity"), table: "identity", column: column, rowID: 1)
        }
        let plaintext = try Vault.identityPlaintext(
          boxPublic: try hexDecode(try open("box_public")), boxSecret: try secret("box_secret"),
          signPublic: try hexDecode(try open("sign_public")), signSecret: try secret("sign_secret"),
          nextSequence: try row.integer("next_sequence", table: "identity"),
          createdAt: try row.integer("created_at", table: "identity"))
        try vault.putIdentity(db, plaintext: plaintext, version: 1, previousVersion: nil)
      }
      for row in try Row.fetchAll(db, sql: "SELECT * FROM v1_teammates") {
        let id = try row.integer("id", table: "teammates")
        let name = try keys.open(
          try row.blob("name", table: "teammates"), table: "teammates", column: "name", rowID: id)
        let text = try keys.open(
          try row.blob("identity", table: "teammates"), table: "teammates", column: "identity",
          rowID: id)
        let identity = try PublicIdentity(parsing: text)
        var record = RecordEncoder()
        record.add(1, name)
        record.add(2, text)
        record.add(3, try row.integer("created_at", table: "teammates"))
        record.add(4, try row.integer("updated_at", table: "teammates"))
        try vault.putRow(
          db, .teammates, id: id, version: 1, previousVersion: nil,
          bound: BoundColumns(
            lookup: try keys.lookup("teammate", name.lowercased()),
            keyLookup: try keys.lookup(
              "teammate-key", hexEncode(identity.boxKey + identity.signKey))),
          plaintext: record.bytes)
      }
      for row in try Row.fetchAll(db, sql: "SELECT bundle_lookup, imported_at FROM v1_seen_bundles")
      {
        guard let lookup = try row.blob(0, table: "seen_bundles") else {
          throw VaultError.corrupt(detail: "seen_bundles has a row without its index")
        }
        try vault.putReplayRow(
          db, .seenBundles, lookup: lookup, value: try row.integer(1, table: "seen_bundles"),
          replacing: nil)
      }
      for row in try Row.fetchAll(
        db, sql: "SELECT sender_lookup, last_sequence FROM v1_sender_sequences")
      {
        guard let lookup = try row.blob(0, table: "sender_sequences") else {
          throw VaultError.corrupt(detail: "sender_sequences has a row without its index")
        }
        try vault.putReplayRow(
          db, .senderSequences, lookup: lookup,
          value: try row.integer(1, table: "sender_sequences"), replacing: nil)
      }
      for table in FormatTwoSchema.formatOneTables { try db.execute(sql: "DROP TABLE v1_\(table)") }
    }
  }
}
