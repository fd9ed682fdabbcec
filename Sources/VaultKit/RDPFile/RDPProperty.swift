import Foundation

/// The .rdp properties rdpvault models, with their documented types and ranges.
///
/// Values are kept as the text that follows `name:type:`, and every value held is written,
/// defaults included.
public struct RDPProperty: Sendable {
  public enum ValueType: String, Sendable {
    case integer = "i"
    case string = "s"
  }

  public enum Rule: Sendable {
    case oneOf([Int])
    case range(ClosedRange<Int>)
    case text
    case gatewayHost
  }

  /// The name as it appears in .rdp files, lower-case.
  public let name: String
  public let type: ValueType
  public let rule: Rule
  /// mstsc's documented default (FreeRDP's may differ), for `set`'s help.
  public let defaultValue: String?
  public let summary: String

  /// In the order they are written.
  public static let all: [RDPProperty] = [
    RDPProperty(
      name: "screen mode id", type: .integer, rule: .oneOf([1, 2]), defaultValue: "2",
      summary: "1 windowed, 2 full screen"),
    RDPProperty(
      name: "desktopwidth", type: .integer, rule: .range(200...8192), defaultValue: nil,
      summary: "width in pixels"),
    RDPProperty(
      name: "desktopheight", type: .integer, rule: .range(200...8192), defaultValue: nil,
      summary: "height in pixels"),
    RDPProperty(
      name: "use multimon", type: .integer, rule: .oneOf([0, 1]), defaultValue: "0",
      summary: "1 uses every local monitor"),
    RDPProperty(
      name: "administrative session", type: .integer, rule: .oneOf([0, 1]), defaultValue: "0",
      summary: "1 connects to the console (Azure sets it)"),
    RDPProperty(
      name: "authentication level", type: .integer, rule: .oneOf([0, 1, 2, 3]), defaultValue: nil,
      summary: "server authentication: 0 connect, 1 do not connect, 2 warn, 3 no requirement"),
    RDPProperty(
      name: "enablecredsspsupport", type: .integer, rule: .oneOf([0, 1]), defaultValue: "1",
      summary: "0 turns CredSSP (NLA) off"),
    RDPProperty(
      name: "prompt for credentials", type: .integer, rule: .oneOf([0, 1]), defaultValue: "0",
      summary: "1 always asks for credentials"),
    RDPProperty(
      name: "redirectclipboard", type: .integer, rule: .oneOf([0, 1]), defaultValue: "1",
      summary: "0 turns clipboard redirection off"),
    RDPProperty(
      name: "redirectprinters", type: .integer, rule: .oneOf([0, 1]), defaultValue: "1",
      summary: "0 turns printer redirection off"),
    RDPProperty(
      name: "drivestoredirect", type: .string, rule: .text, defaultValue: "",
      summary: "drives to redirect: * for all, or C:;D:"),
    RDPProperty(
      name: "audiomode", type: .integer, rule: .oneOf([0, 1, 2]), defaultValue: "0",
      summary: "0 play here, 1 play there, 2 do not play"),
    RDPProperty(
      name: "gatewayhostname", type: .string, rule: .gatewayHost, defaultValue: "",
      summary: "Remote Desktop Gateway host[:port]"),
    RDPProperty(
      name: "gatewayusagemethod", type: .integer, rule: .oneOf([0, 1, 2, 3, 4]), defaultValue: nil,
      summary: "0 none, 1 always, 2 if no direct connection, 3 default, 4 none"),
    RDPProperty(
      name: "gatewaycredentialssource", type: .integer, rule: .oneOf([0, 1, 2, 3, 4, 5]),
      defaultValue: nil, summary: "0 NTLM, 1 smart card, 2 basic, 3 user choice, 4 ask, 5 cookie"),
    RDPProperty(
      name: "gatewayprofileusagemethod", type: .integer, rule: .oneOf([0, 1]), defaultValue: nil,
      summary: "0 default gateway profile, 1 explicit settings"),
    RDPProperty(
      name: "gatewaybrokeringtype", type: .integer, rule: .oneOf([0, 1]), defaultValue: "0",
      summary: "gateway brokering: 0 none, 1 connection broker (mstsc writes 0)"),
    RDPProperty(
      name: "alternate shell", type: .string, rule: .text, defaultValue: "",
      summary: "program to start instead of the desktop"),
    RDPProperty(
      name: "remoteapplicationmode", type: .integer, rule: .oneOf([0, 1]), defaultValue: "0",
      summary: "1 starts a RemoteApp"),
    RDPProperty(
      name: "remoteapplicationprogram", type: .string, rule: .text, defaultValue: "",
      summary: "the RemoteApp's alias or path"),
  ]

