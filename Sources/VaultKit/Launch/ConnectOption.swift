/// Per-profile options of `connect` that are not .rdp properties: the certificate pin and the
/// pre-connect command. Set with `rdpvault set NAME KEY VALUE` like the settings.
public enum ConnectOption {
  public static let certSHA256 = "cert-sha256"
  public static let preConnect = "pre-connect"
  public static let all = [certSHA256, preConnect]
  /// The exact pre-connect text the user approved. Never set with `set`, never exported,
  /// never accepted from a bundle: approval belongs to this vault's user.
  public static let preConnectApproved = "pre-connect-approved"

  /// Checks and normalises a value: a SHA-256 fingerprint is 64 hex digits, with or without
  /// colons, kept lower-case without them.
  static func validate(_ key: String, _ value: String) throws -> String {
    switch key {
    case certSHA256:
      let hex = value.replacingOccurrences(of: ":", with: "").lowercased()
      guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else {
        throw VaultError.invalidField(
          field: certSHA256, value: value,
          rule: "a SHA-256 fingerprint is 64 hex digits (colons allowed)")
      }
      return hex
    default:
      if value.trimmingCharacters(in: .whitespaces).isEmpty {
        throw VaultError.invalidField(field: preConnect, value: value, rule: "the command is empty")
      }
      try Validation.freeText(value, field: preConnect, maxLength: 4096)
      return value
    }
  }

  /// `aa:bb:…`, the form FreeRDP compares fingerprints in.
  static func colonHex(_ hex: String) -> String {
    var pairs: [String] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) ?? hex.endIndex
      pairs.append(String(hex[index..<next]))
      index = next
    }
    return pairs.joined(separator: ":")
  }
}
