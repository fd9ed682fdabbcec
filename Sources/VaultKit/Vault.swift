import Foundation
import GRDB
import VaultCrypto

/// An unlocked vault: the store plus the keys that open it.
public final class Vault {
  public let path: String?
  let store: VaultStore
  let keys: VaultKeys
  var writer: any DatabaseWriter { store.writer }
  /// The row-set digest changes of the write transaction under way (see `write`).
  var rowSetDelta = [UInt8](repeating: 0, count: VaultKeys.rowSetLength)
  /// The format this vault had before this open upgraded it, if it did.
  public private(set) var upgradedFromFormat: Int?
  /// Whole tables read while the key was derived (see `WholeTables`).
  var preread: Preread?
  /// The rest of them, being read on another thread (`Preread.startRest`); `read` and
  /// `write` wait for it before they use the database.
  var restOfPreread: RestOfPreread?

  /// Now, as the records store times: whole seconds since 1970.
  public static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

  private init(path: String?, store: VaultStore, keys: VaultKeys) {
    self.path = path
    self.store = store
    self.keys = keys
  }

  // MARK: Creating and opening

  /// Creates a new vault file at `path`. On any failure the file is removed again.
  public static func create(
    at path: String, passphrase: borrowing SecretBytes, kdf: KDFParameters
  ) throws -> Vault {
    let queue = try VaultFile.create(at: path)
    do {
      return try create(in: queue, path: path, passphrase: passphrase, kdf: kdf)
    } catch {
      try? queue.close()
      for suffix in ["", "-journal", "-wal", "-shm"] { unlink(path + suffix) }
      throw error
    }
  }

  /// Creates a vault in any GRDB writer; tests pass an in-memory `DatabaseQueue()`.
  public static func create(
    in writer: any DatabaseWriter, path: String? = nil, passphrase: borrowing SecretBytes,
    kdf: KDFParameters
  ) throws -> Vault {
    guard !passphrase.isEmpty else { throw VaultError.emptyPassphrase }
    let store = try VaultStore(writer)
    let vaultKey = try SecretBytes.random(count: SecretBox.keyLength)
    let now = Int64(Date().timeIntervalSince1970)
    var header = VaultHeader(
      formatVersion: VaultHeader.currentFormat, vaultID: Random.bytes(16),
      kdfAlgorithm: KeyDerivation.algorithmName, kdfOpsLimit: Int64(kdf.opsLimit),
      kdfMemLimit: Int64(kdf.memLimit), kdfSalt: [], wrappedKey: [], keyVersion: 1,
      createdAt: now, updatedAt: now)
    try wrap(vaultKey, into: &header, passphrase: passphrase, kdf: kdf)
    let keys = try VaultKeys(vaultKey: vaultKey, vaultID: header.vaultID)
    try VaultStore.guarded {
      try writer.write { db in
        guard try VaultHeader.fetch(db) == nil else {
          throw VaultError.vaultExists(path: path ?? ":memory:")
        }
        try header.insert(db)
        try FormatUpgrade.restructure(db, keys: keys)
      }
    }
    let vault = Vault(path: path, store: store, keys: keys)
    _ = try vault.identity()
    return vault
  }

  /// Refuses a vault file others can reach, or in a directory others can write, before a
  /// command asks for the passphrase.
  public static func checkFile(at path: String) throws {
    try VaultFile.checkOpenable(path)
    switch VaultFile.look(at: path) {
    case .whole: return
    case .notSQLite: throw VaultError.notAVault(path: path)
    case .noHeader(let damage): throw VaultError.corrupt(detail: damage)
    case .cutShort: break
    }
    // Looked at again under SQLite's read lock, where no write is half done; only damage
    // seen there is reported (the open reports the rest).
    do {
      _ = try readHeader(try VaultFile.open(at: path, readonly: true), path: path)
    } catch let error as VaultError {
      if case .corrupt = error { throw error }
    }
  }

  /// Opens and unlocks the vault at `path`; `wholeTables` are read while the key is derived.
  public static func open(
    at path: String, passphrase: borrowing SecretBytes, wholeTables: WholeTables = []
  ) throws -> Vault {
    let queue = try VaultFile.open(at: path, readonly: false)
    return try open(in: queue, path: path, passphrase: passphrase, wholeTables: wholeTables)
  }

