import COpenSSL
import VaultCrypto

/// Why a foreign file's protection could not be removed. Never carries a secret.
public enum ForeignCryptoError: Error, Equatable, Sendable {
  /// The key is wrong or the value was changed (an AEAD tag, a CBC padding).
  case wrongKeyOrDamaged
  /// A value of the wrong size for the cipher (a key, a nonce, a block).
  case badLength(String)
  /// libcrypto refused a call it should accept.
  case library(String)
}

/// Decryption of the ciphers that other tools protect their files with: mRemoteNG's
/// AES-256-GCM under PBKDF2-HMAC-SHA1 and its older AES-CBC under MD5, Remmina's 3DES-CBC.
/// libsodium has none of them (no PBKDF2, no 3DES, and AES-GCM only on CPUs with AES-NI), so
/// they come from OpenSSL's libcrypto. rdpvault's own cryptography stays in VaultCrypto: this
/// module only reads what others wrote. Every key and every plaintext is in `SecretBytes`.
public enum ForeignCiphers {
  /// Whether OpenSSL's libcrypto (libcrypto.so.3, Debian's libssl3) could be loaded: it is
  /// opened on first use, not linked (COpenSSL/shim.h).
  public static var isAvailable: Bool { rv_crypto_available() == 1 }

  /// What to say when it could not.
  public static let unavailableReason =
    "OpenSSL's libcrypto (libcrypto.so.3, Debian package libssl3) is not installed; it decrypts the passwords of mRemoteNG and Remmina files"

