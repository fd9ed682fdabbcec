import Foundation
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The launch's private directory and files, and finding programs.
extension Launcher {
  static func writePrivate(_ contents: borrowing SecretBytes, to path: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      throw VaultError.fileSystem(path: path, reason: String(cString: strerror(errno)))
    }
    defer { close(fd) }
    if let error = contents.withUnsafeBytes({ writeAll(fd, $0) }) {
      throw VaultError.fileSystem(path: path, reason: String(cString: strerror(error)))
    }
  }

  /// A 0700 directory under `$XDG_RUNTIME_DIR` when that is usable, else the temp directory.
  static func makePrivateDirectory(environment: [String: String]) throws -> String {
    var base = environment["TMPDIR"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
    if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
      var info = stat()
      if stat(runtime, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid(),
        info.st_mode & 0o077 == 0
      {
        base = runtime
      }
    }
    sweepAbandonedDirectories(in: base)
    // The pid in the name lets a later launch remove what a killed one left behind.
    var template = Array((base + "/rdpvault-\(getpid())-XXXXXX").utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
      throw VaultError.fileSystem(path: base, reason: String(cString: strerror(errno)))
    }
    return String(cString: made)
  }

  /// Removes the private directories (and the client files in them, such as Remmina's
  /// profile) of launches whose process is gone: a `connect` killed with SIGKILL cannot clean
  /// up after itself. Only directories of this user, named `rdpvault-PID-XXXXXX`, are touched.
  static func sweepAbandonedDirectories(in base: String) {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return }
    for name in names where name.hasPrefix("rdpvault-") {
      let parts = name.split(separator: "-")
      guard parts.count == 3, let pid = pid_t(parts[1]), pid > 0, parts[2].count == 6 else {
        continue
      }
      let path = base + "/" + name
      var info = stat()
      guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid()
      else { continue }
      if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: path) }
    }
  }

  /// The first executable called `name` on PATH.
  public static func findExecutable(_ name: String, environment: [String: String]) -> String? {
    if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
    let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for directory in path.split(separator: ":") where !directory.isEmpty {
      let candidate = "\(directory)/\(name)"
      var info = stat()
      if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
        access(candidate, X_OK) == 0
      {
        return candidate
      }
    }
    return nil
  }
}
