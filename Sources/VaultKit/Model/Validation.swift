import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The rules for every field a user types. Each failure names the field and the rule.
public enum Validation {
  /// Characters Windows forbids in SAM account names (and so in user names here).
  private static let forbiddenInUserNamesText = "\"/\\[]:;|=,+*?<>"
  static let forbiddenInUserNames = Array(forbiddenInUserNamesText.utf8)
  /// The same as characters, which compare by canonical equivalence: U+037E GREEK QUESTION
  /// MARK is `;`.
  static let forbiddenUserCharacters = Set(forbiddenInUserNamesText)

  public static func profileName(_ name: String) throws {
    try displayText(name, field: "VM name")
    let rule = "1-64 letters, digits, '-', '_' or '.', starting with a letter or digit"
    // Only ASCII passes, so bytes are characters.
    guard (1...64).contains(name.utf8.count),
      name.utf8.allSatisfy({ isASCIIAlnum($0) || $0 == dash || $0 == underscore || $0 == dot }),
      let first = name.utf8.first, isASCIIAlnum(first)
    else { throw VaultError.invalidField(field: "VM name", value: name, rule: rule) }
  }

  /// The name of a template credential: the rule of a VM name.
  public static func templateName(_ name: String) throws {
    do { try profileName(name) } catch {
      throw VaultError.invalidField(
        field: "shared credential name", value: name,
        rule: "1-64 letters, digits, '-', '_' or '.', starting with a letter or digit")
    }
  }

  /// A DNS name, an IPv4 address or an IPv6 address (brackets are not part of it).
  public static func host(_ host: String) throws {
    if host.isEmpty { throw VaultError.inputRequired(.host) }
    // Before inet_pton, which stops at a NUL: "10.0.0.5\0…" must not pass as 10.0.0.5.
    guard host.utf8.count <= 253 else {
      throw VaultError.invalidField(
        field: "host", value: String(host.prefix(20)) + "…", rule: "at most 253 characters")
    }
    try displayText(host, field: "host")
    if isIPv4(host) || isIPv6(host) { return }
    if host.utf8.first == UInt8(ascii: "[") || host.utf8.contains(UInt8(ascii: ":")) {
      throw VaultError.hostWithPort(host: host)
    }
    if host.allSatisfy({ $0.isNumber || $0 == "." }) {
      throw VaultError.invalidField(field: "host", value: host, rule: "not a valid IPv4 address")
    }
    guard isDNSName(host) else {
      throw VaultError.invalidField(
        field: "host", value: host,
        rule: "a DNS name has labels of 1-63 letters, digits or '-', at most 253 characters")
    }
  }

  public static func port(_ port: Int) throws {
    guard (1...65535).contains(port) else {
      throw VaultError.invalidField(field: "port", value: String(port), rule: "must be 1-65535")
    }
  }

  /// A NetBIOS computer name: 1-15 letters, digits or '-', not only digits.
  public static func computerName(_ name: String) throws {
    // `.` is Windows' own name for "this computer" (see `Profile.thisComputer`).
    if name == Profile.thisComputer { return }
    try displayText(name, field: "computer name")
    let rule = "a NetBIOS name of 1-15 letters, digits or '-', not only digits"
    guard (1...15).contains(name.utf8.count),
      name.utf8.allSatisfy({ isASCIIAlnum($0) || $0 == dash }),
      !name.utf8.allSatisfy(isASCIIDigit), name.utf8.first != dash
    else { throw VaultError.invalidField(field: "computer name", value: name, rule: rule) }
  }

  /// A SAM account name: at most 20 characters, none of `" / \ [ ] : ; | = , + * ? < >`,
  /// not only dots and spaces.
  public static func samAccountName(_ name: String) throws {
    if name.isEmpty { throw VaultError.inputRequired(.user) }
    try displayText(name, field: "user")
    // A character is at least a byte: the count is needed only past 20 bytes.
    if name.utf8.count > 20, name.count > 20 {
      throw VaultError.invalidField(
        field: "user", value: name, rule: "a Windows user name has at most 20 characters")
    }
    if let bad = firstForbiddenInUserName(name) {
      throw VaultError.invalidField(
        field: "user", value: name,
        rule: "a Windows user name cannot contain \(quoted(String(bad))) "
          + "(none of \" / \\ [ ] : ; | = , + * ? < >)")
    }
    if name.unicodeScalars.contains(where: isUnsafeForDisplay) {
      throw VaultError.invalidField(
        field: "user", value: name.debugDescription, rule: "control characters are not allowed")
    }
    if name.allSatisfy({ $0 == "." || $0 == " " }) {
      throw VaultError.invalidField(
        field: "user", value: name, rule: "a Windows user name cannot be only dots and spaces")
    }
  }

