/// Per-profile RDP settings: typed .rdp properties by name, plus verbatim extra lines.
public struct RDPSettings: Equatable, Sendable, Codable {
  /// Known property name (lower-case, as in the .rdp file) to its value, as text.
  public var values: [String: String]
  /// `name:type:value` lines rdpvault does not model, kept exactly as they were.
  public var extraLines: [String]
  /// `connect` options that are not .rdp properties (`cert-sha256`, `pre-connect`).
  public var options: [String: String]
  /// A signed file's own `full address`, `alternate full address`, `server port`, `username`
  /// or `domain` lines, when its signature covers them: written instead of rdpvault's own
  /// while they still connect where the profile says (see `RDPSignature`).
  public var signedLines: [String]

  public init(
    values: [String: String] = [:], extraLines: [String] = [], options: [String: String] = [:],
    signedLines: [String] = []
  ) {
    self.values = values
    self.extraLines = extraLines
    self.options = options
    self.signedLines = signedLines
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    values = try container.decodeIfPresent([String: String].self, forKey: .values) ?? [:]
    extraLines = try container.decodeIfPresent([String].self, forKey: .extraLines) ?? []
    options = try container.decodeIfPresent([String: String].self, forKey: .options) ?? [:]
    signedLines = try container.decodeIfPresent([String].self, forKey: .signedLines) ?? []
  }

  /// Connect options as shown (`show`, `list --json`): an approval is the vault's own record,
  /// not a setting.
  public var shownOptions: [String: String] {
    options.keys.contains(where: ConnectOption.approvals.contains)
      ? options.filter { !ConnectOption.approvals.contains($0.key) } : options
  }

  public var isEmpty: Bool {
    values.isEmpty && extraLines.isEmpty && options.isEmpty && signedLines.isEmpty
  }

  /// A property's value, modelled or kept as an extra line (`smart sizing`, `selectedmonitors`
  /// and the like live there), looked up case-insensitively; nil when unset or empty.
  public func value(of name: String) -> String? {
    if let value = values[name.lowercased()] { return value.isEmpty ? nil : value }
    for line in extraLines {
      guard let parsed = try? RDPLine.parse(line, lineNumber: nil),
        parsed.name.lowercased() == name.lowercased()
      else { continue }
      return parsed.value.isEmpty ? nil : parsed.value
    }
    return nil
  }

  /// Sets a known property after checking its documented range, or a `connect` option. A
  /// pre-connect command (or tunnel, gateway…) set here is the user's own, so it is approved
  /// by this act.
  public mutating func set(_ key: String, _ value: String) throws {
    let name = try setUnapproved(key, value)
    if ConnectOption.approvable.contains(name) { approve(name) }
  }

  /// Sets a property or option as it came from a file (an importer's mapping): checked like
  /// `set`, but never approved. Returns the key it was stored under.
  @discardableResult
  public mutating func setUnapproved(_ key: String, _ value: String) throws -> String {
    if ConnectOption.all.contains(key.lowercased()) {
      let option = key.lowercased()
      let valid = try ConnectOption.validate(option, value)
      if ConnectOption.routes.contains(option) {
        for other in ConnectOption.routes where other != option {
          options.removeValue(forKey: other)
          options.removeValue(forKey: ConnectOption.approval(of: other))
        }
      }
      options[option] = valid
      return option
    }
    guard let property = RDPProperty.named(key) else {
      if RDPProperty.connectionProperties.contains(key.lowercased()) {
        throw VaultError.settingIsConnectionProperty(key: key)
      }
      throw VaultError.unknownSetting(key: key)
    }
    values[property.name] = try property.validate(value)
    return property.name
  }

  /// Adds an extra line, replacing an earlier one of the same property.
  public mutating func addExtraLine(_ line: String) throws {
    let parsed = try Self.checkExtraLine(line)
    extraLines.removeAll {
      (try? RDPLine.parse($0, lineNumber: nil).name.lowercased()) == parsed.name.lowercased()
    }
    extraLines.append(line)
  }

  /// The pre-connect command, when the user approved this exact text (by setting it, or with
  /// `hook approve`); a command that came from a bundle is stored unapproved.
  public var approvedPreConnect: String? { approved(ConnectOption.preConnect) }

  /// What approval covers under `key`: a connect option, or the gateway (a setting; empty
  /// means none).
  public func approvable(_ key: String) -> String? {
    if key == ConnectOption.gateway { return values[key].flatMap { $0.isEmpty ? nil : $0 } }
    return options[key]
  }

