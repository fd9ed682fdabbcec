/// A VM connection profile: everything but the credential's secret.
public struct Profile: Equatable, Sendable, Codable {
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

  /// The first label of a host name, as written, when Windows could have it as the computer's
  /// name (`webvm.westeurope.cloudapp.azure.com` → `webvm`); nil for an IP address. Azure's
  /// DNS names, and most internal ones, begin with the computer name.
  public static func computerName(ofHost host: String) -> String? {
    guard !Validation.isIPv4(host), !Validation.isIPv6(host),
      let label = host.split(separator: ".").first.map(String.init),
      (try? Validation.computerName(label)) != nil
    else { return nil }
    return label
  }

  /// `.`, Windows' name for "this computer": a local account then signs in as `.\user`,
  /// which Windows checks against the VM's own accounts (LogonUser documents it; FreeRDP 2
  /// and 3 send the `.` as it is, in NTLM and in CredSSP). For a VM whose computer name is
  /// not known: an Azure VM name longer than 15 characters, or `.\user` given as the user.
  public static let thisComputer = "."

  /// The computer name a new profile records: the one given; `.` for a user written
  /// `.\user`; the VM's name upper-cased when Windows could have it; else `.`, with
  /// `vmNameUnusable` set so the user is told why (Azure's portal cuts a long name to 15
  /// characters, but a VM made otherwise may have any name, so rdpvault does not guess).
  public static func computerName(given: String?, vmName: String, user: AccountName?) -> (
    name: String, vmNameUnusable: Bool
  ) {
    if let given { return (given, false) }
    if user?.domain == thisComputer { return (thisComputer, false) }
    if let name = defaultComputerName(for: vmName) { return (name, false) }
    return (thisComputer, true)
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
    if tags.count > 64 {
      throw VaultError.invalidField(field: "tags", value: "\(tags.count)", rule: "at most 64")
    }
    try settings.validate()
  }

  /// Lower-cased: names are unique without regard to case.
  static func lookupKey(name: String) -> String { name.lowercased() }
}

/// A profile together with its account, as `show` and `list` present it.
public struct ProfileEntry: Equatable, Sendable, Codable {
  public var profile: Profile
  public var account: Account

  public init(profile: Profile, account: Account) {
    self.profile = profile
    self.account = account
  }

  public var signInName: String { account.signInName(computerName: profile.computerName) }
}