  static let byName: [String: RDPProperty] = Dictionary(
    uniqueKeysWithValues: all.map { ($0.name, $0) })

  /// Properties that decide where the client connects and as whom. rdpvault writes the
  /// address and the user from the profile and models the gateway; none of these can come
  /// in as an extra line, or a file would connect somewhere other than `show` says.
  static let connectionProperties: Set<String> = [
    "full address", "alternate full address", "server port", "username", "domain", "password 51",
    "clear password", "password", "kdcproxyname",
  ]

  /// True for a property an extra line may not set: the connection properties above, any
  /// password line, and every gateway setting rdpvault does not model.
  public static func isReserved(_ name: String) -> Bool {
    // As `named` does, '-' and '_' may stand for spaces.
    let lower = name.lowercased().replacingOccurrences(of: "-", with: " ").replacingOccurrences(
      of: "_", with: " ")
    return connectionProperties.contains(lower) || lower.contains("password")
      || lower.hasPrefix("gateway")
  }

  /// Looks a property up by its .rdp name, case-insensitively; `-` and `_` may stand for spaces.
  public static func named(_ key: String) -> RDPProperty? {
    let lower = key.lowercased()
    if let property = byName[lower] { return property }
    // '-' and '_' for ' ': ASCII bytes, never part of a longer character.
    func isSeparator(_ byte: UInt8) -> Bool {
      byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }
    guard lower.utf8.contains(where: isSeparator) else { return nil }
    return byName[String(decoding: lower.utf8.map { isSeparator($0) ? 0x20 : $0 }, as: UTF8.self)]
  }

  /// A number, spaces around it allowed. Most values have none, and Foundation's trimming
  /// showed in the profile of a 10,000-VM import.
  private static func integer(_ value: String) -> Int? {
    Int(value) ?? Int(value.trimmingCharacters(in: .whitespaces))
  }

  /// Checks a value against the documented range; returns it normalised.
  public func validate(_ value: String) throws -> String {
    switch rule {
    case .oneOf(let allowed):
      guard let number = Self.integer(value), allowed.contains(number)
      else {
        throw VaultError.invalidField(
          field: name, value: value,
          rule: "must be one of \(allowed.map(String.init).joined(separator: ", ")) (\(summary))")
      }
      return String(number)
    case .range(let range):
      guard let number = Self.integer(value), range.contains(number)
      else {
        throw VaultError.invalidField(
          field: name, value: value,
          rule: "must be \(range.lowerBound)-\(range.upperBound) (\(summary))")
      }
      return String(number)
    case .text:
      try RDPText.check(value, field: name)
      return value
    case .gatewayHost:
      try RDPText.check(value, field: name)
      var host = Substring(value)
      if let colon = value.lastIndex(of: ":"), !Validation.isIPv6(value) {
        guard let port = Int(value[value.index(after: colon)...]), (1...65535).contains(port) else {
          throw VaultError.invalidField(
            field: name, value: value, rule: "the gateway is host[:port], port 1-65535")
        }
        host = value[..<colon]
      }
      try Validation.host(String(host))
      return value
    }
  }
}

enum RDPText {
  static let maximumLength = 4096
  /// RD Web's `signature` lines (a PKCS #7 blob with the certificate chain) run to 10 KB.
  static let maximumSignatureLength = 32768

  /// Values must fit on one line of an .rdp file, and show as they are.
  static func check(_ value: String, field: String, limit: Int = maximumLength) throws {
    try Validation.displayText(value, field: field)
    if value.utf8.count > limit {
      throw VaultError.invalidField(
        field: field, value: String(value.prefix(20)) + "…", rule: "at most \(limit) bytes")
    }
  }
}
