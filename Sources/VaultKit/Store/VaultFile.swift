import Foundation
import GRDB

#if canImport(Glibc)
  import Glibc
  private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    Glibc.open(path, flags, mode)
  }
#elseif canImport(Darwin)
  import Darwin
  private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    Darwin.open(path, flags, mode)
  }
#endif

/// The vault's file on disk: created 0600 in a 0700 directory, opened with `secure_delete`.
enum VaultFile {
  /// SQLite's page cache, as `PRAGMA cache_size` takes it (negative: KiB): 64 MiB.
  static let cacheSize = -65536

  static func configuration(readonly: Bool) -> Configuration {
    var config = Configuration()
    config.readonly = readonly
    config.foreignKeysEnabled = true
    config.label = "rdpvault"
    // Parallel commands wait for each other's writes instead of failing with "database is
    // locked"; GRDB begins every write transaction IMMEDIATE, so waiting cannot deadlock.
    config.busyMode = .timeout(30)
    config.prepareDatabase { db in
      // Freed pages are overwritten with zeros, so deleted ciphertext does not linger.
      try db.execute(sql: "PRAGMA secure_delete = ON")
      // Room for a 100,000-profile vault's pages: `list` and `verify` read the tables more
      // than once, and SQLite's default 2 MiB cache re-reads every page each time. (Not
      // mmap: a file truncated under us would then crash the command with SIGBUS.)
      try db.execute(sql: "PRAGMA cache_size = \(cacheSize)")
    }
    return config
  }

