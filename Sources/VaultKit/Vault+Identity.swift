import Foundation
import GRDB
import VaultCrypto

extension Vault {
  // MARK: Identity

  /// This vault's public identity, made (with libsodium's key generation) on first use.
  public func identity() throws -> PublicIdentity {
    if let sealed = try read({ db in try fetchIdentityRow(db) }) {
      return try Self.publicIdentity(of: try openIdentity(sealed))
    }
    return try write { db in try ensureIdentity(db) }
  }

  static func publicIdentity(of record: borrowing IdentityRecord) throws -> PublicIdentity {
    let (box, sign) = try record.withFields { (try $0.bytes(1), try $0.bytes(3)) }
    return try PublicIdentity(boxKey: box, signKey: sign)
  }

  func ensureIdentity(_ db: Database) throws -> PublicIdentity {
    if let sealed = try fetchIdentityRow(db) {
      return try Self.publicIdentity(of: try openIdentity(sealed))
    }
    // No identity row: made here only for a vault that never had one, not one whose row was
    // deleted (its digest still counts it).
    try checkRowSet(db, [.identity])
    let box = try Sealing.keyPair()
    let sign = try Signing.keyPair()
    let plaintext = try Self.identityPlaintext(
      boxPublic: box.publicKey, boxSecret: box.secretKey, signPublic: sign.publicKey,
      signSecret: sign.secretKey,
      nextSequence: 1, createdAt: Self.now())
    try putIdentity(db, plaintext: plaintext, version: 1, previousVersion: nil)
    return try PublicIdentity(boxKey: box.publicKey, signKey: sign.publicKey)
  }

  enum IdentitySecret: UInt8 {
    case box = 2
    case sign = 4
  }

  func identitySecret(_ which: IdentitySecret) throws -> SecretBytes {
    try identitySecret(try read { db in try fetchIdentityRow(db) }, which)
  }

  /// The same inside a transaction under way (export signs inside its own).
  func identitySecret(_ db: Database, _ which: IdentitySecret) throws -> SecretBytes {
    try identitySecret(try fetchIdentityRow(db), which)
  }

  private func identitySecret(_ sealed: (box: Data?, version: Int64)?, _ which: IdentitySecret)
    throws
    -> SecretBytes
  {
    guard let sealed else { throw VaultError.corrupt(detail: "the vault has no identity") }
    return try openIdentity(sealed).secret(which.rawValue)
  }
}