  /// `name@suffix`: the name follows the user-name rules (up to 64 characters), the suffix is
  /// a DNS name.
  public static func userPrincipalName(name: String, suffix: String, whole: String) throws {
    let rule =
      "a UPN is user@dns.domain, the user part without \" / \\ [ ] : ; | = , + * ? < > @ or spaces"
    guard (1...64).contains(name.count),
      firstForbiddenInUserName(name) == nil,
      !name.utf8.contains(where: { $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: " ") }),
      !name.unicodeScalars.contains(where: isUnsafeForDisplay),
      !name.utf8.allSatisfy({ $0 == dot }), isDNSName(suffix), suffix.utf8.contains(dot)
    else { throw VaultError.invalidField(field: "user", value: whole, rule: rule) }
  }

  /// A NetBIOS domain name (1-15 characters) or a DNS domain name.
  public static func domain(_ domain: String) throws {
    if domain.isEmpty {
      throw VaultError.missingField(field: "domain", rule: "the domain is empty")
    }
    try displayText(domain, field: "domain")
    if domain.utf8.contains(dot) {
      guard isDNSName(domain) else {
        throw VaultError.invalidField(
          field: "domain", value: domain, rule: "not a valid DNS domain name")
      }
      return
    }
    guard domain.utf8.count <= 15,
      domain.utf8.allSatisfy({ isASCIIAlnum($0) || $0 == dash || $0 == underscore }),
      domain.utf8.first != dash
    else {
      throw VaultError.invalidField(
        field: "domain", value: domain,
        rule: "a NetBIOS domain is 1-15 letters, digits, '-' or '_'; otherwise give a DNS name")
    }
  }

  public static func tag(_ tag: String) throws {
    try displayText(tag, field: "tag")
    guard (1...64).contains(tag.utf8.count),
      tag.utf8.allSatisfy({
        isASCIIAlnum($0) || $0 == dash || $0 == underscore || $0 == dot
          || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "/")
      })
    else {
      throw VaultError.invalidField(
        field: "tag", value: tag, rule: "1-64 letters, digits, '-', '_', '.', ':' or '/'")
    }
  }

  public static func freeText(_ text: String, field: String, maxLength: Int = 256) throws {
    if text.count > maxLength {
      throw VaultError.invalidField(
        field: field, value: String(text.prefix(20)) + "…", rule: "at most \(maxLength) characters")
    }
    try displayText(text, field: field)
  }

  /// The gate every value that is ever shown passes, whoever sent it: no C0 or C1 control
  /// character (line breaks, escape sequences, NUL), no DEL, no U+2028/U+2029 line or
  /// paragraph separator, and no bidirectional override or isolate, which could make
  /// `list` and `show` display something other than what is stored.
  public static func displayText(_ text: String, field: String) throws {
    if let bad = text.unicodeScalars.first(where: isUnsafeForDisplay) {
      throw VaultError.invalidField(
        field: field,
        // Raw: `quoted` escapes what cannot be shown (a debugDescription here was quoted twice).
        value: String(String.UnicodeScalarView(text.unicodeScalars.prefix(40))),
        rule: "contains \(describe(bad)); control characters, line breaks, escape sequences and "
          + "bidirectional overrides are not allowed")
    }
  }

  public static func isUnsafeForDisplay(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F: true
    case 0x2028, 0x2029: true
    case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: true
    default: false
    }
  }

  /// `text` with every character that could act on a terminal written as `\u{…}`: for
  /// showing values an older vault may hold, or hostile input in an error message.
  public static func escapedForDisplay(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isUnsafeForDisplay) else { return text }
    var out = ""
    for scalar in text.unicodeScalars {
      if isUnsafeForDisplay(scalar) {
        out += "\\u{" + String(scalar.value, radix: 16) + "}"
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  static func describe(_ scalar: Unicode.Scalar) -> String {
    switch scalar {
    case "\n": "a line break (LF)"
    case "\r": "a carriage return (CR)"
    case "\u{0}": "a NUL byte"
    case "\u{1B}": "an escape character"
    default: String(format: "U+%04X", scalar.value)
    }
  }

  /// Passwords go to clients on a line of their own: Windows takes no line break or NUL in
  /// one, and a line break would add arguments to FreeRDP 3's `/args-from:stdin`.
  public static func password(_ bytes: UnsafeRawBufferPointer, field: String = "password") throws {
    if bytes.isEmpty {
      throw VaultError.invalidField(field: field, value: "", rule: "the password is empty")
    }
    if let bad = bytes.first(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) {
      throw VaultError.invalidField(
        field: field, value: "<redacted>",
        rule: "contains \(describe(Unicode.Scalar(bad))); a password cannot hold CR, LF or NUL")
    }
    if bytes.count > 1024 {
      throw VaultError.invalidField(field: field, value: "<redacted>", rule: "at most 1024 bytes")
    }
    if String(validating: bytes, as: UTF8.self) == nil {
      throw VaultError.invalidField(field: field, value: "<redacted>", rule: "not valid UTF-8 text")
    }
  }

  // MARK: Helpers

  static func isASCIIAlnum(_ scalar: Unicode.Scalar) -> Bool {
    scalar.isASCII && isASCIIAlnum(UInt8(scalar.value))
  }

  /// The rules work on UTF-8 bytes where only ASCII may pass: a byte of a multi-byte
  /// character is never one of these.
  static func isASCIIAlnum(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
    default: isASCIIDigit(byte)
    }
  }

  static func isASCIIDigit(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
  }

  private static let dash = UInt8(ascii: "-")
  private static let underscore = UInt8(ascii: "_")
  private static let dot = UInt8(ascii: ".")

  /// The first character Windows forbids in a user name. They are all ASCII, so the bytes
  /// are looked at first: a forbidden character with a combining mark after it is still
  /// refused. A name that is not all ASCII is also checked character by character, where a
  /// character canonically equivalent to a forbidden one (U+037E is `;`) is refused too.
  static func firstForbiddenInUserName(_ name: String) -> Character? {
    if let byte = name.utf8.first(where: forbiddenInUserNames.contains) {
      return Character(Unicode.Scalar(byte))
    }
    if name.utf8.allSatisfy({ $0 < 0x80 }) { return nil }
    return name.first(where: forbiddenUserCharacters.contains)
  }

  public static func isIPv4(_ text: String) -> Bool { ipv4Value(text) != nil }

  /// A dotted-quad IPv4 address as a number (inet_pton: four parts of 0-255, no leading
  /// zeros, nothing around them), or nil.
  public static func ipv4Value(_ text: String) -> UInt32? {
    // Before inet_pton, which stops at a NUL.
    guard !text.utf8.contains(0) else { return nil }
    var address = in_addr()
    guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
    return UInt32(bigEndian: address.s_addr)
  }

  public static func isIPv6(_ text: String) -> Bool {
    var address = in6_addr()
    return inet_pton(AF_INET6, text, &address) == 1
  }

  /// Labels of 1-63 letters, digits or '-' (not first or last), at most 253 characters, one
  /// final dot allowed. Only ASCII passes, so it is checked byte by byte.
  static func isDNSName(_ name: String) -> Bool {
    var bytes = Substring(name).utf8
    if bytes.last == dot { bytes = bytes.dropLast() }
    guard (1...253).contains(bytes.count) else { return false }
    var label = 0
    var previous: UInt8 = dot
    for byte in bytes {
      if byte == dot {
        guard label > 0, previous != dash else { return false }
        label = 0
      } else {
        guard isASCIIAlnum(byte) || byte == dash, label < 63 else { return false }
        if label == 0, byte == dash { return false }
        label += 1
      }
      previous = byte
    }
    return label > 0 && previous != dash
  }
}
