import Foundation
import VaultCrypto

/// The export bundle format, version 3 (SECURITY.md has the byte layout). Versions 1 and 2
/// are still read: version 2 differs only in its signature (pure Ed25519), version 1 in that
/// and its payload (`BundlePayload`).
///
///     magic "RDPVBNDL" | version u8 | header length u32 | header
///     | stream header (24) | chunk count × (length u32 | chunk) | signature (64)
///
/// Integers are big-endian. The signature covers every byte before it: Ed25519ph (one
/// SHA-512 pass over a bundle of megabytes) from version 3, pure Ed25519 before.
enum BundleFormat {
  static let magic = Array("RDPVBNDL".utf8)
  static let version: UInt8 = 3
  static let readableVersions: [UInt8] = [1, 2, 3]
  static let chunkSize = 64 * 1024
  static let fileKeyLength = SecretStream.keyLength
  static let sealedKeyLength = fileKeyLength + Sealing.overhead
  static let maximumRecipients = 1024
  static let maximumHeader = 1 << 20

  struct Recipient: Equatable {
    var boxKey: [UInt8]
    var sealedFileKey: [UInt8]
  }

  struct Header: Equatable {
    var bundleID: [UInt8]
    var createdAt: UInt64
    var sequence: UInt64
    var senderBox: [UInt8]
    var senderSign: [UInt8]
    var chunkSize: UInt32
    var chunkCount: UInt32
    var recipients: [Recipient]

    func encoded() -> [UInt8] {
      var out = bundleID
      out += be(createdAt) + be(sequence) + senderBox + senderSign + be(chunkSize) + be(chunkCount)
      out += be(UInt16(recipients.count))
      for recipient in recipients { out += recipient.boxKey + recipient.sealedFileKey }
      return out
    }

    static func parse(_ bytes: ArraySlice<UInt8>) throws -> Header {
      var reader = Reader(bytes)
      let header = Header(
        bundleID: try reader.take(16), createdAt: try reader.u64(), sequence: try reader.u64(),
        senderBox: try reader.take(32), senderSign: try reader.take(32),
        chunkSize: try reader.u32(),
        chunkCount: try reader.u32(), recipients: [])
      let count = Int(try reader.u16())
      guard count > 0, count <= maximumRecipients else {
        throw VaultError.bundleMalformed(reason: "bad recipient count")
      }
      var result = header
      for _ in 0..<count {
        result.recipients.append(
          Recipient(boxKey: try reader.take(32), sealedFileKey: try reader.take(sealedKeyLength)))
      }
      guard reader.isAtEnd else {
        throw VaultError.bundleMalformed(reason: "header length does not match its contents")
      }
      guard result.chunkCount > 0, result.chunkSize > 0, result.chunkSize <= 1 << 24 else {
        throw VaultError.bundleMalformed(reason: "bad chunk layout")
      }
      return result
    }
  }

  /// A bundle split into its parts, before anything is trusted.
  struct Parsed {
    var version: UInt8
    var header: Header
    /// magic, version, header length and header: the first chunk's associated data.
    var prefix: [UInt8]
    var streamHeader: [UInt8]
    var chunks: [[UInt8]]
    var signedBytes: ArraySlice<UInt8>
    var signature: [UInt8]
  }

  static func write(
    payload: borrowing SecretBytes, senderBox: [UInt8], senderSign: [UInt8],
    signingKey: borrowing SecretBytes,
    recipients: [PublicIdentity], sequence: UInt64, bundleID: [UInt8] = Random.bytes(16),
    createdAt: UInt64 = UInt64(Date().timeIntervalSince1970), version: UInt8 = BundleFormat.version
  ) throws -> [UInt8] {
    // Only tests write another version (a version-1 bundle, to prove it is still read).
    precondition(readableVersions.contains(version))
    let fileKey = try SecretBytes.random(count: fileKeyLength)
    let chunkCount = max(1, (payload.count + chunkSize - 1) / chunkSize)
    let header = Header(
      bundleID: bundleID, createdAt: createdAt, sequence: sequence, senderBox: senderBox,
      senderSign: senderSign,
      chunkSize: UInt32(chunkSize), chunkCount: UInt32(chunkCount),
      recipients: try recipients.map {
        Recipient(boxKey: $0.boxKey, sealedFileKey: try Sealing.seal(fileKey, to: $0.boxKey))
      })
    let headerBytes = header.encoded()
    let prefix = magic + [version] + be(UInt32(headerBytes.count)) + headerBytes
    let (streamHeader, chunks) = try SecretStream.encrypt(
      payload, key: fileKey, chunkSize: chunkSize, associatedData: prefix)
    precondition(chunks.count == chunkCount)
    var out: [UInt8] = []
    out.reserveCapacity(
      prefix.count + streamHeader.count + chunks.reduce(0) { $0 + 4 + $1.count }
        + Signing.signatureLength)
    out += prefix
    out += streamHeader
    for chunk in chunks {
      out.appendBigEndian(UInt32(chunk.count))
      out += chunk
    }
    out +=
      try signatureIsPrehashed(version)
      ? Signing.signPrehashed(out, secretKey: signingKey)
      : Signing.sign(out, secretKey: signingKey)
    return out
  }

