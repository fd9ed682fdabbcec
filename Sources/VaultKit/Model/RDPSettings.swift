/// Per-profile RDP settings: typed .rdp properties by name, plus verbatim extra lines.
public struct RDPSettings: Equatable, Sendable, Codable {
  /// Known property name (as in the .rdp file) to its value, as text.
  public var values: [String: String]
  /// `name:type:value` lines rdpvault does not model, kept as they were.
  public var extraLines: [String]

  public init(values: [String: String] = [:], extraLines: [String] = []) {
    self.values = values
    self.extraLines = extraLines
  }

  public var isEmpty: Bool { values.isEmpty && extraLines.isEmpty }
}
