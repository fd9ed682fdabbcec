import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Directories rdpvault creates for files only the user may read: the vault's, and `rdp
/// --all --out-dir`'s. One rule for both.
public enum PrivateDirectory {
  /// `mkdir -p` with mode 0700 for what it creates; refuses a parent others can write to
  /// (unless it is sticky, like /tmp), since they could swap the files in it.
  public static func make(_ directory: String) throws {
    if try check(directory) { return }
    let parent = parent(of: directory)
    if parent != directory { try make(parent) }
    if mkdir(directory, 0o700) != 0 && errno != EEXIST {
      throw VaultError.fileSystem(path: directory, reason: String(cString: strerror(errno)))
    }
  }

  /// True when `directory` exists; refuses one that is not a directory, or that others can
  /// write to without the sticky bit.
  @discardableResult
  static func check(_ directory: String) throws -> Bool {
    var info = stat()
    guard stat(directory, &info) == 0 else { return false }
    guard (info.st_mode & S_IFMT) == S_IFDIR else {
      throw VaultError.fileSystem(path: directory, reason: "not a directory")
    }
    let mode = UInt32(info.st_mode)
    if mode & 0o022 != 0 && mode & UInt32(S_ISVTX) == 0 {
      throw VaultError.insecureDirectory(path: directory)
    }
    return true
  }

  static func absolute(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    return FileManager.default.currentDirectoryPath + "/" + path
  }

  static func parent(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return "." }
    let parent = trimmed[..<slash]
    return parent.isEmpty ? "/" : String(parent)
  }
}
