/// Per-profile RDP settings: typed .rdp properties by name, plus verbatim extra lines.
public struct RDPSettings: Equatable, Sendable, Codable {
  /// Known property name (lower-case, as in the .rdp file) to its value, as text.
  public var values: [String: String]
  /// `name:type:value` lines rdpvault does not model, kept exactly as they were.
  public var extraLines: [String]
  /// `connect` options that are not .rdp properties (`cert-sha256`, `pre-connect`).
  public var options: [String: String]

  public init(values: [String: String] = [:], extraLines: [String] = [], options: [String: String] = [:]) {
    self.values = values
    self.extraLines = extraLines
    self.options = options
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    values = try container.decodeIfPresent([String: String].self, forKey: .values) ?? [:]
    extraLines = try container.decodeIfPresent([String].self, forKey: .extraLines) ?? []
    options = try container.decodeIfPresent([String: String].self, forKey: .options) ?? [:]
  }

  public var isEmpty: Bool { values.isEmpty && extraLines.isEmpty && options.isEmpty }

  /// Sets a known property after checking its documented range, or a `connect` option.
  public mutating func set(_ key: String, _ value: String) throws {
    if ConnectOption.all.contains(key.lowercased()) {
      options[key.lowercased()] = try ConnectOption.validate(key.lowercased(), value)
      return
    }
    guard let property = RDPProperty.named(key) else {
      if RDPProperty.connectionProperties.contains(key.lowercased()) {
        throw VaultError.invalidField(
          field: "setting", value: key, rule: "it comes from the profile (--host, --port, --user), not from a setting")
      }
      throw VaultError.invalidField(
        field: "setting", value: key,
        rule: "not a property rdpvault models; add it as an extra line (rdpvault set NAME --line 'name:type:value')")
    }
    values[property.name] = try property.validate(value)
  }

  /// Adds an extra line, replacing an earlier one of the same property.
  public mutating func addExtraLine(_ line: String) throws {
    let parsed = try RDPLine.parse(line, lineNumber: nil)
    if RDPProperty.named(parsed.name) != nil || RDPProperty.connectionProperties.contains(parsed.name.lowercased()) {
      throw VaultError.invalidField(
        field: "extra line", value: line,
        rule: "\(parsed.name) is modelled; use rdpvault set NAME \"\(parsed.name)\" VALUE")
    }
    extraLines.removeAll { (try? RDPLine.parse($0, lineNumber: nil).name.lowercased()) == parsed.name.lowercased() }
    extraLines.append(line)
  }

  /// Removes a property or an extra line by name; false when there was none.
  @discardableResult
  public mutating func unset(_ key: String) -> Bool {
    if options.removeValue(forKey: key.lowercased()) != nil { return true }
    if let property = RDPProperty.named(key), values.removeValue(forKey: property.name) != nil { return true }
    let before = extraLines.count
    extraLines.removeAll { (try? RDPLine.parse($0, lineNumber: nil).name.lowercased()) == key.lowercased() }
    return extraLines.count != before
  }
}
