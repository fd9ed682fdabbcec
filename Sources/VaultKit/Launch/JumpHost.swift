/// An SSH jump host, `user@host[:port]` (`[v6]` or `[v6]:port` for IPv6): each part checked
/// so that none can become an option of `ssh` or a command (a host starting with `-`,
/// `-oProxyCommand=…` smuggled in as a user, spaces, quotes, control characters).
public struct JumpHost: Equatable, Sendable {
  public var user: String?
  public var host: String
  public var port: Int?

  /// The normal form, as stored.
  public var text: String {
    let address = Validation.isIPv6(host) ? "[\(host)]" : host
    return (user.map { "\($0)@" } ?? "") + address + (port.map { ":\($0)" } ?? "")
  }

  /// The destination as `ssh` takes it after `--`.
  public var destination: String { (user.map { "\($0)@" } ?? "") + host }

  public static func parse(_ value: String) throws -> JumpHost {
    let rule =
      "[user@]host[:port] (a user of letters, digits, '.', '_' or '-', not starting with '-')"
    func refuse() -> VaultError {
      VaultError.invalidField(field: ConnectOption.jump, value: value, rule: rule)
    }
    try Validation.displayText(value, field: ConnectOption.jump)
    guard !value.isEmpty, value.utf8.count <= 300, !value.hasPrefix("-"),
      !value.contains(where: { $0 == " " || $0 == "\t" || $0 == "'" || $0 == "\"" })
    else { throw refuse() }
    var rest = Substring(value)
    var user: String?
    if let at = rest.lastIndex(of: "@") {
      let name = String(rest[..<at])
      guard (1...32).contains(name.count), !name.hasPrefix("-"),
        name.unicodeScalars.allSatisfy({
          Validation.isASCIIAlnum($0) || "._-".unicodeScalars.contains($0)
        })
      else { throw refuse() }
      user = name
      rest = rest[rest.index(after: at)...]
    }
    var host = String(rest)
    var port: Int?
    if rest.hasPrefix("[") {
      guard let close = rest.firstIndex(of: "]") else { throw refuse() }
      host = String(rest[rest.index(after: rest.startIndex)..<close])
      let tail = rest[rest.index(after: close)...]
      if !tail.isEmpty {
        guard tail.hasPrefix(":"), let number = Int(tail.dropFirst()) else { throw refuse() }
        port = number
      }
    } else if let colon = rest.lastIndex(of: ":"), rest.firstIndex(of: ":") == colon {
      host = String(rest[..<colon])
      guard let number = Int(rest[rest.index(after: colon)...]) else { throw refuse() }
      port = number
    }
    guard !host.hasPrefix("-") else { throw refuse() }
    try Validation.host(host)
    if let port { try Validation.port(port) }
    return JumpHost(user: user, host: host, port: port)
  }

  /// `ssh -N -L 127.0.0.1:LOCAL:HOST:PORT [-p N] -- user@jump`: the user's own ssh, its
  /// configuration and agent; rdpvault handles no SSH key. Options end with `--`.
  public func sshArguments(localPort: Int, to profile: Profile) -> [String] {
    let target = Validation.isIPv6(profile.host) ? "[\(profile.host)]" : profile.host
    var arguments = [
      // No connection sharing: a forward held by a ControlMaster outlives our ssh.
      "-N", "-o", "ExitOnForwardFailure=yes", "-o", "ServerAliveInterval=15",
      "-o", "ControlMaster=no", "-o", "ControlPath=none",
      "-L", "127.0.0.1:\(localPort):\(target):\(profile.port)",
    ]
    if let port { arguments += ["-p", String(port)] }
    return arguments + ["--", destination]
  }
}
