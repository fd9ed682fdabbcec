import Foundation
import GRDB
import Testing
import VaultCrypto

@testable import VaultKit

/// Someone who can write the vault file but not read it: every clear column of every table
/// changed in turn, lookups and links swapped, rows deleted, replay state cleared or rolled
/// back. Each is found, by the command that touches the row or by `verify`, as an error.
struct TamperTests {
  /// Bob's vault after a VM of each kind, a teammate and an imported bundle: a row in every
  /// table. Returns the bundle, to import again.
  static func populated() throws -> (team: SharingTests.Team, bundle: [UInt8], second: [UInt8]) {
    let team = try SharingTests.team()
    try team.alice.addLocal("shared-01", password: "from alice")
    let bundle = try team.alice.exportBundle(
      names: ["shared-01"], all: false, tag: nil, to: ["bob"], includeSecrets: true)
    try team.alice.addLocal("shared-02", password: "from alice 2")
    let second = try team.alice.exportBundle(
      names: ["shared-02"], all: false, tag: nil, to: ["bob"], includeSecrets: true)
    let bob = team.bob
    try bob.addLocal("web-01", host: "10.0.0.1", password: "local one")
    try bob.addLocal("web-02", host: "10.0.0.2", password: "local two")
    try bob.addDomain("app-01", user: "CONTOSO\\alice", admin: true, password: "domain pw")
    try bob.addDomain("dc-01", kind: .dc, user: "CONTOSO\\alice", password: nil)
    _ = try bob.importBundle(bundle, trust: false, onConflict: .skip)
    #expect(try bob.verify().isSound)
    return (team, bundle, second)
  }

  /// Runs `sql` on a copy of Bob's vault and returns the copy, opened.
  static func tampered(_ team: SharingTests.Team, _ sql: String) throws -> (Vault, DatabaseQueue) {
    let copy = try DatabaseQueue()
    try team.bobQueue.backup(to: copy)
    try copy.writeWithoutTransaction { db in
      try db.execute(sql: "PRAGMA foreign_keys = OFF")
      try db.execute(sql: sql)
      try db.execute(sql: "PRAGMA foreign_keys = ON")
    }
    return (try Vault.open(in: copy, passphrase: try secret("correct horse")), copy)
  }

  static func first(_ table: String) -> String { "(SELECT id FROM \(table) ORDER BY id LIMIT 1)" }

  /// Swaps `column` between the first row of `table` and the next one whose value differs
  /// (through a placeholder, since the column may be unique).
  static func swap(_ table: String, _ column: String) -> String {
    """
    CREATE TEMP TABLE pair AS SELECT id, \(column) AS value FROM \(table) WHERE id = \(first(table))
      UNION ALL SELECT * FROM (SELECT id, \(column) FROM \(table)
        WHERE \(column) != (SELECT \(column) FROM \(table) WHERE id = \(first(table))) ORDER BY id LIMIT 1);
    UPDATE \(table) SET \(column) = randomblob(32) WHERE id IN (SELECT id FROM pair);
    UPDATE \(table) SET \(column) = (SELECT value FROM pair WHERE pair.id != \(table).id) WHERE id IN (SELECT id FROM pair);
    DROP TABLE pair;
    """
  }

