import Foundation
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// One message on the agent's socket, either way:
/// `u32 BE length ‖ JSON ‖ u32 BE length ‖ secret bytes`. The JSON is the request or the reply;
/// the secret section (a passphrase, a password, an .rdp file's bytes) is read straight into
/// guarded memory and never becomes a `String`, `Data` or an array.
struct AgentFrame: ~Copyable {
  var json: [UInt8]
  var secret: SecretBytes?

  /// JSON up to 512 MiB (a 100,000-VM list is about 60 MB); secrets up to 256 MiB (an
  /// import of many .rdp files travels as one).
  static let maximumJSON = 512 << 20
  static let maximumSecret = 256 << 20

  init(json: [UInt8], secret: consuming SecretBytes? = nil) {
    self.json = json
    self.secret = secret
  }

  /// Writes the frame; false when the peer went away.
  consuming func write(to fd: Int32) -> Bool {
    var head: [UInt8] = []
    head.appendBigEndian(UInt32(json.count))
    guard Self.writeAll(fd, head), json.withUnsafeBytes({ Self.writeAll(fd, $0) }) else {
      return false
    }
    var tail: [UInt8] = []
    tail.appendBigEndian(UInt32(secret?.count ?? 0))
    guard Self.writeAll(fd, tail) else { return false }
    if let secret {
      return secret.withUnsafeBytes { Self.writeAll(fd, $0) }
    }
    return true
  }

  /// Reads one frame; nil when the peer closed, timed out or sent something malformed.
  static func read(from fd: Int32) -> AgentFrame? {
    guard let length = readLength(fd), length <= maximumJSON else { return nil }
    var json = [UInt8](repeating: 0, count: length)
    guard json.withUnsafeMutableBytes({ readAll(fd, $0) }) else { return nil }
    guard let secretLength = readLength(fd), secretLength <= maximumSecret else { return nil }
    guard secretLength > 0 else { return AgentFrame(json: json) }
    guard var secret = try? SecretBytes(capacity: secretLength) else { return nil }
    var complete = false
    secret.appendInPlace { buffer in
      complete = readAll(fd, UnsafeMutableRawBufferPointer(rebasing: buffer[0..<secretLength]))
      return complete ? secretLength : 0
    }
    guard complete else { return nil }
    return AgentFrame(json: json, secret: secret)
  }

  private static func readLength(_ fd: Int32) -> Int? {
    var bytes = [UInt8](repeating: 0, count: 4)
    guard bytes.withUnsafeMutableBytes({ readAll(fd, $0) }) else { return nil }
    return bytes.reduce(0) { $0 << 8 | Int($1) }
  }

  static func readAll(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Bool {
    var offset = 0
    while offset < buffer.count {
      let n = Glibc.read(fd, buffer.baseAddress! + offset, buffer.count - offset)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return false }
      offset += n
    }
    return true
  }

  static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { writeAll(fd, $0) }
  }

  static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < bytes.count {
      // MSG_NOSIGNAL: a peer that went away is an error here, not a SIGPIPE.
      let n = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return false }
      offset += n
    }
    return true
  }
}
