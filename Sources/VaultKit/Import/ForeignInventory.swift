import VaultCrypto

/// What another connection manager's file (mRemoteNG, Remmina, RDCMan, KeePass) gives the
/// vault: its RDP connections as inventory items, their passwords, what was left out, and
/// what the file exposed.
public struct ForeignInventory: ~Copyable {
  public var items: [InventoryItem]
  /// A slot per item.
  public var passwords: InventoryPasswords
  /// Connections not imported, each with the reason (not RDP, no host).
  public var skipped: [(name: String, reason: String)]
  /// Set when the file's protection was weaker than it looked.
  public var audit: ImportAudit?
  /// What the user could do to import what was left out (the CLI words it).
  public var remedies: Set<ImportRemedy> = []
}

/// A way to import what a file's reader had to leave out.
public enum ImportRemedy: Hashable, Sendable {
  /// Remmina passwords need the `remmina.pref` whose secret encrypts them.
  case remminaPref
  /// A password written in the clear is stored only with the user's consent.
  case storeClearPassword
  /// A KDBX's inner-stream values: export the database with keepassxc-cli instead.
  case exportWithKeePassXC
}

/// What a file's protection really was: which passwords anyone holding the file could read.
public struct ImportAudit: Equatable, Sendable {
  public enum Protection: Equatable, Sendable {
    /// mRemoteNG's built-in key (`mR3m`): anyone can decrypt the file.
    case mRemoteNGDefaultKey
    /// Remmina's `remmina.pref` secret: a key stored beside the data it protects.
    case remminaKeyBesideData
    /// Passwords written in the clear (RDCMan's `storeAsClearText`).
    case clearText(tool: String)
  }

  public struct Credential: Equatable, Sendable {
    public var signIn: String
    /// The connections (and folders) that used it.
    public var usedBy: [String]
  }

  public var protection: Protection
  /// Every account whose password was readable, to rotate.
  public var credentials: [Credential]
}

/// The accounts a file exposed, each once (names compared without case), with what used it:
/// one dictionary lookup per note, so a file of many users costs no quadratic scan.
struct ExposedCredentials {
  private(set) var list: [ImportAudit.Credential] = []
  private var index: [String: Int] = [:]

  mutating func note(_ signIn: String, usedBy name: String) {
    if let at = index[signIn.lowercased()] {
      list[at].usedBy.append(name)
    } else {
      index[signIn.lowercased()] = list.count
      list.append(ImportAudit.Credential(signIn: signIn, usedBy: [name]))
    }
  }
}

extension ForeignInventory {
  /// A connection name as a VM name: runs of spaces become `-` (`Client 1` → `Client-1`);
  /// anything else is left for the vault's own check to judge.
  static func vmName(_ name: String) -> String {
    name.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: "-")
  }

  /// A folder path as one tag (`Lab/Site A` → `Lab/Site-A`), or nil when it cannot be one.
  static func folderTag(_ folders: [String]) -> String? {
    guard !folders.isEmpty else { return nil }
    let tag = folders.map(vmName).joined(separator: "/")
    return (try? Validation.tag(tag)) == nil ? nil : tag
  }

  /// The account kind a user and domain from another tool mean: no domain, `.`, or the
  /// host's own first label is a local account on that computer (whose name is then taken
  /// to be the host name's first label, as it usually is); anything else a domain.
  static func account(user: String, domain: String, host: String) -> (
    kind: AccountKind, computerName: String?
  ) {
    if user.contains("\\") || user.contains("@") { return (.domain, nil) }
    let computer = Profile.computerName(ofHost: host)
    if domain.isEmpty || domain == "." { return (.local, computer) }
    if domain.lowercased() == computer?.lowercased() { return (.local, domain) }
    return (.domain, nil)
  }
}

extension MRemoteNGFile {
  /// The RDP connections that have a host, as VMs; the rest listed as skipped.
  public static func inventory(_ reading: consuming Reading) throws -> ForeignInventory {
    var items: [InventoryItem] = []
    var passwords = try InventoryPasswords(capacity: max(1, reading.passwords.secret.count))
    var skipped: [(String, String)] = []
    for (index, connection) in reading.connections.enumerated() {
      guard connection.protocolName.uppercased() == "RDP" else {
        skipped.append(
          (connection.name, "\(Validation.escapedForDisplay(connection.protocolName)), not RDP"))
        continue
      }
      guard !connection.host.isEmpty else {
        skipped.append((connection.name, "no host"))
        continue
      }
      var warnings: [String] = []
      let account = ForeignInventory.account(
        user: connection.username, domain: connection.domain, host: connection.host)
      var settings = RDPSettings()
      for (key, value) in connection.settings {
        do { try settings.setUnapproved(key, value) } catch {
          warnings.append("setting \(key) was not kept: \(Validation.escapedForDisplay(value))")
        }
      }
      let tag = ForeignInventory.folderTag(connection.folders)
      if tag == nil && !connection.folders.isEmpty {
        warnings.append(
          "folder \(Validation.escapedForDisplay(connection.folders.joined(separator: "/"))) is not a valid tag and was not kept"
        )
      }
      items.append(
        InventoryItem(
          name: ForeignInventory.vmName(connection.name), host: connection.host,
          port: connection.port ?? 3389, kind: account.kind,
          user: connection.username.isEmpty ? nil : connection.username,
          domain: account.kind == .domain && !connection.domain.isEmpty ? connection.domain : nil,
          computerName: account.computerName, tags: tag.map { [$0] } ?? [],
          note: connection.description, settings: settings, warnings: warnings))
      let copied: Void? = try reading.passwords.withPassword(at: index) {
        try passwords.append(try SecretBytes(copying: $0))
      }
      if copied == nil { passwords.appendNone() }
    }
    let audit =
      reading.usedDefaultKey && !reading.credentials.isEmpty
      ? ImportAudit(
        protection: .mRemoteNGDefaultKey,
        credentials: reading.credentials) : nil
    return ForeignInventory(items: items, passwords: passwords, skipped: skipped, audit: audit)
  }
}