  @Test(arguments: [
    // Each clear column of each table, changed in place.
    "UPDATE profiles SET lookup = randomblob(32) WHERE id = \(first("profiles"))",
    "UPDATE profiles SET account_id = (SELECT id FROM accounts WHERE id != profiles.account_id LIMIT 1) WHERE id = \(first("profiles"))",
    "UPDATE profiles SET version = version + 1 WHERE id = \(first("profiles"))",
    "UPDATE accounts SET lookup = randomblob(32) WHERE id = \(first("accounts"))",
    "UPDATE accounts SET version = version + 1 WHERE id = \(first("accounts"))",
    "UPDATE account_secrets SET version = version + 1 WHERE id = \(first("account_secrets"))",
    "UPDATE identity SET version = version + 1",
    "UPDATE teammates SET lookup = randomblob(32)",
    "UPDATE teammates SET key_lookup = randomblob(32)",
    "UPDATE teammates SET version = version + 1",
    "UPDATE seen_bundles SET lookup = randomblob(32)",
    "UPDATE seen_bundles SET version = version + 1",
    "UPDATE sender_sequences SET lookup = randomblob(32)",
    "UPDATE sender_sequences SET version = version + 1",
    // Two rows' lookups or links swapped.
    swap("profiles", "lookup"), swap("profiles", "account_id"), swap("accounts", "lookup"),
    // A row deleted from each table.
    "DELETE FROM profiles WHERE id = \(first("profiles"))",
    "DELETE FROM accounts WHERE id = \(first("accounts"))",
    "DELETE FROM account_secrets WHERE id = \(first("account_secrets"))",
    "DELETE FROM identity",
    "DELETE FROM teammates",
    "DELETE FROM seen_bundles",
    "DELETE FROM sender_sequences",
  ])
  func everyChangeIsFoundByVerify(_ sql: String) throws {
    let (team, _, _) = try Self.populated()
    let (vault, _) = try Self.tampered(team, sql)
    let report = try vault.verify()
    #expect(!report.isSound, "not found: \(sql)")
  }

  /// The commands that read a row notice its damage themselves, as an error, never a crash.
  @Test func theCommandThatTouchesARowNoticesIt() throws {
    let (team, _, _) = try Self.populated()
    let (vault, _) = try Self.tampered(team, Self.swap("profiles", "lookup"))
    for name in ["web-01", "web-02", "app-01", "dc-01", "shared-01"] {
      do {
        _ = try vault.password(forProfile: name)
      } catch let error as VaultError {
        if case .profileNotFound = error {
          Issue.record("\(name): a swapped index must not look like a missing VM")
        }
      }
    }
    // `list` finds it in the row-set digest first (the index is part of each row's element).
    #expect(throws: VaultError.rowSetMismatch(table: "profiles")) { try vault.profiles() }
    #expect(throws: VaultError.rowSetMismatch(table: "profiles")) {
      try vault.listJSON(matching: ProfileFilter()).bytes
    }

