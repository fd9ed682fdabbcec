import CSodium

/// Ed25519 signatures: the sender of a bundle signs it. `sign` is pure Ed25519
/// (`crypto_sign_detached`, bundle formats 1 and 2), which hashes the message twice;
/// `signPrehashed` is Ed25519ph (RFC 8032, empty context: `crypto_sign_ed25519ph_*`, bundle
/// format 3), which hashes it once with SHA-512, half the time for a bundle of megabytes.
/// The two never verify each other's signatures (RFC 8032's dom2 prefix separates them).
public enum Signing {
  public static let publicKeyLength = Int(crypto_sign_PUBLICKEYBYTES)
  public static let secretKeyLength = Int(crypto_sign_SECRETKEYBYTES)
  public static let signatureLength = Int(crypto_sign_BYTES)

  public static func keyPair() throws(CryptoError) -> KeyPair {
    try Sodium.ensureReady()
    var publicKey = [UInt8](repeating: 0, count: publicKeyLength)
    var secretKey = try SecretBytes(zeros: secretKeyLength)
    let status = secretKey.withUnsafeMutableBytes {
      crypto_sign_keypair(&publicKey, $0.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    guard status == 0 else { throw .kdfFailed }
    return KeyPair(publicKey: publicKey, secretKey: secretKey)
  }

  /// A key pair from a 32-byte seed; for fixed test vectors.
  public static func keyPair(seed: borrowing SecretBytes) throws(CryptoError) -> KeyPair {
    try Sodium.ensureReady()
    guard seed.count == Int(crypto_sign_SEEDBYTES) else {
      throw .invalidLength(what: "seed", expected: Int(crypto_sign_SEEDBYTES), actual: seed.count)
    }
    var publicKey = [UInt8](repeating: 0, count: publicKeyLength)
    var secretKey = try SecretBytes(zeros: secretKeyLength)
    let status = seed.withUnsafeBytes { seedBytes in
      secretKey.withUnsafeMutableBytes {
        crypto_sign_seed_keypair(
          &publicKey, $0.baseAddress!.assumingMemoryBound(to: UInt8.self),
          seedBytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
      }
    }
    guard status == 0 else { throw .kdfFailed }
    return KeyPair(publicKey: publicKey, secretKey: secretKey)
  }

  public static func sign(_ message: [UInt8], secretKey: borrowing SecretBytes) throws(CryptoError)
    -> [UInt8]
  {
    try Sodium.ensureReady()
    guard secretKey.count == secretKeyLength else {
      throw .invalidLength(what: "signing key", expected: secretKeyLength, actual: secretKey.count)
    }
    var signature = [UInt8](repeating: 0, count: signatureLength)
    _ = secretKey.withUnsafeBytes {
      crypto_sign_detached(
        &signature, nil, message, UInt64(message.count),
        $0.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    return signature
  }

  public static func signPrehashed(_ message: [UInt8], secretKey: borrowing SecretBytes)
    throws(CryptoError) -> [UInt8]
  {
    try Sodium.ensureReady()
    guard secretKey.count == secretKeyLength else {
      throw .invalidLength(what: "signing key", expected: secretKeyLength, actual: secretKey.count)
    }
    var state = crypto_sign_ed25519ph_state()
    crypto_sign_ed25519ph_init(&state)
    crypto_sign_ed25519ph_update(&state, message, UInt64(message.count))
    var signature = [UInt8](repeating: 0, count: signatureLength)
    _ = secretKey.withUnsafeBytes {
      crypto_sign_ed25519ph_final_create(
        &state, &signature, nil, $0.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    return signature
  }

  /// Ed25519ph's check, with libsodium's same refusals of malformed signatures and keys.
  public static func verifyPrehashed(
    _ signature: [UInt8], message: UnsafeRawBufferPointer, publicKey: [UInt8]
  ) -> Bool {
    guard Sodium.isReady, signature.count == signatureLength, publicKey.count == publicKeyLength
    else { return false }
    var state = crypto_sign_ed25519ph_state()
    crypto_sign_ed25519ph_init(&state)
    crypto_sign_ed25519ph_update(
      &state, message.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(message.count))
    var copy = signature
    return crypto_sign_ed25519ph_final_verify(&state, &copy, publicKey) == 0
  }

  /// libsodium rejects non-canonical and small-order encodings, as Wycheproof requires.
  public static func verify(_ signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
    guard Sodium.isReady, signature.count == signatureLength, publicKey.count == publicKeyLength
    else { return false }
    return crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
  }
}

/// Unkeyed BLAKE2b (`crypto_generichash`), for checksums and fingerprints of public data.
public enum Digest {
  public static func blake2b(_ message: [UInt8], length: Int = 32) -> [UInt8] {
    precondition(Sodium.isReady)
    var out = [UInt8](repeating: 0, count: length)
    crypto_generichash(&out, length, message, UInt64(message.count), nil, 0)
    return out
  }
}
