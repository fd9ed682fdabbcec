import CSystem
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Where the agent listens, and the checks on both ends: a socket in a 0700 directory of the
/// user's (`$XDG_RUNTIME_DIR/rdpvault`, else `/tmp/rdpvault-UID`), and the peer's uid, from
/// the kernel (`SO_PEERCRED`), equal to ours.
public enum AgentSocket {
  public static let fileName = "agent.sock"

  /// The socket's directory for this environment.
  public static func directory(environment: [String: String]) -> String {
    if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
      return runtime + "/rdpvault"
    }
    return "/tmp/rdpvault-\(getuid())"
  }

  /// `RDPVAULT_AGENT_SOCKET` when set (as `SSH_AUTH_SOCK` names ssh-agent's), else the
  /// default directory's socket. Either way the directory must be the user's, 0700.
  public static func path(environment: [String: String]) -> String {
    if let socket = environment["RDPVAULT_AGENT_SOCKET"], socket.hasPrefix("/") { return socket }
    return directory(environment: environment) + "/" + fileName
  }

  /// Creates the directory 0700, or checks the one there: ours, a directory (not a link), and
  /// closed to everyone else. Anything else is refused: another user could serve a fake agent
  /// from it, or read what ours says.
  static func prepareDirectory(_ directory: String) throws {
    if mkdir(directory, 0o700) != 0 && errno != EEXIST {
      throw VaultError.fileSystem(path: directory, reason: String(cString: strerror(errno)))
    }
    try checkDirectory(directory)
  }

  static func checkDirectory(_ directory: String) throws {
    var info = stat()
    guard lstat(directory, &info) == 0 else {
      throw VaultError.fileSystem(path: directory, reason: String(cString: strerror(errno)))
    }
    guard (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid() else {
      throw VaultError.fileSystem(path: directory, reason: "not a directory of this user's")
    }
    if UInt32(info.st_mode) & 0o077 != 0 {
      throw VaultError.insecureDirectory(path: directory)
    }
  }

  static func address(_ path: String) throws -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard bytes.count < capacity else {
      throw VaultError.fileSystem(path: path, reason: "too long for a socket path")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      raw.copyBytes(from: bytes)
      raw[bytes.count] = 0
    }
    return address
  }

  /// A connection to the agent at `path`, or nil when none answers there (no socket, a stale
  /// one, another user's). `timeout` bounds each read and write.
  static func connect(_ path: String, timeout: Int) -> Int32? {
    guard (try? checkDirectory(parentDirectory(path))) != nil,
      var address = try? address(path)
    else { return nil }
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return nil }
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    guard connected == 0, peerUID(fd) == getuid() else {
      close(fd)
      return nil
    }
    setTimeout(fd, seconds: timeout)
    return fd
  }

  static func setTimeout(_ fd: Int32, seconds: Int) {
    var time = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
  }

  /// The uid of the process at the other end, as the kernel recorded it at connect time.
  static func peerUID(_ fd: Int32) -> uid_t? {
    let uid = csystem_peer_uid(fd)
    return uid < 0 ? nil : uid_t(uid)
  }

  static func parentDirectory(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }
}
