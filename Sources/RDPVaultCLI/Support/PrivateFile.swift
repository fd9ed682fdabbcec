import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Files rdpvault writes for the user: mode 0600, never over an existing file unless forced,
/// and replaced atomically when forced.
enum PrivateFile {
  static func write(_ bytes: [UInt8], to path: String, force: Bool) throws {
    if !force {
      try create(path, bytes)
      return
    }
    let temporary = path + ".rdpvault-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try create(temporary, bytes)
    if rename(temporary, path) != 0 {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw CLIError("cannot write \(path): \(reason)")
    }
  }

  private static func create(_ path: String, _ bytes: [UInt8]) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      if errno == EEXIST {
        throw CLIError("\(path) already exists", hint: "pass --force to overwrite it")
      }
      throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    fchmod(fd, 0o600)
    try bytes.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          unlink(path)
          throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        offset += n
      }
    }
  }
}
