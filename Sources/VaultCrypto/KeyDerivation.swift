import CSodium

/// Argon2id cost parameters, always within libsodium's INTERACTIVE…SENSITIVE presets.
///
/// The range is checked before anything is allocated, so a vault header that claims
/// 100 GiB is refused instead of attempted.
public struct KDFParameters: Equatable, Hashable, Sendable {
  public let opsLimit: UInt64
  /// Bytes of memory Argon2id uses.
  public let memLimit: UInt64

  public static let interactive = KDFParameters(
    unchecked: UInt64(crypto_pwhash_argon2id_opslimit_interactive()),
    UInt64(crypto_pwhash_argon2id_memlimit_interactive()))
  public static let moderate = KDFParameters(
    unchecked: UInt64(crypto_pwhash_argon2id_opslimit_moderate()),
    UInt64(crypto_pwhash_argon2id_memlimit_moderate()))
  public static let sensitive = KDFParameters(
    unchecked: UInt64(crypto_pwhash_argon2id_opslimit_sensitive()),
    UInt64(crypto_pwhash_argon2id_memlimit_sensitive()))

  public static let allowedOpsLimit = interactive.opsLimit...sensitive.opsLimit
  public static let allowedMemLimit = interactive.memLimit...sensitive.memLimit

  /// Validates the range; this is the only public way to make parameters.
  public init(opsLimit: UInt64, memLimit: UInt64) throws(CryptoError) {
    guard Self.allowedOpsLimit.contains(opsLimit), Self.allowedMemLimit.contains(memLimit) else {
      throw .kdfParametersOutOfRange(opsLimit: opsLimit, memLimit: memLimit)
    }
    self.init(unchecked: opsLimit, memLimit)
  }

  private init(unchecked opsLimit: UInt64, _ memLimit: UInt64) {
    self.opsLimit = opsLimit
    self.memLimit = memLimit
  }

  /// The preset's name when the parameters equal one.
  public var presetName: String? {
    switch self {
    case .interactive: "interactive"
    case .moderate: "moderate"
    case .sensitive: "sensitive"
    default: nil
    }
  }
}

public enum KeyDerivation {
  public static let saltLength = Int(crypto_pwhash_argon2id_SALTBYTES)
  public static let algorithmName = "argon2id13"

  /// Derives `length` bytes from a passphrase with Argon2id (`crypto_pwhash`).
  public static func argon2id(
    passphrase: borrowing SecretBytes, salt: [UInt8], parameters: KDFParameters,
    length: Int = 32
  ) throws(CryptoError) -> SecretBytes {
    try argon2idUnchecked(
      passphrase: passphrase, salt: salt, opsLimit: parameters.opsLimit,
      memLimit: parameters.memLimit, length: length)
  }

  /// Argon2id with any parameters libsodium accepts. Only the known-answer tests use it,
  /// because published vectors use costs far below the vault's floor.
  static func argon2idUnchecked(
    passphrase: borrowing SecretBytes, salt: [UInt8], opsLimit: UInt64, memLimit: UInt64,
    length: Int
  ) throws(CryptoError) -> SecretBytes {
    try Sodium.ensureReady()
    guard salt.count == saltLength else {
      throw .invalidLength(what: "salt", expected: saltLength, actual: salt.count)
    }
    var key = try SecretBytes(zeros: length)
    guard memLimit <= UInt64(Int.max) else {
      throw .kdfParametersOutOfRange(opsLimit: opsLimit, memLimit: memLimit)
    }
    let status = passphrase.withUnsafeBytes { pass in
      key.withUnsafeMutableBytes { out in
        crypto_pwhash(
          out.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(out.count),
          pass.baseAddress!.assumingMemoryBound(to: CChar.self),
          UInt64(pass.count), salt, opsLimit, Int(memLimit), crypto_pwhash_ALG_ARGON2ID13)
      }
    }
    guard status == 0 else { throw .kdfFailed }
    return key
  }

  /// A 32-byte subkey of `master` for one purpose (`crypto_kdf_derive_from_key`, BLAKE2b).
  /// `context` is exactly 8 ASCII characters.
  public static func subkey(
    of master: borrowing SecretBytes, id: UInt64, context: StaticString
  ) throws(CryptoError) -> SecretBytes {
    try Sodium.ensureReady()
    precondition(context.utf8CodeUnitCount == Int(crypto_kdf_CONTEXTBYTES))
    guard master.count == Int(crypto_kdf_KEYBYTES) else {
      throw .invalidLength(
        what: "master key", expected: Int(crypto_kdf_KEYBYTES), actual: master.count)
    }
    var subkey = try SecretBytes(zeros: 32)
    let status = master.withUnsafeBytes { masterBytes in
      subkey.withUnsafeMutableBytes { out in
        context.withUTF8Buffer { ctx in
          ctx.withMemoryRebound(to: CChar.self) { ctxChars in
            crypto_kdf_derive_from_key(
              out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count, id,
              ctxChars.baseAddress!, masterBytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
          }
        }
      }
    }
    guard status == 0 else { throw .kdfFailed }
    return subkey
  }
}

public enum KeyedHash {
  /// BLAKE2b (`crypto_generichash`) keyed with `key`: the blind index of a name.
  public static func hash(
    _ message: [UInt8], key: borrowing SecretBytes, length: Int = 32
  ) throws(CryptoError) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: length)
    let result = message.withUnsafeBytes { message in
      out.withUnsafeMutableBytes { out in
        Result { () throws(CryptoError) in try hash(message, key: key, into: out) }
      }
    }
    try result.get()
    return out
  }

  /// The same into `out` (its length is the hash's): whole-table reads hash every row
  /// without an allocation.
  public static func hash(
    _ message: UnsafeRawBufferPointer, key: borrowing SecretBytes,
    into out: UnsafeMutableRawBufferPointer
  ) throws(CryptoError) {
    try Sodium.ensureReady()
    let status = key.withUnsafeBytes { keyBytes in
      crypto_generichash(
        out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count,
        message.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(message.count),
        keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self), keyBytes.count)
    }
    guard status == 0 else { throw .kdfFailed }
  }
}
