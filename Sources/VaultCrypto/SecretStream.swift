import CSodium

/// libsodium's chunked AEAD (`crypto_secretstream_xchacha20poly1305`). The last chunk carries
/// the FINAL tag, so a stream cut short is detected; chunks cannot be reordered or dropped.
public enum SecretStream {
  public static let keyLength = Int(crypto_secretstream_xchacha20poly1305_KEYBYTES)
  public static let headerLength = Int(crypto_secretstream_xchacha20poly1305_HEADERBYTES)
  public static let overhead = Int(crypto_secretstream_xchacha20poly1305_ABYTES)

  /// Encrypts `plaintext` in chunks of `chunkSize` bytes; the first chunk also authenticates
  /// `associatedData`. Returns the stream header and the ciphertext chunks.
  public static func encrypt(
    _ plaintext: borrowing SecretBytes, key: borrowing SecretBytes, chunkSize: Int,
    associatedData: [UInt8]
  ) throws(CryptoError) -> (header: [UInt8], chunks: [[UInt8]]) {
    try Sodium.ensureReady()
    guard key.count == keyLength else {
      throw .invalidLength(what: "stream key", expected: keyLength, actual: key.count)
    }
    var state = crypto_secretstream_xchacha20poly1305_state()
    var header = [UInt8](repeating: 0, count: headerLength)
    _ = key.withUnsafeBytes {
      crypto_secretstream_xchacha20poly1305_init_push(
        &state, &header, $0.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    var chunks: [[UInt8]] = []
    let total = plaintext.count
    var offset = 0
    repeat {
      let length = min(chunkSize, total - offset)
      let isLast = offset + length == total
      var chunk = [UInt8](repeating: 0, count: length + overhead)
      let ad = chunks.isEmpty ? associatedData : []
      let tag = UInt8(
        isLast
          ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
          : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
      _ = plaintext.withUnsafeBytes { bytes in
        crypto_secretstream_xchacha20poly1305_push(
          &state, &chunk, nil, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset,
          UInt64(length),
          ad, UInt64(ad.count), tag)
      }
      chunks.append(chunk)
      offset += length
    } while offset < total
    return (header, chunks)
  }

  /// Decrypts into guarded memory; throws unless every chunk authenticates and only the last
  /// one carries the FINAL tag.
  public static func decrypt(
    header: [UInt8], chunks: [[UInt8]], key: borrowing SecretBytes, associatedData: [UInt8]
  ) throws(CryptoError) -> SecretBytes {
    try Sodium.ensureReady()
    guard key.count == keyLength, header.count == headerLength, !chunks.isEmpty else {
      throw .authenticationFailed
    }
    var state = crypto_secretstream_xchacha20poly1305_state()
    let initialised = key.withUnsafeBytes {
      crypto_secretstream_xchacha20poly1305_init_pull(
        &state, header, $0.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    guard initialised == 0 else { throw .authenticationFailed }
    let capacity = chunks.reduce(0) { $0 + max(0, $1.count - overhead) }
    var plaintext = try SecretBytes(capacity: capacity)
    var buffer = try SecretBytes(zeros: chunks.map(\.count).max() ?? 0)
    for (index, chunk) in chunks.enumerated() {
      guard chunk.count >= overhead else { throw .authenticationFailed }
      var tag: UInt8 = 0
      var written: UInt64 = 0
      let ad = index == 0 ? associatedData : []
      let status = buffer.withUnsafeMutableBytes { out in
        crypto_secretstream_xchacha20poly1305_pull(
          &state, out.baseAddress!.assumingMemoryBound(to: UInt8.self), &written, &tag, chunk,
          UInt64(chunk.count), ad,
          UInt64(ad.count))
      }
      let isLast = index == chunks.count - 1
      guard status == 0, (tag == UInt8(crypto_secretstream_xchacha20poly1305_TAG_FINAL)) == isLast
      else {
        throw .authenticationFailed
      }
      for offset in 0..<Int(written) { try plaintext.append(buffer[offset]) }
    }
    return plaintext
  }
}
