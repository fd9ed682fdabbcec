/// A VM connection profile: everything but the credential's secret.
public struct Profile: Equatable, Sendable {
  public static let defaultPort = 3389

  public var name: String
  public var host: String
  public var port: Int
  public var computerName: String
  public var kind: AccountKind
  public var resourceGroup: String
  public var subscription: String
  public var tags: [String]
  public var note: String
  public var settings: RDPSettings

  public init(
    name: String, host: String, port: Int = Profile.defaultPort, computerName: String,
    kind: AccountKind, resourceGroup: String = "", subscription: String = "",
    tags: [String] = [], note: String = "", settings: RDPSettings = RDPSettings()
  ) {
    self.name = name
    self.host = host
    self.port = port
    self.computerName = computerName
    self.kind = kind
    self.resourceGroup = resourceGroup
    self.subscription = subscription
    self.tags = tags
    self.note = note
    self.settings = settings
  }

  /// The computer name Windows gives a VM by default: its name, upper-cased, when that is a
  /// valid NetBIOS name.
  public static func defaultComputerName(for name: String) -> String? {
    let upper = name.uppercased()
    return (try? Validation.computerName(upper)) == nil ? nil : upper
  }

  /// Checks every field; the first failure names the field and the rule.
  public func validate() throws {
    try Validation.profileName(name)
    try Validation.host(host)
    try Validation.port(port)
    try Validation.computerName(computerName)
    for tag in tags { try Validation.tag(tag) }
    try Validation.freeText(resourceGroup, field: "resource group")
    try Validation.freeText(subscription, field: "subscription")
    try Validation.freeText(note, field: "note", maxLength: 4096)
    if tags.count > 64 { throw VaultError.invalidField(field: "tags", value: "\(tags.count)", rule: "at most 64") }
    try settings.validate()
  }

  /// Lower-cased: names are unique without regard to case.
  static func lookupKey(name: String) -> String { name.lowercased() }
}

/// A profile together with its account, as `show` and `list` present it.
public struct ProfileEntry: Equatable, Sendable {
  public var profile: Profile
  public var account: Account

  public init(profile: Profile, account: Account) {
    self.profile = profile
    self.account = account
  }

  public var signInName: String { account.signInName(computerName: profile.computerName) }
}