  /// PBKDF2 with HMAC-SHA1 (RFC 8018), as BouncyCastle's `Pkcs5S2ParametersGenerator` does it.
  public static func pbkdf2SHA1(
    password: borrowing SecretBytes, salt: [UInt8], iterations: Int, length: Int
  ) throws -> SecretBytes {
    guard iterations >= 1, iterations <= 1 << 24, length >= 1, length <= 1024 else {
      throw ForeignCryptoError.badLength("PBKDF2 iterations \(iterations), length \(length)")
    }
    var key = try SecretBytes(capacity: length)
    try password.withUnsafeBytes { pass in
      try key.appendInPlace { out throws(ForeignCryptoError) -> Int in
        let empty: [CChar] = [0]
        let ok = empty.withUnsafeBufferPointer { empty in
          PKCS5_PBKDF2_HMAC(
            pass.baseAddress?.assumingMemoryBound(to: CChar.self) ?? empty.baseAddress,
            Int32(pass.count), salt, Int32(salt.count), Int32(iterations), EVP_sha1(),
            Int32(length), out.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        guard ok == 1 else { throw .library("PKCS5_PBKDF2_HMAC") }
        return length
      }
    }
    return key
  }

  /// MD5 of a secret: the key of mRemoteNG's files before version 2.6.
  public static func md5(_ secret: borrowing SecretBytes) throws -> SecretBytes {
    var digest = try SecretBytes(capacity: 16)
    try secret.withUnsafeBytes { input in
      try digest.appendInPlace { out throws(ForeignCryptoError) -> Int in
        var size: UInt32 = 0
        guard
          EVP_Digest(
            input.baseAddress, input.count, out.baseAddress!.assumingMemoryBound(to: UInt8.self),
            &size, EVP_md5(), nil) == 1, size == 16
        else { throw .library("EVP_Digest") }
        return 16
      }
    }
    return digest
  }

  /// AES-256-GCM with a nonce of any length (mRemoteNG's is 16 bytes) and a 16-byte tag.
  public static func aes256GCMOpen(
    key: borrowing SecretBytes, nonce: ArraySlice<UInt8>, associatedData: ArraySlice<UInt8>,
    ciphertext: ArraySlice<UInt8>, tag: ArraySlice<UInt8>
  ) throws -> SecretBytes {
    guard key.count == 32, !nonce.isEmpty, nonce.count <= 64, tag.count == 16 else {
      throw ForeignCryptoError.badLength("AES-GCM key, nonce or tag")
    }
    return try withContext { context throws(ForeignCryptoError) -> SecretBytes in
      guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1,
        EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonce.count), nil) == 1
      else { throw .library("AES-GCM setup") }
      let initialised = key.withUnsafeBytes { key in
        Array(nonce).withUnsafeBytes { iv in
          EVP_DecryptInit_ex(
            context, nil, nil, key.baseAddress!.assumingMemoryBound(to: UInt8.self),
            iv.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
      }
      guard initialised == 1 else { throw .library("AES-GCM key") }
      var ignored: Int32 = 0
      if !associatedData.isEmpty {
        let fed = Array(associatedData).withUnsafeBufferPointer {
          EVP_DecryptUpdate(context, nil, &ignored, $0.baseAddress, Int32($0.count))
        }
        guard fed == 1 else { throw .library("AES-GCM associated data") }
      }
      var tagBytes = Array(tag)
      let plaintext = try update(context, ciphertext, blockSlack: 0)
      guard
        EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, 16, &tagBytes) == 1
      else { throw .library("AES-GCM tag") }
      var final = [UInt8](repeating: 0, count: 16)
      guard EVP_DecryptFinal_ex(context, &final, &ignored) == 1 else {
        throw .wrongKeyOrDamaged
      }
      return plaintext
    }
  }

  /// AES-CBC (128, 192 or 256) with PKCS#7 padding.
  public static func aesCBCDecrypt(
    key: borrowing SecretBytes, iv: ArraySlice<UInt8>, ciphertext: ArraySlice<UInt8>
  ) throws -> SecretBytes {
    let cipher: OpaquePointer? =
      switch key.count {
      case 16: EVP_aes_128_cbc()
      case 24: EVP_aes_192_cbc()
      case 32: EVP_aes_256_cbc()
      default: nil
      }
    guard let cipher, iv.count == 16 else {
      throw ForeignCryptoError.badLength("AES-CBC key or IV")
    }
    guard !ciphertext.isEmpty, ciphertext.count % 16 == 0 else {
      throw ForeignCryptoError.badLength("AES-CBC ciphertext of \(ciphertext.count) bytes")
    }
    return try cbcDecrypt(cipher, key: key, iv: iv, ciphertext: ciphertext, padding: true)
  }

  /// Three-key 3DES (DES-EDE3) in CBC mode without padding: Remmina pads with NULs itself.
  public static func tripleDESCBCDecrypt(
    key: borrowing SecretBytes, iv: ArraySlice<UInt8>, ciphertext: ArraySlice<UInt8>
  ) throws -> SecretBytes {
    guard key.count == 24, iv.count == 8 else {
      throw ForeignCryptoError.badLength("3DES key or IV")
    }
    guard !ciphertext.isEmpty, ciphertext.count % 8 == 0 else {
      throw ForeignCryptoError.badLength("3DES ciphertext of \(ciphertext.count) bytes")
    }
    return try cbcDecrypt(
      EVP_des_ede3_cbc(), key: key, iv: iv, ciphertext: ciphertext, padding: false)
  }

  // MARK: libcrypto's cipher context

  private static func cbcDecrypt(
    _ cipher: OpaquePointer?, key: borrowing SecretBytes, iv: ArraySlice<UInt8>,
    ciphertext: ArraySlice<UInt8>, padding: Bool
  ) throws -> SecretBytes {
    try withContext { context throws(ForeignCryptoError) -> SecretBytes in
      let initialised = key.withUnsafeBytes { key in
        Array(iv).withUnsafeBytes { iv in
          EVP_DecryptInit_ex(
            context, cipher, nil, key.baseAddress!.assumingMemoryBound(to: UInt8.self),
            iv.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
      }
      guard initialised == 1, EVP_CIPHER_CTX_set_padding(context, padding ? 1 : 0) == 1 else {
        throw .library("CBC setup")
      }
      var plaintext = try update(context, ciphertext, blockSlack: 16)
      try plaintext.appendInPlace { out throws(ForeignCryptoError) -> Int in
        var written: Int32 = 0
        guard
          EVP_DecryptFinal_ex(
            context, out.baseAddress!.assumingMemoryBound(to: UInt8.self), &written) == 1
        else { throw .wrongKeyOrDamaged }
        return Int(written)
      }
      return plaintext
    }
  }

  /// Decrypts `input` into guarded memory (with room for `blockSlack` more bytes).
  private static func update(
    _ context: OpaquePointer, _ input: ArraySlice<UInt8>, blockSlack: Int
  ) throws(ForeignCryptoError) -> SecretBytes {
    guard input.count <= Int(Int32.max) - 64 else { throw .badLength("a value this large") }
    var output: SecretBytes
    do { output = try SecretBytes(capacity: input.count + blockSlack + 16) } catch {
      throw .library("out of memory")
    }
    try output.appendInPlace { out throws(ForeignCryptoError) -> Int in
      guard !input.isEmpty else { return 0 }
      var written: Int32 = 0
      let ok = input.withUnsafeBufferPointer {
        EVP_DecryptUpdate(
          context, out.baseAddress!.assumingMemoryBound(to: UInt8.self), &written,
          $0.baseAddress, Int32($0.count))
      }
      guard ok == 1 else { throw .library("EVP_DecryptUpdate") }
      return Int(written)
    }
    return output
  }

  private static func withContext<R: ~Copyable>(
    _ body: (OpaquePointer) throws(ForeignCryptoError) -> R
  ) throws -> R {
    guard let context = EVP_CIPHER_CTX_new() else {
      throw ForeignCryptoError.library("EVP_CIPHER_CTX_new")
    }
    defer {
      EVP_CIPHER_CTX_free(context)
      ERR_clear_error()
    }
    return try body(context)
  }
}
