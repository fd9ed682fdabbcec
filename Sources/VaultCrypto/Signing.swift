import CSodium

/// Ed25519 signatures (`crypto_sign_detached`): the sender of a bundle signs it.
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
