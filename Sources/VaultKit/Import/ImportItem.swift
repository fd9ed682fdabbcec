/// What an import did, or with `--dry-run` would do, for one VM from outside (a bundle or an
/// .rdp file): every fact the user needs to judge it before trusting it.
public struct ImportItem: Equatable, Sendable, Codable {
  public enum Action: Equatable, Sendable, Codable {
    case add
    /// An existing VM of that name was replaced; `changes` lists old → new.
    case replace
    /// Added under another name, since the name was taken.
    case rename(from: String)
    /// Not imported, since the name was taken.
    case skip
    /// An existing VM's host, port and settings refreshed (`--update`); `changes` lists them.
    case update
  }

  /// How the VM's account relates to the accounts already stored.
  public enum AccountLink: Equatable, Sendable, Codable {
    /// A new account, made for this import.
    case new
    /// Linked, with the user's consent, to the stored account of the same sign-in name.
    case linked
    /// A stored account has the same sign-in name, but the user did not consent to the
    /// link: the VM got an account of its own, kept apart.
    case keptApart
    /// Shares a stored account of the same name that holds no password yet (.rdp files):
    /// nothing stored can reach this VM's host through it.
    case sharedWithoutPassword
  }

  /// One field that a replacement changes.
  public struct Change: Equatable, Sendable, Codable {
    public var field: String
    public var old: String
    public var new: String
  }

  public var action: Action
  public var name: String
  public var host: String
  public var port: Int
  public var signInName: String
  public var link: AccountLink
  /// Whether the VM's account has a password after the import.
  public var hasPassword: Bool
  /// Whether the import stored a password (the bundle's, or a file's clear-text one).
  public var storedPassword: Bool
  /// A pre-connect command that came with the VM; stored unapproved.
  public var preConnect: String?
  /// An RD Gateway that came with the VM; stored unapproved (nil once approved).
  public var gateway: String?
  public var extraLines: [String]
  public var changes: [Change] = []
  /// A tunnel command or jump host that came with the VM (`tunnel: …`, `jump: …`); stored
  /// unapproved.
  public var routing: [String] = []
  /// A template credential's own name (`template:web-tier`), when the VM uses one.
  public var sharedCredential: String? = nil
  /// The kind of the VM's account (.rdp files and inventories; bundles, for a VM imported).
  public var kind: AccountKind? = nil

  /// Listed even in a large import's summary: a link to a stored account, one kept apart, an
  /// unapproved hook, or a replacement.
  public var needsAttention: Bool {
    link == .linked || link == .keptApart || preConnect != nil || !routing.isEmpty
      || gateway != nil || !changes.isEmpty
  }

  /// The fields a replacement changes, in the order `show` lists them.
  static func changes(from old: ProfileEntry, to new: ProfileEntry) -> [Change] {
    var result: [Change] = []
    func compare(_ field: String, _ a: String, _ b: String) {
      if a != b { result.append(Change(field: field, old: a, new: b)) }
    }
    compare("host", old.profile.host, new.profile.host)
    compare("port", String(old.profile.port), String(new.profile.port))
    compare("computer name", old.profile.computerName, new.profile.computerName)
    compare("kind", old.profile.kind.rawValue, new.profile.kind.rawValue)
    compare("sign-in name", old.signInName, new.signInName)
    compare("domain admin", String(old.account.isDomainAdmin), String(new.account.isDomainAdmin))
    compare(
      "tags", old.profile.tags.joined(separator: ","), new.profile.tags.joined(separator: ","))
    compare("resource group", old.profile.resourceGroup, new.profile.resourceGroup)
    compare("subscription", old.profile.subscription, new.profile.subscription)
    compare("note", old.profile.note, new.profile.note)
    let oldSettings = old.profile.settings
    let newSettings = new.profile.settings
    for key in Set(oldSettings.values.keys).union(newSettings.values.keys).sorted() {
      compare(
        "setting \(key)", oldSettings.values[key] ?? "(unset)", newSettings.values[key] ?? "(unset)"
      )
    }
    compare(
      "extra lines", oldSettings.extraLines.joined(separator: " | "),
      newSettings.extraLines.joined(separator: " | "))
    for key in ConnectOption.all {
      compare(key, oldSettings.options[key] ?? "(unset)", newSettings.options[key] ?? "(unset)")
    }
    return result
  }
}
