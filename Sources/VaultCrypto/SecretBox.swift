import CSodium

/// XChaCha20-Poly1305 (IETF) authenticated encryption with associated data.
///
/// A box is `nonce (24) ‖ ciphertext ‖ tag (16)`; the nonce is random, which the 192-bit
/// nonce makes safe for any number of messages under one key.
public enum SecretBox {
  public static let keyLength = Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
  public static let nonceLength = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
  public static let tagLength = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)
  public static let overhead = nonceLength + tagLength

  public static func seal(
    _ plaintext: [UInt8], additionalData: [UInt8], key: borrowing SecretBytes
  ) throws(CryptoError) -> [UInt8] {
    let nonce = Random.bytes(nonceLength)
    return try plaintext.withUnsafeBytes { bytes in
      Result { () throws(CryptoError) in
        try seal(bytes, additionalData: additionalData, key: key, nonce: nonce)
      }
    }.get()
  }

  public static func seal(
    _ plaintext: borrowing SecretBytes, additionalData: [UInt8], key: borrowing SecretBytes
  ) throws(CryptoError) -> [UInt8] {
    let nonce = Random.bytes(nonceLength)
    return try plaintext.withUnsafeBytes { (bytes) throws(CryptoError) in
      try seal(bytes, additionalData: additionalData, key: key, nonce: nonce)
    }
  }

  /// Encryption with a caller-chosen nonce; for known-answer tests and fixed test vectors.
  /// Everywhere else the nonce is random.
  public static func seal(
    _ plaintext: UnsafeRawBufferPointer, additionalData: [UInt8], key: borrowing SecretBytes,
    nonce: [UInt8]
  ) throws(CryptoError) -> [UInt8] {
    try Sodium.ensureReady()
    try checkKey(key)
    guard nonce.count == nonceLength else {
      throw .invalidLength(what: "nonce", expected: nonceLength, actual: nonce.count)
    }
    var box = nonce + [UInt8](repeating: 0, count: plaintext.count + tagLength)
    var written: UInt64 = 0
    let status = key.withUnsafeBytes { keyBytes in
      box.withUnsafeMutableBufferPointer { out in
        crypto_aead_xchacha20poly1305_ietf_encrypt(
          out.baseAddress! + nonceLength, &written,
          plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
          additionalData, UInt64(additionalData.count), nil, nonce,
          keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
      }
    }
    guard status == 0 else { throw .authenticationFailed }
    return box
  }

  /// Opens a box into guarded memory: for passwords and keys.
  public static func openSecret(
    _ box: [UInt8], additionalData: [UInt8], key: borrowing SecretBytes
  ) throws(CryptoError) -> SecretBytes {
    var plaintext = try SecretBytes(zeros: try plaintextLength(box))
    let ok = plaintext.withUnsafeMutableBytes { out in
      decrypt(box, additionalData: additionalData, key: key, into: out)
    }
    guard ok else { throw .authenticationFailed }
    return plaintext
  }

  /// Opens a box straight into the spare capacity of `out` (guarded memory), with no
  /// allocation of its own: for many passwords in one buffer.
  public static func openSecret(
    _ box: [UInt8], additionalData: [UInt8], key: borrowing SecretBytes,
    appendingTo out: inout SecretBytes
  ) throws(CryptoError) {
    let length = try plaintextLength(box)
    guard out.capacity - out.count >= length else { throw .capacityExceeded(limit: out.capacity) }
    var ok = false
    out.appendInPlace { spare in
      ok = decrypt(
        box, additionalData: additionalData, key: key,
        into: UnsafeMutableRawBufferPointer(rebasing: spare[0..<length]))
      return ok ? length : 0
    }
    guard ok else { throw .authenticationFailed }
  }

  /// Opens a box held in someone else's memory (a database row) without copying it first.
  public static func open(
    _ box: UnsafeRawBufferPointer, additionalData: UnsafeRawBufferPointer,
    key: borrowing SecretBytes
  ) throws(CryptoError) -> [UInt8] {
    guard box.count >= overhead else { throw .authenticationFailed }
    var plaintext = [UInt8](repeating: 0, count: box.count - overhead)
    let result = plaintext.withUnsafeMutableBytes { out in
      Result { () throws(CryptoError) in
        try open(box, additionalData: additionalData, key: key, into: out)
      }
    }
    try result.get()
    return plaintext
  }

  /// Opens a box into `out`, which holds exactly its plaintext (`box.count - overhead`):
  /// whole-table reads open every row into one buffer per worker. Wiped on failure.
  public static func open(
    _ box: UnsafeRawBufferPointer, additionalData: UnsafeRawBufferPointer,
    key: borrowing SecretBytes, into out: UnsafeMutableRawBufferPointer
  ) throws(CryptoError) {
    guard box.count >= overhead, out.count == box.count - overhead, key.count == keyLength,
      Sodium.isReady
    else { throw .authenticationFailed }
    var written: UInt64 = 0
    let input = box.baseAddress!.assumingMemoryBound(to: UInt8.self)
    let status = key.withUnsafeBytes { keyBytes in
      crypto_aead_xchacha20poly1305_ietf_decrypt(
        out.baseAddress?.assumingMemoryBound(to: UInt8.self), &written, nil, input + nonceLength,
        UInt64(box.count - nonceLength),
        additionalData.baseAddress?.assumingMemoryBound(to: UInt8.self),
        UInt64(additionalData.count), input,
        keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    guard status == 0 else {
      if let base = out.baseAddress { sodium_memzero(base, out.count) }
      throw .authenticationFailed
    }
  }

  /// Opens a box into ordinary memory: for metadata (names, hosts) that is shown anyway.
  public static func open(
    _ box: [UInt8], additionalData: [UInt8], key: borrowing SecretBytes
  ) throws(CryptoError) -> [UInt8] {
    var plaintext = [UInt8](repeating: 0, count: try plaintextLength(box))
    let ok = plaintext.withUnsafeMutableBytes { out in
      decrypt(box, additionalData: additionalData, key: key, into: out)
    }
    guard ok else { throw .authenticationFailed }
    return plaintext
  }

  private static func plaintextLength(_ box: [UInt8]) throws(CryptoError) -> Int {
    guard box.count >= overhead else { throw .authenticationFailed }
    return box.count - overhead
  }

  private static func checkKey(_ key: borrowing SecretBytes) throws(CryptoError) {
    guard key.count == keyLength else {
      throw .invalidLength(what: "key", expected: keyLength, actual: key.count)
    }
  }

  /// False when the key is wrong or the box was altered; `out` is wiped then.
  private static func decrypt(
    _ box: [UInt8], additionalData: [UInt8], key: borrowing SecretBytes,
    into out: UnsafeMutableRawBufferPointer
  ) -> Bool {
    guard Sodium.isReady, key.count == keyLength, box.count >= overhead else { return false }
    var written: UInt64 = 0
    let status = key.withUnsafeBytes { keyBytes in
      box.withUnsafeBufferPointer { input in
        crypto_aead_xchacha20poly1305_ietf_decrypt(
          out.baseAddress?.assumingMemoryBound(to: UInt8.self), &written, nil,
          input.baseAddress! + nonceLength, UInt64(input.count - nonceLength),
          additionalData, UInt64(additionalData.count), input.baseAddress!,
          keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
      }
    }
    if status != 0, let base = out.baseAddress { sodium_memzero(base, out.count) }
    return status == 0
  }
}
