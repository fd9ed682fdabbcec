import Foundation
import GRDB
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// The checks before every request: an unlocked vault is served only while its file is the
/// one that was opened, with the key wrap it had, and still as private as an open requires.
extension AgentServer {
  static func fileIdentity(_ path: String) throws -> (device: UInt64, inode: UInt64) {
    var info = stat()
    guard stat(path, &info) == 0 else { throw VaultError.noVault(path: path) }
    return (UInt64(info.st_dev), UInt64(info.st_ino))
  }

  /// What must not change under an unlocked vault: its id and the wrapped key (a `passwd` run
  /// elsewhere, or another vault copied over this one, changes them).
  static func headerFingerprint(_ vault: Vault) throws -> [UInt8] {
    guard
      let header = try VaultStore.guarded({ try vault.writer.read { try VaultHeader.fetch($0) } })
    else { throw VaultError.notAVault(path: vault.path ?? "") }
    var bytes = header.vaultID + header.wrappedKey + header.kdfSalt
    bytes.appendBigEndian(header.keyVersion)
    return bytes
  }

  /// The file is the one unlocked, with the key wrap it had, and still passes the checks an
  /// open makes (only its owner can reach it, in a directory others cannot write).
  static func stillTheSame(_ entry: Held, path: String) -> Bool {
    guard (try? VaultFile.checkAccess(path)) != nil,
      let file = try? fileIdentity(path), file.device == entry.device,
      file.inode == entry.inode,
      let header = try? headerFingerprint(entry.vault)
    else { return false }
    return header == entry.header
  }
}

/// Where a vault's file stands: SQLite's `data_version` (another connection committed) and
/// this connection's change count (the agent wrote). Equal marks, equal rows.
struct ChangeMark: Equatable {
  var dataVersion: Int64
  var changes: Int

  static func of(_ vault: Vault) throws -> ChangeMark {
    try VaultStore.guarded {
      try vault.writer.read {
        ChangeMark(dataVersion: try Preread.dataVersion($0), changes: $0.totalChangesCount)
      }
    }
  }
}

extension AgentServer {
  /// What a cached listing answers: `list`'s packed VMs, or `list --json`'s bytes for a filter.
  enum ListKey: Equatable {
    case packed(withSettings: Bool)
    case json(ProfileFilter)

    /// Whether a listing made for `self` also answers `other` (settings answer without).
    func answers(_ other: ListKey) -> Bool {
      self == other
        || (self == .packed(withSettings: true) && other == .packed(withSettings: false))
    }
  }

  /// A listing, from the cache while the vault's change mark is the same: `list` again on an
  /// unchanged vault decrypts nothing. Called with the mutex held.
  func cachedList(_ path: String, _ key: ListKey) -> AgentFrame {
    guard let entry = held[path] else { return Self.encode(AgentReply<Nothing>.locked) }
    do {
      let mark = try ChangeMark.of(entry.vault)
      let bytes: [UInt8]
      if let list = entry.list, list.mark == mark, list.key.answers(key) {
        bytes = list.bytes
      } else {
        switch key {
        case .packed(let withSettings):
          bytes = try AgentDispatch.packedList(entry.vault, withSettings: withSettings)
        case .json(let filter): bytes = try entry.vault.listJSON(matching: filter).bytes
        }
        held[path]?.list = (mark, key, bytes)
      }
      let section = try SecretBytes(copying: bytes)
      return AgentDispatch.ok(Nothing(), secret: section)
    } catch {
      return Self.failure(error)
    }
  }
}