    let (linked, _) = try Self.tampered(
      team,
      "UPDATE profiles SET account_id = (SELECT id FROM accounts WHERE id != profiles.account_id LIMIT 1) WHERE id = \(Self.first("profiles"))"
    )
    #expect(throws: VaultError.rowSetMismatch(table: "profiles")) { try linked.profiles() }
    #expect(throws: VaultError.rowSetMismatch(table: "profiles")) {
      try linked.listJSON(matching: ProfileFilter(tags: ["prod"])).bytes
    }
    // One-row reads open the record, which fails under the moved link: exactly the one row
    // moved is refused, by its name and by its password, and never hands out another's.
    var refused: [String] = []
    for name in ["web-01", "web-02", "app-01", "dc-01", "shared-01"] {
      do {
        _ = try linked.profile(named: name)
      } catch let error as VaultError {
        #expect(error == .tampered(table: "profiles", column: "record"), "\(name): \(error)")
        #expect(throws: VaultError.tampered(table: "profiles", column: "record")) {
          _ = try linked.password(forProfile: name)
        }
        refused.append(name)
      }
    }
    #expect(refused.count == 1, "the moved link must be refused, and only it: \(refused)")

    // A record put under another version does not open, whatever the row-set digest says.
    let (versioned, _) = try Self.tampered(team, "UPDATE account_secrets SET version = version + 1")
    for name in ["web-01", "web-02", "app-01"] {
      #expect(throws: VaultError.tampered(table: "account_secrets", column: "record")) {
        _ = try versioned.password(forProfile: name)
      }
    }

    let (deleted, _) = try Self.tampered(
      team, "DELETE FROM profiles WHERE id = \(Self.first("profiles"))")
    #expect(throws: VaultError.rowSetMismatch(table: "profiles")) { try deleted.profiles() }
    #expect(throws: VaultError.rowSetMismatch(table: "profiles")) { try deleted.accounts() }
  }

  /// Clearing or rolling back the replay record would let an old bundle in again.
  @Test func aClearedOrRolledBackReplayRecordRefusesTheImport() throws {
    let (team, bundle, second) = try Self.populated()
    for sql in [
      "DELETE FROM seen_bundles", "DELETE FROM sender_sequences",
      // Found in review: new indexes hide the rows from the lookup without deleting them.
      "UPDATE seen_bundles SET lookup = randomblob(32)",
      "UPDATE sender_sequences SET lookup = randomblob(32)",
    ] {
      let (vault, _) = try Self.tampered(team, sql)
      #expect(throws: VaultError.replayStateTampered) {
        try vault.importBundle(bundle, trust: false, onConflict: .rename)
      }
      #expect(throws: VaultError.replayStateTampered) {
        try vault.importBundle(second, trust: false, onConflict: .rename)
      }
    }
    // Rolled back: the sender's row put back to what it was before a later import.
    let old = try team.bobQueue.read { db in
      try Row.fetchOne(db, sql: "SELECT version, record FROM sender_sequences")!
    }
    _ = try team.bob.importBundle(second, trust: false, onConflict: .skip)
    try team.bobQueue.write { db in
      try db.execute(
        sql: "UPDATE sender_sequences SET version = ?, record = ?",
        arguments: [old["version"] as Int64, old["record"] as Data])
      try db.execute(sql: "DELETE FROM seen_bundles")
    }
    #expect(throws: VaultError.replayStateTampered) {
      try team.bob.importBundle(second, trust: false, onConflict: .rename)
    }
  }

  /// Found in review: a format-2 header marked as format 1 would let old tables through the
  /// upgrade; a trigger could rewrite every new row; clear counters could overflow.
  @Test func aDowngradeATriggerAndAnOverflowAreRefused() throws {
    let (team, _, _) = try Self.populated()
    let copy = try DatabaseQueue()
    try team.bobQueue.backup(to: copy)
    try copy.write { try $0.execute(sql: "UPDATE vault_header SET format_version = 1") }
    #expect(throws: VaultError.wrongPassphrase) {
      try Vault.open(in: copy, passphrase: try secret("correct horse"))
    }

    let triggered = try DatabaseQueue()
    try team.bobQueue.backup(to: triggered)
    try triggered.write {
      try $0.execute(
        sql:
          "CREATE TRIGGER t AFTER INSERT ON seen_bundles BEGIN UPDATE seen_bundles SET lookup = randomblob(32); END"
      )
    }
    expectVaultError({ _ = try Vault.open(in: triggered, passphrase: try secret("correct horse")) })
    {
      if case .corrupt(let detail) = $0 { detail.contains("trigger or view") } else { false }
    }

    let (overflowed, _) = try Self.tampered(
      team, "UPDATE account_secrets SET version = 9223372036854775807")
    expectVaultError({
      try overflowed.setAccountPassword("CONTOSO\\alice", password: try secret("x"))
    }) { _ in true }
  }

  /// Found in review: a removed teammate put back, or a deleted identity, must not pass.
  @Test func aTeammatePutBackAndADeletedIdentityAreDamage() throws {
    let (team, bundle, _) = try Self.populated()
    let (noTeammates, _) = try Self.tampered(team, "DELETE FROM teammates")
    #expect(throws: VaultError.rowSetMismatch(table: "teammates")) { try noTeammates.teammates() }
    #expect(throws: VaultError.rowSetMismatch(table: "teammates")) {
      try noTeammates.importBundle(bundle, trust: false, onConflict: .rename)
    }
    let (noIdentity, _) = try Self.tampered(team, "DELETE FROM identity")
    #expect(throws: VaultError.rowSetMismatch(table: "identity")) { try noIdentity.identity() }
  }
}
