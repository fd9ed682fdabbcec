/// The fields an edit changes; nil (or no tags) leaves a field as it is. A value, not a
/// closure, so an edit can cross a process boundary (an agent, a server) as data.
public struct ProfileChanges: Equatable, Sendable, Codable {
  public var host: String?
  public var port: Int?
  public var kind: AccountKind?
  public var computerName: String?
  /// Replaces the tags when not empty.
  public var tags: [String]
  public var resourceGroup: String?
  public var subscription: String?
  public var note: String?

  public init(
    host: String? = nil, port: Int? = nil, kind: AccountKind? = nil, computerName: String? = nil,
    tags: [String] = [], resourceGroup: String? = nil, subscription: String? = nil,
    note: String? = nil
  ) {
    self.host = host
    self.port = port
    self.kind = kind
    self.computerName = computerName
    self.tags = tags
    self.resourceGroup = resourceGroup
    self.subscription = subscription
    self.note = note
  }

  /// Writes the changed fields into `profile`.
  public func apply(to profile: inout Profile) {
    if let host { profile.host = host }
    if let port { profile.port = port }
    if let kind { profile.kind = kind }
    if let computerName { profile.computerName = computerName }
    if !tags.isEmpty { profile.tags = tags }
    if let resourceGroup { profile.resourceGroup = resourceGroup }
    if let subscription { profile.subscription = subscription }
    if let note { profile.note = note }
  }
}
