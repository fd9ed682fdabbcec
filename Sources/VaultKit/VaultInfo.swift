import Foundation
import GRDB
import VaultCrypto

/// What `rdpvault info` shows. Read from the clear header and row counts alone, so it
/// needs no passphrase and decrypts nothing.
public struct VaultInfo: Codable, Equatable, Sendable {
  public struct KDF: Codable, Equatable, Sendable {
    public var algorithm: String
    public var opslimit: UInt64
    public var memlimitBytes: UInt64
    public var preset: String?
  }
  public struct Counts: Codable, Equatable, Sendable {
    public var profiles: Int
    public var accounts: Int
  }

  public var path: String
  public var format: String
  public var formatVersion: Int
  public var schemaVersion: Int
  public var schemaMigrations: [String]
  public var kdf: KDF
  public var counts: Counts
  public var createdAt: Date
  public var passphraseChangedAt: Date

  public static func read(at path: String) throws -> VaultInfo {
    do {
      return try read(from: try VaultFile.open(at: path, readonly: true), path: path)
    } catch VaultError.database, VaultError.notAVault {
      // A command killed mid-write leaves a hot journal, which a read-only connection cannot
      // roll back (SQLite then refuses to open the file); opening read-write rolls it back and
      // changes nothing else. A file that is not a vault is refused again there.
      return try read(from: try VaultFile.open(at: path, readonly: false), path: path)
    }
  }

  public static func read(from reader: any DatabaseReader, path: String) throws -> VaultInfo {
    let header = try Vault.readHeader(reader, path: path)
    let kdf = try header.kdfParameters()
    let applied = try VaultStore.appliedMigrations(reader)
    let counts = try VaultStore.guarded {
      try reader.read { db in
        Counts(
          profiles: try Int.fetchOne(db, sql: "SELECT count(*) FROM profiles") ?? 0,
          accounts: try Int.fetchOne(db, sql: "SELECT count(*) FROM accounts") ?? 0)
      }
    }
    return VaultInfo(
      path: path, format: "rdpvault-sqlite", formatVersion: header.formatVersion,
      schemaVersion: applied.count, schemaMigrations: applied,
      kdf: KDF(
        algorithm: "argon2id", opslimit: kdf.opsLimit, memlimitBytes: kdf.memLimit,
        preset: kdf.presetName),
      counts: counts,
      createdAt: Date(timeIntervalSince1970: TimeInterval(header.createdAt)),
      passphraseChangedAt: Date(timeIntervalSince1970: TimeInterval(header.updatedAt)))
  }
}