  /// An option (or the gateway) that needs approval, when the user approved this exact value.
  public func approved(_ key: String) -> String? {
    guard let value = approvable(key), options[ConnectOption.approval(of: key)] == value else {
      return nil
    }
    return value
  }

  /// The gateway, when one is set and the user has not approved it (an import report names it).
  public var unapprovedGateway: String? {
    approved(ConnectOption.gateway) == nil ? approvable(ConnectOption.gateway) : nil
  }

  /// What needs approval and lacks it, by key.
  public var unapproved: [String] {
    ConnectOption.approvable.filter { approvable($0) != nil && approved($0) == nil }
  }

  /// Records approval of the pre-connect command as it stands now.
  public mutating func approvePreConnect() { approve(ConnectOption.preConnect) }

  /// Records approval of an option's value (or the gateway's) as it stands now.
  public mutating func approve(_ key: String) {
    options[ConnectOption.approval(of: key)] = approvable(key)
  }

  /// The settings as another vault may receive them: an approval is this vault's own.
  public var forSharing: RDPSettings {
    var copy = self
    for key in ConnectOption.approvals { copy.options.removeValue(forKey: key) }
    return copy
  }

  /// One extra line, checked: a well-formed `name:type:value` whose name is neither modelled
  /// nor one that decides where or as whom the client connects.
  static func checkExtraLine(_ line: String) throws -> RDPLine {
    try Validation.displayText(line, field: "extra line")
    let parsed = try RDPLine.parse(line, lineNumber: nil)
    if RDPProperty.named(parsed.name) != nil {
      throw VaultError.extraLineIsModelled(line: line, property: parsed.name)
    }
    if RDPProperty.isReserved(parsed.name) {
      throw VaultError.invalidField(
        field: "extra line", value: line,
        rule:
          "\(parsed.name) decides where or as whom the client connects; rdpvault writes it from the profile"
      )
    }
    return parsed
  }

  /// Every value through the same gate as `set`: modelled properties in their documented
  /// ranges, well-formed and allowed extra lines, known `connect` options.
  public func validate() throws {
    for (key, value) in values {
      guard let property = RDPProperty.byName[key] else {
        throw VaultError.invalidField(
          field: "setting", value: key.debugDescription, rule: "not a property rdpvault models")
      }
      guard try property.validate(value) == value else {
        throw VaultError.invalidField(
          field: key, value: value.debugDescription, rule: "not in its normal form")
      }
    }
    if extraLines.count > 256 {
      throw VaultError.invalidField(
        field: "extra lines", value: "\(extraLines.count)", rule: "at most 256")
    }
    var seen: Swift.Set<String> = []
    for line in extraLines {
      let name = try Self.checkExtraLine(line).name.lowercased()
      guard seen.insert(name).inserted else {
        throw VaultError.invalidField(
          field: "extra line", value: line, rule: "\(name) is set twice")
      }
    }
    try RDPSignature.checkSignedLines(signedLines)
    let routes = ConnectOption.routes.filter { options[$0] != nil }
    if routes.count > 1 {
      throw VaultError.invalidField(
        field: "option", value: routes.joined(separator: ", "),
        rule: "a VM has one tunnel: a tunnel command, a jump host or a Bastion host")
    }
    for (key, value) in options {
      if ConnectOption.approvals.contains(key) {
        try Validation.freeText(value, field: key, maxLength: 4096)
        continue
      }
      guard ConnectOption.all.contains(key) else {
        throw VaultError.invalidField(
          field: "option", value: key.debugDescription, rule: "not a connect option")
      }
      guard try ConnectOption.validate(key, value) == value else {
        throw VaultError.invalidField(
          field: key, value: value.debugDescription, rule: "not in its normal form")
      }
    }
  }

  /// Removes a property or an extra line by name; false when there was none.
  @discardableResult
  public mutating func unset(_ key: String) -> Bool {
    if options.removeValue(forKey: key.lowercased()) != nil {
      if ConnectOption.needingApproval.contains(key.lowercased()) {
        options.removeValue(forKey: ConnectOption.approval(of: key.lowercased()))
      }
      return true
    }
    if let property = RDPProperty.named(key), values.removeValue(forKey: property.name) != nil {
      if property.name == ConnectOption.gateway {
        options.removeValue(forKey: ConnectOption.approval(of: property.name))
      }
      return true
    }
    let before = extraLines.count
    extraLines.removeAll {
      (try? RDPLine.parse($0, lineNumber: nil).name.lowercased()) == key.lowercased()
    }
    return extraLines.count != before
  }
}