  /// Creates the file (and missing parent directories, 0700) and opens it.
  static func create(at path: String) throws -> DatabaseQueue {
    try PrivateDirectory.make(PrivateDirectory.parent(of: PrivateDirectory.absolute(path)))
    let fd = systemOpen(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    if fd < 0 {
      if errno == EEXIST { throw VaultError.vaultExists(path: path) }
      throw VaultError.fileSystem(path: path, reason: String(cString: strerror(errno)))
    }
    close(fd)
    do {
      return try DatabaseQueue(path: path, configuration: configuration(readonly: false))
    } catch {
      unlink(path)
      throw VaultError.database(detail: "\(error)")
    }
  }

  /// Opens an existing vault file after checking that only its owner can reach it.
  static func open(at path: String, readonly: Bool) throws -> DatabaseQueue {
    try checkOpenable(path)
    do {
      return try DatabaseQueue(path: path, configuration: configuration(readonly: readonly))
    } catch let error as DatabaseError
      where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT
    {
      // SQLite read the file and found it wanting. (Any other failure, such as a read-only
      // open that cannot roll back a journal, says nothing about the file's length.) A file
      // of fewer bytes than an SQLite header opens as an empty database: `look` tells it.
      if let damage = damage(of: path) { throw VaultError.corrupt(detail: damage) }
      throw VaultError.notAVault(path: path)
    } catch let error as DatabaseError {
      throw openFailure(error, path: path)
    } catch {
      throw VaultError.notAVault(path: path)
    }
  }

  /// Why SQLite could not open a file that may well be a vault, in its terms.
  static func openFailure(_ error: DatabaseError, path: String) -> VaultError {
    let journal = FileManager.default.fileExists(atPath: path + "-journal")
    switch error.resultCode {
    case .SQLITE_BUSY, .SQLITE_LOCKED:
      return .database(
        detail: "another command has held the vault for 30 s (SQLite: database is locked)")
    case .SQLITE_READONLY where journal, .SQLITE_IOERR where journal:
      return .database(
        detail: "a command stopped in the middle of a write left \(path)-journal, which only a "
          + "write can roll back, and the vault or its directory cannot be written")
    default:
      return .database(detail: error.message ?? "\(error.resultCode)")
    }
  }

  /// `checkAccess`, and what SQLite would open as an empty database: an empty file, or one of
  /// fewer bytes than an SQLite header (never a moment of a write: SQLite writes its first
  /// page whole). Returns the file's size.
  @discardableResult
  static func checkOpenable(_ path: String) throws -> Int {
    let size = try checkAccess(path)
    if size == 0 { throw VaultError.emptyVaultFile(path: path) }
    if size < 100, case .noHeader(let damage) = look(at: path) {
      throw VaultError.corrupt(detail: damage)
    }
    return size
  }

  /// What a file looks like from its first bytes, before SQLite opens it. Each damage is
  /// the whole detail of a `VaultError.corrupt`, the path included.
  enum Look: Equatable {
    /// Not an SQLite database (nor the start of one): no vault.
    case notSQLite
    /// The start of an SQLite file, shorter than its header.
    case noHeader(String)
    /// An SQLite file shorter than its header says (see `damage(of:)`).
    case cutShort(String)
    case whole
  }

  /// What is wrong with an SQLite file, told from its header (sqlite.org/fileformat.html): a
  /// file cut short of the pages its header counts, or of its header. A `cutShort` is only a
  /// suspicion until SQLite confirms it under its read lock (`damage(_:path:)`): a commit
  /// that grows the file writes the header's page count before the pages, and one killed
  /// there leaves a journal that the next open rolls back.
  static func look(at path: String) -> Look {
    guard let file = FileHandle(forReadingAtPath: path) else { return .whole }
    defer { try? file.close() }
    let header = [UInt8]((try? file.read(upToCount: 100)) ?? Data())
    let magic = Array("SQLite format 3\u{0}".utf8)
    guard !header.isEmpty, header.starts(with: magic.prefix(min(header.count, magic.count)))
    else { return header.isEmpty ? .whole : .notSQLite }
    guard let size = try? file.seekToEnd() else { return .whole }
    guard header.count == 100 else {
      return .noHeader(
        "\(path) is cut short: \(size) byte\(size == 1 ? "" : "s"), less than an SQLite header")
    }
    func number(_ at: Int, _ count: Int) -> UInt64 {
      header[at..<at + count].reduce(0) { $0 << 8 | UInt64($1) }
    }
    let pageSize = number(16, 2) == 1 ? 65536 : number(16, 2)
    // The page count is valid when written by the change that the header's counter names.
    let pages = number(24, 4) == number(92, 4) ? number(28, 4) : 0
    guard pageSize >= 512, pages > 0, size < pageSize * pages else { return .whole }
    return .cutShort(cutShort(path, size: Int(size), counted: Int(pageSize * pages)))
  }

  /// The damage `look(at:)` sees, or nil. Only for a file no connection of this process
  /// holds: closing any descriptor of a file drops the process's POSIX locks on it, SQLite's
  /// included.
  static func damage(of path: String) -> String? {
    switch look(at: path) {
    case .noHeader(let damage), .cutShort(let damage): damage
    case .notSQLite, .whole: nil
    }
  }

  static func cutShort(_ path: String, size: Int, counted: Int) -> String {
    "\(path) is cut short: \(size) of the \(counted) bytes its header counts"
  }

  /// The same, asked of SQLite inside a read (which holds the read lock, so no commit is
  /// half done): the pages it counts against the file's size, from stat(2), which opens
  /// nothing.
  static func damage(_ db: Database, path: String) throws -> String? {
    let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
    let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0
    var info = stat()
    guard stat(path, &info) == 0, Int(info.st_size) < pages * pageSize else { return nil }
    return cutShort(path, size: Int(info.st_size), counted: pages * pageSize)
  }

  /// A regular file only its owner can reach, in a directory others cannot write: checked at
  /// every open, and by the agent before every request. Returns its size.
  @discardableResult
  static func checkAccess(_ path: String) throws -> Int {
    var info = stat()
    if lstat(path, &info) != 0 {
      if errno == ENOENT { throw VaultError.noVault(path: path) }
      throw VaultError.fileSystem(path: path, reason: String(cString: strerror(errno)))
    }
    guard (info.st_mode & S_IFMT) == S_IFREG else { throw VaultError.notAVault(path: path) }
    let mode = UInt32(info.st_mode) & 0o777
    if mode & 0o077 != 0 { throw VaultError.insecurePermissions(path: path, mode: mode) }
    // The same rule as init: others who can write the directory could swap the file.
    try PrivateDirectory.check(PrivateDirectory.parent(of: PrivateDirectory.absolute(path)))
    return Int(info.st_size)
  }
}
