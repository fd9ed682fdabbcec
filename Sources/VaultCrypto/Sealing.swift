import CSodium

/// A public key and its secret key.
public struct KeyPair: ~Copyable {
  public let publicKey: [UInt8]
  public let secretKey: SecretBytes

  public init(publicKey: [UInt8], secretKey: consuming SecretBytes) {
    self.publicKey = publicKey
    self.secretKey = secretKey
  }
}

/// X25519 key pairs and anonymous sealed boxes (`crypto_box_seal`): a file key sealed to a
/// teammate's public key, which only their secret key opens.
public enum Sealing {
  public static let publicKeyLength = Int(crypto_box_PUBLICKEYBYTES)
  public static let secretKeyLength = Int(crypto_box_SECRETKEYBYTES)
  public static let overhead = Int(crypto_box_sealbytes())

  public static func keyPair() throws(CryptoError) -> KeyPair {
    try Sodium.ensureReady()
    var publicKey = [UInt8](repeating: 0, count: publicKeyLength)
    var secretKey = try SecretBytes(zeros: secretKeyLength)
    let status = secretKey.withUnsafeMutableBytes { secret in
      crypto_box_keypair(&publicKey, secret.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    guard status == 0 else { throw .kdfFailed }
    return KeyPair(publicKey: publicKey, secretKey: secretKey)
  }

  /// A key pair from a 32-byte seed; for fixed test vectors.
  public static func keyPair(seed: borrowing SecretBytes) throws(CryptoError) -> KeyPair {
    try Sodium.ensureReady()
    guard seed.count == Int(crypto_box_SEEDBYTES) else {
      throw .invalidLength(what: "seed", expected: Int(crypto_box_SEEDBYTES), actual: seed.count)
    }
    var publicKey = [UInt8](repeating: 0, count: publicKeyLength)
    var secretKey = try SecretBytes(zeros: secretKeyLength)
    let status = seed.withUnsafeBytes { seedBytes in
      secretKey.withUnsafeMutableBytes { secret in
        crypto_box_seed_keypair(
          &publicKey, secret.baseAddress!.assumingMemoryBound(to: UInt8.self),
          seedBytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
      }
    }
    guard status == 0 else { throw .kdfFailed }
    return KeyPair(publicKey: publicKey, secretKey: secretKey)
  }

  /// The public key that belongs to a secret key (`crypto_scalarmult_base`).
  public static func publicKey(of secretKey: borrowing SecretBytes) throws(CryptoError) -> [UInt8] {
    try Sodium.ensureReady()
    guard secretKey.count == secretKeyLength else {
      throw .invalidLength(what: "secret key", expected: secretKeyLength, actual: secretKey.count)
    }
    var publicKey = [UInt8](repeating: 0, count: publicKeyLength)
    _ = secretKey.withUnsafeBytes {
      crypto_scalarmult_base(&publicKey, $0.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    return publicKey
  }

  public static func seal(_ message: borrowing SecretBytes, to publicKey: [UInt8])
    throws(CryptoError) -> [UInt8]
  {
    try Sodium.ensureReady()
    guard publicKey.count == publicKeyLength else {
      throw .invalidLength(what: "public key", expected: publicKeyLength, actual: publicKey.count)
    }
    var sealed = [UInt8](repeating: 0, count: message.count + overhead)
    let status = message.withUnsafeBytes { bytes in
      crypto_box_seal(
        &sealed, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count),
        publicKey)
    }
    guard status == 0 else { throw .invalidPublicKey }
    return sealed
  }

  public static func open(
    _ sealed: [UInt8], publicKey: [UInt8], secretKey: borrowing SecretBytes
  ) throws(CryptoError) -> SecretBytes {
    try Sodium.ensureReady()
    guard sealed.count >= overhead, publicKey.count == publicKeyLength,
      secretKey.count == secretKeyLength
    else {
      throw .authenticationFailed
    }
    var message = try SecretBytes(zeros: sealed.count - overhead)
    let status = secretKey.withUnsafeBytes { secret in
      message.withUnsafeMutableBytes { out in
        crypto_box_seal_open(
          out.baseAddress!.assumingMemoryBound(to: UInt8.self), sealed, UInt64(sealed.count),
          publicKey,
          secret.baseAddress!.assumingMemoryBound(to: UInt8.self))
      }
    }
    guard status == 0 else { throw .authenticationFailed }
    return message
  }

  /// X25519 (`crypto_scalarmult`); libsodium refuses an all-zero result (a low-order point).
  public static func sharedSecret(
    secretKey: borrowing SecretBytes, publicKey: [UInt8]
  ) throws(CryptoError) -> SecretBytes {
    try Sodium.ensureReady()
    guard publicKey.count == publicKeyLength, secretKey.count == secretKeyLength else {
      throw .invalidPublicKey
    }
    var shared = try SecretBytes(zeros: Int(crypto_scalarmult_BYTES))
    let status = secretKey.withUnsafeBytes { secret in
      shared.withUnsafeMutableBytes { out in
        crypto_scalarmult(
          out.baseAddress!.assumingMemoryBound(to: UInt8.self),
          secret.baseAddress!.assumingMemoryBound(to: UInt8.self),
          publicKey)
      }
    }
    guard status == 0 else { throw .invalidPublicKey }
    return shared
  }
}
