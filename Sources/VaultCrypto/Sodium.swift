import CSodium
import Synchronization

/// Errors of the crypto core. None of them carries key material or plaintext.
public enum CryptoError: Error, Equatable, Sendable {
  case initializationFailed
  case outOfMemory
  case capacityExceeded(limit: Int)
  case invalidLength(what: String, expected: Int, actual: Int)
  case kdfParametersOutOfRange(opsLimit: UInt64, memLimit: UInt64)
  case kdfFailed
  case authenticationFailed
  case invalidPublicKey
}

/// libsodium must be initialised once per process before any other call.
enum Sodium {
  static let isReady: Bool = sodium_init() >= 0

  static func ensureReady() throws(CryptoError) {
    guard isReady else { throw .initializationFailed }
  }
}

/// Random numbers from libsodium's CSPRNG (getrandom(2) on Linux). `bytes` is for public
/// values only (nonces, row ids, salts, vault and bundle ids): small requests are served from
/// a 4 KiB buffer filled by one call, because a call per nonce (three per imported VM) was a
/// tenth of a bulk import. Secrets come from `SecretBytes.random`, straight into guarded
/// memory.
public enum Random {
  private static let pool = Mutex(Pool())

  private struct Pool: ~Copyable {
    var bytes = [UInt8](repeating: 0, count: 4096)
    var used = 4096
  }

  public static func bytes(_ count: Int) -> [UInt8] {
    precondition(Sodium.isReady, "libsodium failed to initialise")
    var out = [UInt8](repeating: 0, count: count)
    if count > 64 {
      out.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, $0.count) }
      return out
    }
    pool.withLock { pool in
      if pool.used + count > pool.bytes.count {
        pool.bytes.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, $0.count) }
        pool.used = 0
      }
      for index in 0..<count { out[index] = pool.bytes[pool.used + index] }
      // Handed-out bytes are wiped, so no value is ever given twice.
      for index in pool.used..<pool.used + count { pool.bytes[index] = 0 }
      pool.used += count
    }
    return out
  }

  /// A uniformly distributed integer in `0..<upperBound`, without modulo bias.
  public static func uniform(_ upperBound: UInt32) -> UInt32 {
    precondition(Sodium.isReady, "libsodium failed to initialise")
    return randombytes_uniform(upperBound)
  }

  /// A random positive 63-bit integer, used for opaque row ids.
  public static func rowID() -> Int64 {
    var value: Int64 = 0
    while value == 0 {
      let raw = bytes(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
      value = Int64(bitPattern: raw & 0x7fff_ffff_ffff_ffff)
    }
    return value
  }
}

/// Constant-time comparison of two public byte strings of equal length.
public func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
  guard lhs.count == rhs.count else { return false }
  if lhs.isEmpty { return true }
  return lhs.withUnsafeBytes { a in
    rhs.withUnsafeBytes { b in sodium_memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
  }
}

/// The same, for bytes that live in guarded memory (two passwords compared in place).
public func constantTimeEquals(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer)
  -> Bool
{
  guard lhs.count == rhs.count else { return false }
  if lhs.isEmpty { return true }
  return sodium_memcmp(lhs.baseAddress!, rhs.baseAddress!, lhs.count) == 0
}

/// Standard base64 (with padding) decoded by libsodium, from bytes that may hold a secret:
/// no String is made of them. Nil for anything that is not base64.
public func base64Decoded(_ text: UnsafeRawBufferPointer) -> [UInt8]? {
  guard let base = text.baseAddress?.assumingMemoryBound(to: CChar.self), !text.isEmpty else {
    return nil
  }
  var out = [UInt8](repeating: 0, count: text.count / 4 * 3 + 3)
  var length = 0
  var end: UnsafePointer<CChar>?
  let status = sodium_base642bin(
    &out, out.count, base, text.count, nil, &length, &end, sodium_base64_VARIANT_ORIGINAL)
  guard status == 0, end == base + text.count else { return nil }
  return Array(out.prefix(length))
}
