import CSodium

/// Key material, passphrases and passwords.
///
/// The bytes live in libsodium's guarded allocation (`sodium_malloc`: guard pages, `mlock`,
/// excluded from core dumps) and are wiped by `sodium_free` on deinit. The type is
/// non-copyable, so the compiler rejects an accidental second copy.
public struct SecretBytes: ~Copyable {
  private let base: UnsafeMutableRawPointer
  /// How many bytes the buffer can hold; appending past it throws.
  public let capacity: Int
  public private(set) var count: Int

  /// An empty buffer that can grow to `capacity` bytes.
  public init(capacity: Int) throws(CryptoError) {
    try Sodium.ensureReady()
    guard capacity >= 0, let pointer = sodium_malloc(max(capacity, 1)) else {
      throw .outOfMemory
    }
    sodium_memzero(pointer, max(capacity, 1))
    base = pointer
    self.capacity = capacity
    count = 0
  }

  /// `count` zero bytes.
  public init(zeros count: Int) throws(CryptoError) {
    try self.init(capacity: count)
    self.count = count
  }

  /// A copy of `bytes`. The caller stays responsible for wiping its own buffer.
  public init(copying bytes: UnsafeRawBufferPointer) throws(CryptoError) {
    try self.init(capacity: bytes.count)
    if let source = bytes.baseAddress, bytes.count > 0 {
      base.copyMemory(from: source, byteCount: bytes.count)
    }
    count = bytes.count
  }

  /// A copy of an array's bytes; for tests and for secrets that already sit in an array.
  public init(copying bytes: [UInt8]) throws(CryptoError) {
    try self.init(capacity: bytes.count)
    let copied = bytes.withUnsafeBytes { source in
      if let from = source.baseAddress, source.count > 0 {
        base.copyMemory(from: from, byteCount: source.count)
      }
      return source.count
    }
    count = copied
  }

  /// `count` bytes from libsodium's CSPRNG.
  public static func random(count: Int) throws(CryptoError) -> SecretBytes {
    let secret = try SecretBytes(zeros: count)
    randombytes_buf(secret.base, count)
    return secret
  }

  deinit {
    sodium_free(base)
  }

  public var isEmpty: Bool { count == 0 }

  public mutating func append(_ byte: UInt8) throws(CryptoError) {
    guard count < capacity else { throw .capacityExceeded(limit: capacity) }
    base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
    count += 1
  }

  public mutating func append(contentsOf bytes: UnsafeRawBufferPointer) throws(CryptoError) {
    guard bytes.count <= capacity - count else { throw .capacityExceeded(limit: capacity) }
    if let source = bytes.baseAddress, bytes.count > 0 {
      (base + count).copyMemory(from: source, byteCount: bytes.count)
    }
    count += bytes.count
  }

  /// Lets `body` write into the unused capacity; it returns how many bytes it wrote.
  public mutating func appendInPlace<E: Error>(
    _ body: (UnsafeMutableRawBufferPointer) throws(E) -> Int
  ) throws(E) {
    let written = try body(
      UnsafeMutableRawBufferPointer(start: base + count, count: capacity - count))
    precondition(written >= 0 && written <= capacity - count)
    count += written
  }

  /// Drops the last `n` bytes and wipes them.
  public mutating func removeLast(_ n: Int = 1) {
    precondition(n >= 0 && n <= count)
    sodium_memzero(base + (count - n), n)
    count -= n
  }

  public func withUnsafeBytes<R: ~Copyable, E: Error>(
    _ body: (UnsafeRawBufferPointer) throws(E) -> R
  ) throws(E) -> R {
    try body(UnsafeRawBufferPointer(start: base, count: count))
  }

  public mutating func withUnsafeMutableBytes<R: ~Copyable, E: Error>(
    _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R
  ) throws(E) -> R {
    try body(UnsafeMutableRawBufferPointer(start: base, count: count))
  }

  /// The byte at `index`; for parsing a secret without copying it out.
  public subscript(index: Int) -> UInt8 {
    precondition(index >= 0 && index < count)
    return base.load(fromByteOffset: index, as: UInt8.self)
  }

  /// Constant-time equality (lengths are not secret).
  public func isEqual(to other: borrowing SecretBytes) -> Bool {
    guard count == other.count else { return false }
    return withUnsafeBytes { a in
      other.withUnsafeBytes { b in
        a.count == 0 || sodium_memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
      }
    }
  }
}
