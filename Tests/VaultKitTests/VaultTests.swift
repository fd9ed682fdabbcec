import Foundation
import GRDB
import Testing
import VaultCrypto

@testable import VaultKit

struct VaultTests {
  @Test func rightPassphraseOpensWrongOneIsRejected() throws {
    let (vault, queue) = try memoryVault()
    try vault.addLocal("web-01", password: "pw-1")
    let reopened = try Vault.open(in: queue, passphrase: try secret("correct horse"))
    #expect(text(of: try reopened.password(forProfile: "web-01")) == "pw-1")
    #expect(throws: VaultError.wrongPassphrase) {
      try Vault.open(in: queue, passphrase: try secret("correct horse "))
    }
  }

  @Test func emptyPassphraseIsRefused() throws {
    #expect(throws: VaultError.emptyPassphrase) {
      try Vault.create(in: try DatabaseQueue(), passphrase: try secret(""), kdf: testKDF)
    }
  }

  /// Out-of-range parameters read from the header are refused before Argon2id runs, so a
  /// tampered header cannot make the binary allocate 100 GiB.
  @Test(arguments: [
    (Int64(2), Int64(100) << 30), (Int64(1), Int64(64) << 20), (Int64(1000), Int64(64) << 20),
    (Int64(2), Int64(1024)), (Int64(-1), Int64(64) << 20), (Int64(2), Int64(-5)),
  ])
  func outOfRangeHeaderIsRefused(ops: Int64, mem: Int64) throws {
    let (_, queue) = try memoryVault()
    try queue.write {
      try $0.execute(
        sql: "UPDATE vault_header SET kdf_opslimit = ?, kdf_memlimit = ?", arguments: [ops, mem])
    }
    #expect(
      throws: VaultError.kdfOutOfRange(
        opsLimit: UInt64(bitPattern: ops), memLimit: UInt64(bitPattern: mem))
    ) {
      try Vault.open(in: queue, passphrase: try secret("correct horse"))
    }
  }

  /// Lowering the cost in the header does not help an attacker: the key no longer unwraps.
  /// `passwd` bumps the key version; an older wrap put back with a newer version (or the
  /// reverse) does not open.
  @Test func aChangedKeyVersionBreaksTheWrap() throws {
    let (_, queue) = try memoryVault()
    try queue.write { try $0.execute(sql: "UPDATE vault_header SET key_version = key_version + 1") }
    #expect(throws: VaultError.wrongPassphrase) {
      try Vault.open(in: queue, passphrase: try secret("correct horse"))
    }
  }

  @Test func inRangeHeaderChangeBreaksTheWrap() throws {
    let (_, queue) = try memoryVault()
    try queue.write { try $0.execute(sql: "UPDATE vault_header SET kdf_opslimit = 3") }
    #expect(throws: VaultError.wrongPassphrase) {
      try Vault.open(in: queue, passphrase: try secret("correct horse"))
    }
  }

  @Test func changingThePassphraseKeepsEveryRecord() throws {
    let (vault, queue) = try memoryVault()
    try vault.addLocal("web-01", password: "local-pw")
    try vault.addDomain("app-01", user: "CONTOSO\\alice", admin: true, password: "domain-pw")
    try vault.addDomain("dc-01", kind: .dc, user: "CONTOSO\\alice", password: nil)
    let before = try vault.profiles(withSettings: true)
    let wrappedBefore = try queue.read {
      try Data.fetchOne($0, sql: "SELECT wrapped_key FROM vault_header")
    }
    let profileRowsBefore = try queue.read {
      try Row.fetchAll($0, sql: "SELECT * FROM profiles ORDER BY id")
    }

    try vault.changePassphrase(
      current: try secret("correct horse"), new: try secret("battery staple"), kdf: .interactive)

    // Only the key wrap changed.
    let wrappedAfter = try queue.read {
      try Data.fetchOne($0, sql: "SELECT wrapped_key FROM vault_header")
    }
    #expect(wrappedAfter != wrappedBefore)
    #expect(
      try queue.read { try Row.fetchAll($0, sql: "SELECT * FROM profiles ORDER BY id") }
        == profileRowsBefore)
    #expect(throws: VaultError.wrongPassphrase) {
      try Vault.open(in: queue, passphrase: try secret("correct horse"))
    }
    let reopened = try Vault.open(in: queue, passphrase: try secret("battery staple"))
    #expect(try reopened.profiles(withSettings: true) == before)
    #expect(text(of: try reopened.password(forProfile: "web-01")) == "local-pw")
    #expect(text(of: try reopened.password(forProfile: "dc-01")) == "domain-pw")
  }

  @Test func passwdWithWrongCurrentPassphraseChangesNothing() throws {
    let (vault, queue) = try memoryVault()
    #expect(throws: VaultError.wrongPassphrase) {
      try vault.changePassphrase(current: try secret("nope"), new: try secret("x"))
    }
    _ = try Vault.open(in: queue, passphrase: try secret("correct horse"))
  }

  @Test func aRecordMovedToAnotherRowFails() throws {
    let (vault, queue) = try memoryVault()
    try vault.addLocal("web-01", host: "10.0.0.1", password: "a")
    try vault.addLocal("web-02", host: "10.0.0.2", password: "b")
    try queue.write { db in
      let rows = try Row.fetchAll(db, sql: "SELECT id, record FROM profiles ORDER BY id")
      try db.execute(
        sql: "UPDATE profiles SET record = ? WHERE id = ?",
        arguments: [rows[1]["record"] as Data, rows[0]["id"] as Int64])
    }
    #expect(throws: VaultError.tampered(table: "profiles", column: "record")) {
      try vault.profiles()
    }
  }

  @Test func aPasswordMovedToAnotherAccountFails() throws {
    let (vault, queue) = try memoryVault()
    try vault.addLocal("web-01", password: "first")
    try vault.addLocal("web-02", password: "second")
    try queue.write { db in
      let boxes = try Row.fetchAll(db, sql: "SELECT id, record FROM account_secrets ORDER BY id")
      try db.execute(
        sql: "UPDATE account_secrets SET record = ? WHERE id = ?",
        arguments: [boxes[1]["record"] as Data, boxes[0]["id"] as Int64])
    }
    // The first account now holds the second's box: it no longer opens.
    let failures = ["web-01", "web-02"].filter { name in
      do {
        _ = try vault.password(forProfile: name)
        return false
      } catch VaultError.tampered(table: "account_secrets", column: "record") {
        return true
      } catch {
        return false
      }
    }
    #expect(failures.count == 1)
  }

  @Test func aRecordFromAnotherVaultFails() throws {
    let (first, firstQueue) = try memoryVault()
    let (second, secondQueue) = try memoryVault()
    try first.addLocal("web-01", password: "a")
    try second.addLocal("web-01", password: "b")
    let foreign = try firstQueue.read { try Data.fetchOne($0, sql: "SELECT record FROM profiles") }
    try secondQueue.write {
      try $0.execute(sql: "UPDATE profiles SET record = ?", arguments: [foreign])
    }
    #expect(throws: VaultError.tampered(table: "profiles", column: "record")) {
      try second.profile(named: "web-01")
    }
  }

  @Test func aVaultFromANewerBinaryIsRefused() throws {
    let (_, queue) = try memoryVault()
    try queue.write {
      try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('0099_future')")
    }
    #expect(throws: VaultError.newerSchema(unknownMigrations: ["0099_future"])) {
      try Vault.open(in: queue, passphrase: try secret("correct horse"))
    }
  }

  @Test func anUnsupportedFormatIsRefused() throws {
    let (_, queue) = try memoryVault()
    try queue.write { try $0.execute(sql: "UPDATE vault_header SET format_version = 3") }
    #expect(throws: VaultError.unsupportedFormat(version: 3)) {
      try Vault.open(in: queue, passphrase: try secret("correct horse"))
    }
  }

  @Test func onlyOpaqueColumnsAreClear() throws {
    let (vault, queue) = try memoryVault()
    try vault.addLocal("web-01", password: "a")
    let clearTypes = try queue.read { db in
      try Row.fetchAll(db, sql: "SELECT name, type FROM pragma_table_info('profiles')")
        .filter { ($0["type"] as String) != "BLOB" }.map { $0["name"] as String }
    }
    // Format 2: no timestamps in the clear; the lookup and the record are blobs.
    #expect(Set(clearTypes) == ["id", "account_id", "version"])
  }

  @Test func migrationsAreRecorded() throws {
    let (_, queue) = try memoryVault()
    let applied = try queue.read {
      try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations")
    }
    #expect(applied == VaultStore.knownMigrations)
  }
}
