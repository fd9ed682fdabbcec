/// The fields an edit changes; nil (or no tags) leaves a field as it is. A value, not a
/// closure, so an edit can cross a process boundary (an agent, a server) as data.
public struct ProfileChanges: Equatable, Sendable, Codable {
  public var host: String?
  public var port: Int?
  public var kind: AccountKind?
  public var computerName: String?
  /// Replaces the tags when not empty.
  public var tags: [String]
  /// Added to the tags (after a replacement), unless already there in any case.
  public var addTags: [String]
  /// Removed from the tags, in any case.
  public var removeTags: [String]
  public var resourceGroup: String?
  public var subscription: String?
  public var note: String?

  public init(
    host: String? = nil, port: Int? = nil, kind: AccountKind? = nil, computerName: String? = nil,
    tags: [String] = [], addTags: [String] = [], removeTags: [String] = [],
    resourceGroup: String? = nil, subscription: String? = nil, note: String? = nil
  ) {
    self.host = host
    self.port = port
    self.kind = kind
    self.computerName = computerName
    self.tags = tags
    self.addTags = addTags
    self.removeTags = removeTags
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
    for tag in addTags where !profile.tags.contains(where: { $0.lowercased() == tag.lowercased() })
    {
      profile.tags.append(tag)
    }
    let removed = Set(removeTags.map { $0.lowercased() })
    profile.tags.removeAll { removed.contains($0.lowercased()) }
    if let resourceGroup { profile.resourceGroup = resourceGroup }
    if let subscription { profile.subscription = subscription }
    if let note { profile.note = note }
  }
}
