import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The controlling terminal, the one place questions and passphrases are read from (never
/// stdin, which may carry data).
enum Terminal {
  /// `/dev/tty`, opened read-write and not inherited by clients; nil without a terminal.
  static func open() -> Int32? {
    let fd = Glibc.open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
    return fd < 0 ? nil : fd
  }

  /// Whether a terminal can be asked at all.
  static var isAvailable: Bool {
    guard let fd = open() else { return false }
    close(fd)
    return true
  }
}
