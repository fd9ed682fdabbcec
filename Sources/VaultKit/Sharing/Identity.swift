import VaultCrypto

/// A vault's public identity: the X25519 key bundles are sealed to and the Ed25519 key
/// bundles are signed with. Written as `rdpv1-` and base32 of the two keys and a 4-byte
/// checksum, so a mistyped identity is rejected rather than used.
public struct PublicIdentity: Equatable, Hashable, Sendable {
  public static let prefix = "rdpv1-"
  public let boxKey: [UInt8]
  public let signKey: [UInt8]

  public init(boxKey: [UInt8], signKey: [UInt8]) throws {
    guard boxKey.count == Sealing.publicKeyLength, signKey.count == Signing.publicKeyLength else {
      throw VaultError.invalidIdentity(reason: "the keys have the wrong length")
    }
    self.boxKey = boxKey
    self.signKey = signKey
  }

  private var keys: [UInt8] { boxKey + signKey }

  private static func checksum(_ keys: [UInt8]) -> [UInt8] {
    Array(Digest.blake2b(Array("rdpvault identity v1".utf8) + keys).prefix(4))
  }

  /// The copy-pasteable string.
  public var encoded: String { Self.prefix + Base32.encode(keys + Self.checksum(keys)) }

  /// Short enough to read aloud: 16 base32 characters in four groups.
  public var fingerprint: String {
    let digest = Digest.blake2b(Array("rdpvault fingerprint v1".utf8) + keys)
    let text = Base32.encode(Array(digest.prefix(10)))
    return stride(from: 0, to: 16, by: 4).map { offset in
      String(text.dropFirst(offset).prefix(4))
    }.joined(separator: "-")
  }

  public init(parsing text: String) throws {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard trimmed.lowercased().hasPrefix(Self.prefix) else {
      throw VaultError.invalidIdentity(
        reason: "it does not start with \(Self.prefix)")
    }
    guard let bytes = Base32.decode(String(trimmed.dropFirst(Self.prefix.count))), bytes.count == 68
    else {
      throw VaultError.invalidIdentity(reason: "it is not 109 base32 characters after the prefix")
    }
    let keys = Array(bytes.prefix(64))
    guard constantTimeEquals(Array(bytes.suffix(4)), Self.checksum(keys)) else {
      throw VaultError.invalidIdentity(
        reason: "the checksum does not match: a character was mistyped")
    }
    try self.init(boxKey: Array(keys.prefix(32)), signKey: Array(keys.suffix(32)))
  }
}