  /// Ed25519ph for version 3, pure Ed25519 for versions 1 and 2. Each version is named: a
  /// later one must choose its own algorithm here, not inherit one.
  private static func signatureIsPrehashed(_ version: UInt8) throws -> Bool {
    switch version {
    case 1, 2: return false
    case 3: return true
    default: throw VaultError.bundleUnsupportedVersion(Int(version))
    }
  }

  /// Splits the file; refuses a wrong magic, an unknown version, truncation and trailing bytes.
  static func parse(_ bytes: [UInt8]) throws -> Parsed {
    guard bytes.count >= magic.count, Array(bytes.prefix(magic.count)) == magic else {
      throw VaultError.bundleMalformed(reason: "it does not start with RDPVBNDL")
    }
    var reader = Reader(bytes[...])
    _ = try reader.take(magic.count)
    let version = try reader.take(1)[0]
    guard readableVersions.contains(version) else {
      throw VaultError.bundleUnsupportedVersion(Int(version))
    }
    let headerLength = Int(try reader.u32())
    guard headerLength <= maximumHeader else {
      throw VaultError.bundleMalformed(reason: "header too large")
    }
    let header = try Header.parse(ArraySlice(try reader.take(headerLength)))
    let prefix = Array(bytes[..<reader.offset])
    let streamHeader = try reader.take(SecretStream.headerLength)
    var chunks: [[UInt8]] = []
    for _ in 0..<header.chunkCount {
      let length = Int(try reader.u32())
      guard length <= Int(header.chunkSize) + SecretStream.overhead else {
        throw VaultError.bundleMalformed(reason: "a chunk is larger than the chunk size")
      }
      chunks.append(try reader.take(length))
    }
    let signedEnd = reader.offset
    let signature = try reader.take(Signing.signatureLength)
    if !reader.isAtEnd { throw VaultError.bundleTrailingData(bytes: bytes.count - reader.offset) }
    return Parsed(
      version: version, header: header, prefix: prefix, streamHeader: streamHeader, chunks: chunks,
      signedBytes: bytes[..<signedEnd], signature: signature)
  }

  static func verifySignature(_ bundle: Parsed) throws {
    let key = bundle.header.senderSign
    let valid =
      try signatureIsPrehashed(bundle.version)
      ? bundle.signedBytes.withUnsafeBytes {
        Signing.verifyPrehashed(bundle.signature, message: $0, publicKey: key)
      }
      : Signing.verify(bundle.signature, message: Array(bundle.signedBytes), publicKey: key)
    guard valid else { throw VaultError.bundleBadSignature }
  }

  /// Opens the file key sealed to `boxKey` and decrypts the payload.
  static func open(_ bundle: Parsed, boxKey: [UInt8], boxSecret: borrowing SecretBytes) throws
    -> SecretBytes
  {
    guard
      let recipient = bundle.header.recipients.first(where: {
        constantTimeEquals($0.boxKey, boxKey)
      })
    else {
      throw VaultError.bundleNotForUs
    }
    let fileKey: SecretBytes
    do {
      fileKey = try Sealing.open(recipient.sealedFileKey, publicKey: boxKey, secretKey: boxSecret)
    } catch {
      throw VaultError.bundleTampered
    }
    do {
      return try SecretStream.decrypt(
        header: bundle.streamHeader, chunks: bundle.chunks, key: fileKey,
        associatedData: bundle.prefix)
    } catch {
      throw VaultError.bundleTampered
    }
  }

  struct Reader {
    let bytes: ArraySlice<UInt8>
    var offset: Int

    init(_ bytes: ArraySlice<UInt8>) {
      self.bytes = bytes
      offset = bytes.startIndex
    }

    var isAtEnd: Bool { offset == bytes.endIndex }

    mutating func take(_ count: Int) throws -> [UInt8] {
      guard count >= 0, bytes.endIndex - offset >= count else { throw VaultError.bundleTruncated }
      defer { offset += count }
      return Array(bytes[offset..<offset + count])
    }

    mutating func u16() throws -> UInt16 { try take(2).reduce(0) { $0 << 8 | UInt16($1) } }
    mutating func u32() throws -> UInt32 { try take(4).reduce(0) { $0 << 8 | UInt32($1) } }
    mutating func u64() throws -> UInt64 { try take(8).reduce(0) { $0 << 8 | UInt64($1) } }
  }
}
