import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Which VMs a command works on: `list`, and the bulk forms of the commands that change VMs.
/// Every condition given must hold; text matches ignore case, as names do.
public struct ProfileFilter: Codable, Equatable, Sendable {
  /// A substring of the name, or a glob with `*`, `?` and `[...]`.
  public var name: String?
  /// Every one of these tags.
  public var tags: [String]
  public var kind: AccountKind?
  public var resourceGroup: String?
  public var subscription: String?
  /// A substring of the host, or a glob (`10.0.1.*`, `*.contoso.com`).
  public var host: String?

  public init(
    name: String? = nil, tags: [String] = [], kind: AccountKind? = nil,
    resourceGroup: String? = nil, subscription: String? = nil, host: String? = nil
  ) {
    self.name = name
    self.tags = tags
    self.kind = kind
    self.resourceGroup = resourceGroup
    self.subscription = subscription
    self.host = host
  }

  /// True when no condition is given: every VM matches.
  public var isEmpty: Bool { self == ProfileFilter() }

  public func matches(_ profile: Profile) -> Bool {
    if let name, !Self.matches(profile.name, name) { return false }
    if let kind, profile.kind != kind { return false }
    if let resourceGroup, profile.resourceGroup.lowercased() != resourceGroup.lowercased() {
      return false
    }
    if let subscription, profile.subscription.lowercased() != subscription.lowercased() {
      return false
    }
    if let host, !Self.matches(profile.host, host) { return false }
    if !tags.isEmpty {
      let have = Set(profile.tags.map { $0.lowercased() })
      if !tags.allSatisfy({ have.contains($0.lowercased()) }) { return false }
    }
    return true
  }

  /// A glob when the pattern has one of `*?[`, else a substring; case ignored either way.
  public static func matches(_ text: String, _ pattern: String) -> Bool {
    if pattern.contains("*") || pattern.contains("?") || pattern.contains("[") {
      return fnmatch(pattern.lowercased(), text.lowercased(), 0) == 0
    }
    return text.lowercased().contains(pattern.lowercased())
  }
}