  /// Unlocks first, then migrates: a wrong passphrase leaves the file exactly as it was.
  public static func open(
    in writer: any DatabaseWriter, path: String? = nil, passphrase: borrowing SecretBytes,
    wholeTables: WholeTables = []
  ) throws -> Vault {
    let header = try readHeader(writer, path: path)
    let kdf = try header.kdfParameters()
    // Only a current vault's rows are worth reading ahead: an older one is rewritten first.
    let pending = Preread.start(
      header.formatVersion == VaultHeader.currentFormat ? wholeTables.tables : [], from: writer)
    let wrappingKey: SecretBytes
    do {
      wrappingKey = try deriveWrappingKey(header, passphrase: passphrase, kdf: kdf)
    } catch {
      _ = pending()
      throw error
    }
    let preread = pending()
    let vaultKey = try unwrap(header, wrappingKey: wrappingKey)
    let keys = try VaultKeys(vaultKey: vaultKey, vaultID: header.vaultID)
    let store = try VaultStore(writer)
    let vault = Vault(path: path, store: store, keys: keys)
    if !store.migrated { vault.preread = preread }
    if header.formatVersion == 1 {
      // The key is wrapped again for format 2 in the upgrade's own transaction.
      var upgraded = header
      upgraded.formatVersion = VaultHeader.currentFormat
      let wrapped = try SecretBox.seal(
        vaultKey, additionalData: upgraded.wrapAssociatedData, key: wrappingKey)
      try FormatUpgrade.upgrade(vault, wrappedKey: wrapped)
      vault.upgradedFromFormat = 1
    } else {
      try VaultStore.guarded { try writer.read { try FormatTwoSchema.refuseForeignObjects($0) } }
      // Last: the rest holds the database until it is read.
      vault.restOfPreread = vault.preread?.startRest(of: wholeTables.tables, from: writer)
    }
    return vault
  }

  static func readHeader(_ reader: any DatabaseReader, path: String?) throws -> VaultHeader {
    try VaultStore.refuseNewerSchema(reader)
    guard
      let header = try VaultStore.guarded({
        try reader.read { db in
          // The first read takes SQLite's read lock and rolls back what a command killed
          // mid-commit left (its journal); only then is a file shorter than SQLite counts
          // cut short, which would read as rows that fail authentication.
          func refuseCutShort() throws {
            if let path, let damage = try VaultFile.damage(db, path: path) {
              throw VaultError.corrupt(detail: damage)
            }
          }
          let header: VaultHeader?
          do {
            header = try VaultHeader.fetch(db)
          } catch let error as DatabaseError
            where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
          {
            // (Not another error: a read-only connection that cannot roll a journal back
            // fails here with the file still in its half-written state.)
            try refuseCutShort()
            throw error
          }
          try refuseCutShort()
          return header
        }
      })
    else { throw VaultError.notAVault(path: path ?? ":memory:") }
    guard header.formatVersion == VaultHeader.currentFormat || header.formatVersion == 1 else {
      throw VaultError.unsupportedFormat(version: header.formatVersion)
    }
    guard header.vaultID.count == 16 else { throw VaultError.corrupt(detail: "bad vault id") }
    return header
  }

  // MARK: The key wrap

  private static func wrap(
    _ vaultKey: borrowing SecretBytes, into header: inout VaultHeader,
    passphrase: borrowing SecretBytes, kdf: KDFParameters
  ) throws {
    header.kdfAlgorithm = KeyDerivation.algorithmName
    header.kdfOpsLimit = Int64(kdf.opsLimit)
    header.kdfMemLimit = Int64(kdf.memLimit)
    header.kdfSalt = Random.bytes(KeyDerivation.saltLength)
    let wrappingKey = try KeyDerivation.argon2id(
      passphrase: passphrase, salt: header.kdfSalt, parameters: kdf)
    header.wrappedKey = try SecretBox.seal(
      vaultKey, additionalData: header.wrapAssociatedData, key: wrappingKey)
  }

  private static func deriveWrappingKey(
    _ header: VaultHeader, passphrase: borrowing SecretBytes, kdf: KDFParameters
  ) throws -> SecretBytes {
    guard header.kdfSalt.count == KeyDerivation.saltLength else {
      throw VaultError.corrupt(detail: "bad key-derivation salt")
    }
    return try KeyDerivation.argon2id(passphrase: passphrase, salt: header.kdfSalt, parameters: kdf)
  }

  private static func unwrap(
    _ header: VaultHeader, passphrase: borrowing SecretBytes, kdf: KDFParameters
  ) throws
    -> SecretBytes
  {
    try unwrap(header, wrappingKey: try deriveWrappingKey(header, passphrase: passphrase, kdf: kdf))
  }

  private static func unwrap(_ header: VaultHeader, wrappingKey: borrowing SecretBytes) throws
    -> SecretBytes
  {
    let vaultKey: SecretBytes
    do {
      vaultKey = try SecretBox.openSecret(
        header.wrappedKey, additionalData: header.wrapAssociatedData, key: wrappingKey)
    } catch {
      throw VaultError.wrongPassphrase
    }
    guard vaultKey.count == SecretBox.keyLength else {
      throw VaultError.corrupt(detail: "bad vault key length")
    }
    return vaultKey
  }

  /// Re-wraps the vault key under a new passphrase. Nothing else is rewritten.
  public func changePassphrase(
    current: borrowing SecretBytes, new: borrowing SecretBytes, kdf: KDFParameters? = nil
  ) throws {
    guard !new.isEmpty else { throw VaultError.emptyPassphrase }
    var header = try Self.readHeader(writer, path: path)
    let currentKDF = try header.kdfParameters()
    let vaultKey = try Self.unwrap(header, passphrase: current, kdf: currentKDF)
    header.keyVersion += 1
    header.updatedAt = Int64(Date().timeIntervalSince1970)
    try Self.wrap(vaultKey, into: &header, passphrase: new, kdf: kdf ?? currentKDF)
    try VaultStore.guarded { try writer.write { try header.updateKeyWrap($0) } }
  }
}
