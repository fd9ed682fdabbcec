/// One VM read from an inventory (Azure's `az vm list -d`, a CSV file, another tool's saved
/// connections), before the vault decides how to
/// store it: every value is still outside input, checked by `Profile.validate` and the
/// account rules when it is stored.
public struct InventoryItem: Codable, Equatable, Sendable {
  public var name: String
  public var host: String
  public var port: Int
  public var kind: AccountKind
  /// The user as written: `azureuser`, `CONTOSO\alice` or `alice@contoso.com`; nil when the
  /// inventory names none.
  public var user: String?
  /// The domain of a domain account, when not written in the user.
  public var domain: String?
  /// The Windows computer name, when the inventory knows it.
  public var computerName: String?
  public var tags: [String]
  public var resourceGroup: String
  public var subscription: String
  public var note: String
  /// The template credential a local VM shares (`import --shared-credential`).
  public var sharedCredential: String? = nil
  /// RDP settings the source held (mRemoteNG's redirections, gateway, console session).
  public var settings: RDPSettings
  /// What the reader noticed (a deallocated VM, a tag it could not keep).
  public var warnings: [String]

  public init(
    name: String, host: String, port: Int = 3389, kind: AccountKind, user: String?,
    domain: String? = nil, computerName: String?, tags: [String] = [], resourceGroup: String = "",
    subscription: String = "", note: String = "", settings: RDPSettings = RDPSettings(),
    warnings: [String] = []
  ) {
    self.name = name
    self.host = host
    self.port = port
    self.kind = kind
    self.user = user
    self.domain = domain
    self.computerName = computerName
    self.tags = tags
    self.resourceGroup = resourceGroup
    self.subscription = subscription
    self.note = note
    self.settings = settings
    self.warnings = warnings
  }
}
