import Foundation

/// What an .rdp file says about a VM, before it becomes a profile.
public struct ImportedRDPFile: Equatable, Sendable {
  public var host: String
  public var port: Int
  /// The `username:s:` value split into its parts; nil when the file has none.
  public var user: AccountName?
  public var settings: RDPSettings
  /// Warnings for the user, such as a dropped `password 51:b:` blob.
  public var warnings: [String]
  /// The file's property lines as read (`name:type:value`), to tell whether a signature
  /// still holds for what rdpvault writes.
  var originalLines: [String] = []
}

/// Reads .rdp files: UTF-16LE with a byte-order mark, UTF-8 with or without one; CRLF, LF or
/// CR line endings.
public enum RDPFileReader {
  public static let maximumFileSize = 1 << 20
  /// RD Web's signatures are single lines of 6-10 KB.
  public static let maximumLineLength = 65536

  public static func decode(_ bytes: [UInt8]) throws -> String {
    if bytes.count > maximumFileSize {
      throw VaultError.rdpFile(
        file: "", line: 0, reason: "larger than \(maximumFileSize / 1024) KiB; not an .rdp file")
    }
    let text: String?
    if bytes.starts(with: [0xFF, 0xFE]) {
      let body = bytes.dropFirst(2)
      guard body.count % 2 == 0 else {
        throw VaultError.rdpFile(
          file: "", line: 0, reason: "truncated UTF-16LE text (odd number of bytes)")
      }
      var units: [UInt16] = []
      units.reserveCapacity(body.count / 2)
      var index = body.startIndex
      while index < body.endIndex {
        units.append(UInt16(body[index]) | UInt16(body[index + 1]) << 8)
        index += 2
      }
      text = String(validating: units, as: UTF16.self)
    } else if bytes.starts(with: [0xFE, 0xFF]) {
      throw VaultError.rdpFile(
        file: "", line: 0, reason: "UTF-16 big-endian is not an .rdp encoding")
    } else if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
      text = String(validating: bytes.dropFirst(3), as: UTF8.self)
    } else {
      text = String(validating: bytes, as: UTF8.self)
    }
    guard let text else {
      throw VaultError.rdpFile(file: "", line: 0, reason: "not UTF-8 or UTF-16LE text")
    }
    if text.unicodeScalars.contains(where: { $0.value == 0 }) {
      throw VaultError.rdpFile(file: "", line: 0, reason: "contains NUL bytes; not an .rdp file")
    }
    return text
  }

  /// Lines with their 1-based numbers, for CRLF, LF and CR endings alike.
  static func lines(_ text: String) -> [(Int, String)] {
    var result: [(Int, String)] = []
    var current = ""
    var number = 1
    var previousWasCR = false
    for scalar in text.unicodeScalars {
      if scalar == "\n" && previousWasCR {
        previousWasCR = false
        continue
      }
      previousWasCR = scalar == "\r"
      if scalar == "\n" || scalar == "\r" {
        result.append((number, current))
        current = ""
        number += 1
      } else {
        current.unicodeScalars.append(scalar)
      }
    }
    if !current.isEmpty { result.append((number, current)) }
    return result
  }

  /// As tolerant as the clients and as clear as a compiler: an empty value means "not set",
  /// a malformed line is skipped with a warning that names its line, names are matched in
  /// any case with surrounding whitespace ignored, and the file is refused only when no
  /// usable `full address` remains, with the cause.
  public static func parse(_ bytes: [UInt8]) throws -> ImportedRDPFile {
    let text = try decode(bytes)
    var address: (value: String, line: Int)?
    var alternate: (value: String, line: Int)?
    var serverPort: (value: Int, line: Int)?
    var username: String?
    var domain: String?
    var settings = RDPSettings()
    var warnings: [String] = []
    var originalLines: [String] = []
    var sawProperty = false
    // A `full address` line too malformed to read is the cause to name if no address remains.
    var unreadableAddress: (line: Int, reason: String)?
    func skip(_ number: Int, _ reason: String) {
      warnings.append("line \(number): skipped: \(reason)")
    }
    for (number, raw) in lines(text) {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty { continue }
      if raw.utf8.count > maximumLineLength {
        skip(number, "longer than \(maximumLineLength) bytes")
        continue
      }
      if line.unicodeScalars.contains(where: { $0 != "\t" && Validation.isUnsafeForDisplay($0) }) {
        skip(number, "it holds control characters, escape sequences or bidirectional overrides")
        continue
      }
      let parsed: RDPLine
      do {
        parsed = try RDPLine.parse(line, lineNumber: number)
      } catch VaultError.rdpFile(_, _, let reason) {
        skip(number, reason)
        if line.lowercased().hasPrefix("full address")
          || line.lowercased().hasPrefix("alternate full address")
        {
          unreadableAddress = unreadableAddress ?? (number, reason)
        }
        continue
      }
      sawProperty = true
      originalLines.append(line)
      let name = parsed.name.lowercased()
      let value = parsed.value.trimmingCharacters(in: .whitespaces)
      // mstsc writes every property it knows, empty when not set (`gatewayhostname:s:`).
      if value.isEmpty && parsed.type == "s" { continue }
      func typed(_ type: Character) -> Bool {
        guard parsed.type == type else {
          skip(number, "\(quoted(parsed.name)) must have type \(type), not \(parsed.type)")
          return false
        }
        return true
      }
      switch name {
      case "full address":
        if typed("s") { address = (value, number) }
      case "alternate full address":
        if typed("s") { alternate = (value, number) }
      case "server port":
        guard typed("i") else { continue }
        guard let port = Int(value), (1...65535).contains(port) else {
          skip(number, "server port must be 1-65535")
          continue
        }
        serverPort = (port, number)
      case "username":
        if typed("s") { username = value }
      case "domain":
        if typed("s") { domain = value }
      case "password 51":
        warnings.append(
          "line \(number): dropped \(parsed.name): a saved password is encrypted with Windows DPAPI for one user on one machine and cannot be used here; it was neither stored nor shown"
        )
      case "gatewayaccesstoken":
        warnings.append(
          "line \(number): dropped \(quoted(parsed.name)): a gateway access token (Azure Bastion's) is a credential that expires within hours; rdpvault does not keep it"
        )
      default:
        if RDPProperty.named(name) == nil, RDPProperty.isReserved(name) {
          // Never kept: it would make a written file connect elsewhere than `show` says.
          warnings.append(
            "line \(number): dropped \(quoted(parsed.name)): it decides where or as whom the client connects, which rdpvault takes only from the profile"
          )
          continue
        }
        if let property = RDPProperty.named(name) {
          guard typed(Character(property.type.rawValue)) else { continue }
          do {
            settings.values[property.name] = try property.validate(value)
          } catch let error as VaultError {
            skip(number, error.message)
          }
        } else {
          do {
            _ = try RDPSettings.checkExtraLine(line)
          } catch let error as VaultError {
            skip(number, error.message)
            continue
          }
          settings.extraLines.removeAll { $0.lowercased().hasPrefix(name + ":") }
          settings.extraLines.append(line)
        }
      }
    }
    guard sawProperty else {
      throw VaultError.rdpFile(
        file: "", line: 0, reason: "no properties; empty or not an .rdp file")
    }
    // mstsc connects to `alternate full address` when a file has one (RD Web writes the
    // session host's inside name in `full address` and the address to reach in the
    // alternate), and FreeRDP does the same; so does rdpvault, and it says so.
    if let chosen = alternate {
      if let full = address, full.value.lowercased() != chosen.value.lowercased() {
        warnings.append(
          "line \(chosen.line): using alternate full address \(quoted(chosen.value)) rather than full address \(quoted(full.value)), as mstsc and FreeRDP do"
        )
      }
      address = chosen
    }
    if address == nil, let unreadableAddress {
      throw VaultError.rdpFile(
        file: "", line: unreadableAddress.line,
        reason: "its full address cannot be read: \(unreadableAddress.reason)")
    }
    guard let address else {
      throw VaultError.rdpFile(
        file: "", line: 0,
        reason:
          "it names no computer to connect to (no full address:s: line, or an empty one); a template, not a connection"
      )
    }
    let (host, port): (String, Int?)
    do {
      (host, port) = try splitAddress(address.value)
    } catch VaultError.rdpFile(_, _, let reason) {
      throw VaultError.rdpFile(file: "", line: address.line, reason: reason)
    }
    // mstsc takes the port in full address over `server port`, which it writes only for
    // older clients; FreeRDP (2.11, 3.10) lets `server port` override it. rdpvault follows
    // mstsc, the files' author, and says so when the two disagree.
    if let port, let serverPort, serverPort.value != port {
      warnings.append(
        "line \(serverPort.line): server port \(serverPort.value) differs from the port \(port) in full address; using \(port), as mstsc does"
      )
    }
    var user: AccountName?
    if let username {
      do {
        user = try AccountName.parse(
          user: username, domain: username.contains("\\") || username.contains("@") ? nil : domain)
      } catch let error as VaultError {
        throw VaultError.rdpFile(file: "", line: 0, reason: "username: \(error.message)")
      }
    }
    return ImportedRDPFile(
      host: host, port: port ?? serverPort?.value ?? Profile.defaultPort, user: user,
      settings: settings, warnings: warnings,
      originalLines: originalLines)
  }

  /// `host`, `host:port`, `[v6]`, `[v6]:port` and the bare `v6:port` FreeRDP needs.
  static func splitAddress(_ address: String) throws -> (String, Int?) {
    func port(_ text: Substring) throws -> Int {
      guard let port = Int(text), (1...65535).contains(port) else {
        throw VaultError.rdpFile(
          file: "", line: 0, reason: "bad port in full address \(quoted(address))")
      }
      return port
    }
    var host = address
    var result: Int?
    if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
      host = String(address[address.index(after: address.startIndex)..<close])
      let rest = address[address.index(after: close)...]
      if rest.hasPrefix(":") {
        result = try port(rest.dropFirst())
      } else if !rest.isEmpty {
        throw VaultError.rdpFile(file: "", line: 0, reason: "bad full address \(quoted(address))")
      }
    } else if Validation.isIPv6(address) {
      // Bare IPv6: a last group of 4-5 decimal digits that leaves a valid address is a port
      // (rdpvault and FreeRDP write `2001:db8::5:3389`); otherwise the whole text is the address.
      let last = address.lastIndex(of: ":").map { address[address.index(after: $0)...] } ?? ""
      if let colon = address.lastIndex(of: ":"), Validation.isIPv6(String(address[..<colon])),
        (4...5).contains(last.count), last.allSatisfy(\.isNumber), let candidate = Int(last),
        (1...65535).contains(candidate), !address[..<colon].hasSuffix(":")
      {
        host = String(address[..<colon])
        result = candidate
      }
    } else if let colon = address.lastIndex(of: ":") {
      host = String(address[..<colon])
      result = try port(address[address.index(after: colon)...])
    }
    do {
      try Validation.host(host)
    } catch let error as VaultError {
      throw VaultError.rdpFile(file: "", line: 0, reason: "full address: \(error.message)")
    }
    return (host, result)
  }
}
