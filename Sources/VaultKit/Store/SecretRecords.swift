import Foundation
import GRDB
import VaultCrypto

/// The rows that hold secrets. An `account_secrets` row's id is its account's id and its
/// record is the password itself; the `identity` row's record holds the key pairs, built and
/// read only in guarded memory. Identity fields: 1 X25519 public, 2 X25519 secret, 3 Ed25519
/// public, 4 Ed25519 secret, 5 next bundle sequence, 6 created at.
extension Vault {
  // MARK: Passwords

  /// The sealed password of an account and the version it was sealed under.
  func fetchPasswordBox(_ db: Database, accountID: Int64) throws -> (box: Data, version: Int64)? {
    guard
      let row = try Row.fetchOne(
        try db.cachedStatement(sql: "SELECT version, record FROM account_secrets WHERE id = ?"),
        arguments: [accountID])
    else { return nil }
    guard let box = try row.blob(1, table: "account_secrets") else {
      throw VaultError.corrupt(detail: "account_secrets has a row without its record")
    }
    return (box, try row.integer(0, table: "account_secrets"))
  }

  func openPassword(_ sealed: (box: Data, version: Int64), accountID: Int64) throws -> SecretBytes {
    try keys.openSecretRecord(
      sealed.box, .accountSecrets, id: accountID, version: sealed.version, bound: .none)
  }

  /// Stores or replaces an account's password.
  func storePassword(_ db: Database, accountID: Int64, password: borrowing SecretBytes) throws {
    try password.withUnsafeBytes { try storePassword(db, accountID: accountID, passwordBytes: $0) }
  }

  func storePassword(_ db: Database, accountID: Int64, ifGiven password: borrowing SecretBytes?)
    throws
  {
    switch password {
    case .some(let secret): try storePassword(db, accountID: accountID, password: secret)
    case .none: break
    }
  }

  /// Stores a password that lies in guarded memory owned by the caller (an import's payload),
  /// without copying it into an allocation of its own.
  func storePassword(_ db: Database, accountID: Int64, passwordBytes: UnsafeRawBufferPointer) throws
  {
    // The gate every stored password passes, wherever it came from: FreeRDP 3 reads its
    // arguments one per line, so a line break would add arguments of the sender's choice.
    try Validation.password(passwordBytes)
    let previous = try Row.fetchOne(
      try db.cachedStatement(sql: "SELECT version FROM account_secrets WHERE id = ?"),
      arguments: [accountID]
    ).map { try $0.integer(0, table: "account_secrets") }
    try putRow(
      db, .accountSecrets, id: accountID, version: try Self.nextVersion(after: previous),
      previousVersion: previous, bound: .none,
      plaintext: passwordBytes)
  }

  // MARK: The identity

  struct IdentityRecord: ~Copyable {
    var version: Int64
    var plaintext: SecretBytes

    /// The fields, valid only inside `body`: they point into this record's guarded memory.
    func withFields<T>(_ body: (RecordDecoder) throws -> T) throws -> T {
      try plaintext.withUnsafeBytes { try body(try RecordDecoder($0, table: "identity")) }
    }

    func secret(_ tag: UInt8) throws -> SecretBytes {
      try plaintext.withUnsafeBytes { bytes in
        let fields = try RecordDecoder(bytes, table: "identity")
        return try fields.secret(tag)
      }
    }
  }

  /// Builds the identity record in guarded memory.
  static func identityPlaintext(
    boxPublic: [UInt8], boxSecret: borrowing SecretBytes, signPublic: [UInt8],
    signSecret: borrowing SecretBytes,
    nextSequence: Int64, createdAt: Int64
  ) throws -> SecretBytes {
    var out = try SecretBytes(capacity: 1 + 6 * 5 + 32 + 32 + 32 + 64 + 16)
    func field(_ tag: UInt8, _ bytes: UnsafeRawBufferPointer, into out: inout SecretBytes) throws {
      try out.append(tag)
      for byte in be(UInt32(bytes.count)) { try out.append(byte) }
      try out.append(contentsOf: bytes)
    }
    try out.append(RecordEncoder.version)
    try boxPublic.withUnsafeBytes { try field(1, $0, into: &out) }
    try boxSecret.withUnsafeBytes { try field(2, $0, into: &out) }
    try signPublic.withUnsafeBytes { try field(3, $0, into: &out) }
    try signSecret.withUnsafeBytes { try field(4, $0, into: &out) }
    try be(nextSequence).withUnsafeBytes { try field(5, $0, into: &out) }
    try be(createdAt).withUnsafeBytes { try field(6, $0, into: &out) }
    return out
  }

  /// The identity row, still sealed: opening it is `openIdentity`'s, outside any closure
  /// GRDB would need to copy a result out of.
  func fetchIdentityRow(_ db: Database) throws -> (box: Data?, version: Int64)? {
    guard let row = try Row.fetchOne(db, sql: "SELECT version, record FROM identity WHERE id = 1")
    else { return nil }
    return (try row.blob(1, table: "identity"), try row.integer(0, table: "identity"))
  }

  func openIdentity(_ sealed: (box: Data?, version: Int64)) throws -> IdentityRecord {
    IdentityRecord(
      version: sealed.version,
      plaintext: try keys.openSecretRecord(
        sealed.box, .identity, id: 1, version: sealed.version, bound: .none))
  }

  func putIdentity(
    _ db: Database, plaintext: borrowing SecretBytes, version: Int64, previousVersion: Int64?
  ) throws {
    try plaintext.withUnsafeBytes {
      try putRow(
        db, .identity, id: 1, version: version, previousVersion: previousVersion, bound: .none,
        plaintext: $0)
    }
  }
}
