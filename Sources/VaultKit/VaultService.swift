import VaultCrypto

/// Everything a command asks of a vault, and nothing about how it is done. The commands talk
/// to a vault only through this protocol. `Vault` (open the file, derive the key, read and
/// write SQLite in this process) is the first implementation; an agent that keeps a vault
/// unlocked, or a team vault on a server, would be others, with no command changed.
///
/// Requirements carry no default arguments (a protocol cannot); the extension below gives
/// the short forms the commands use.
public protocol VaultService: AnyObject {
  // MARK: VMs
  func profile(named name: String) throws -> ProfileEntry
  func profiles(withSettings: Bool) throws -> [ProfileEntry]
  /// Every VM and its name order (`order[k]` indexes the k-th name): `list` at 100,000 VMs.
  func profilesUnsorted(withSettings: Bool) throws -> (entries: [ProfileEntry], order: [Int])
  /// `list --json`: the VMs `filter` picks, in name order, as the README's JSON array.
  func listJSON(matching filter: ProfileFilter) throws -> ListedJSON
  func resolveAccount(for profile: Profile, name: AccountName, admin: Bool) throws
    -> AccountResolution
  func addProfile(
    _ profile: Profile, account name: AccountName, admin: Bool, password: consuming SecretBytes?,
    allowNoPassword: Bool
  ) throws -> ProfileEntry
  func renameProfile(_ oldName: String, to newName: String) throws
  func editRemovesAccount(
    named name: String, changes: ProfileChanges, account newName: AccountName?, admin: Bool?
  ) throws -> String?
  func editNeedsPassword(
    named name: String, changes: ProfileChanges, account newName: AccountName?, admin: Bool?
  ) throws -> Bool
  /// Applies one change to several VMs in one transaction (every account gets `password`).
  func editProfiles(
    named names: [String], changes: ProfileChanges, account newName: AccountName?, admin: Bool?,
    password: consuming SecretBytes?
  ) throws -> [ProfileEntry]
  /// Removes VMs in one transaction.
  func removeProfiles(named names: [String]) throws

  // MARK: Settings (one transaction for all the VMs named)
  func setSetting(profiles names: [String], key: String, value: String) throws
  func addExtraLine(profiles names: [String], line: String) throws
  func unsetSetting(profiles names: [String], key: String) throws
  func approvePreConnect(profile name: String, command: String) throws

  // MARK: Accounts and passwords
  /// The password a VM signs in with, for a launch; in guarded memory.
  func password(forProfile name: String) throws -> SecretBytes
  func accounts() throws -> [AccountEntry]
  func account(named name: String) throws -> AccountEntry
  func setAccountPassword(_ name: String, password: consuming SecretBytes) throws -> [String]
  func setDomainAdmin(_ name: String, _ isAdmin: Bool) throws
  func removeAccount(_ name: String) throws

  // MARK: .rdp files
  func importRDPFile(
    _ bytes: inout [UInt8], fileName: String, name: String?, kind: AccountKind?, tags: [String],
    user: String?,
    computerName: String?, consent: ImportConsent, dryRun: Bool
  ) throws -> RDPImport
  func importRDPFiles(
    _ files: [(name: String, bytes: [UInt8])], kind: AccountKind?, tags: [String], user: String?,
    computerName: String?,
    consent: ImportConsent, dryRun: Bool, progress: ((_ done: Int, _ total: Int) -> Void)?
  ) throws -> [Result<RDPImport, Error>]

  /// VMs from an inventory (Azure, CSV, another tool's file), each added (or, with
  /// `consent.updateExisting`, given its new address) or refused on its own, in one
  /// transaction; `passwords` has a slot per item, or none.
  func importInventory(
    _ items: [InventoryItem], passwords: borrowing InventoryPasswords, consent: ImportConsent,
    dryRun: Bool, progress: ((_ done: Int, _ total: Int) -> Void)?
  ) throws -> [Result<RDPImport, Error>]

  // MARK: Sharing
  func identity() throws -> PublicIdentity
  func addTeammate(name: String, identity: PublicIdentity) throws
  func teammates() throws -> [Teammate]
  func removeTeammate(name: String) throws
  /// `progress` hears (done, total) as VMs and passwords go into the bundle.
  func exportBundle(
    names: [String], all: Bool, tag: String?, to recipientNames: [String], includeSecrets: Bool,
    progress: ((_ done: Int, _ total: Int) -> Void)?
  ) throws
    -> [UInt8]
  func importBundle(
    _ bytes: [UInt8], trust: Bool, onConflict: ConflictPolicy, linkExisting: Bool, dryRun: Bool
  ) throws
    -> BundleImportReport

  // MARK: The vault itself
  /// `progress` hears (done, total) in rows checked.
  func verify(progress: ((_ done: Int, _ total: Int) -> Void)?) throws -> VerifyReport
  func changePassphrase(
    current: borrowing SecretBytes, new: borrowing SecretBytes, kdf: KDFParameters?) throws
}

extension VaultService {
  public func profiles() throws -> [ProfileEntry] { try profiles(withSettings: false) }

  @discardableResult
  public func editProfile(
    named name: String, changes: ProfileChanges, account newName: AccountName?, admin: Bool?,
    password: consuming SecretBytes?
  ) throws -> ProfileEntry {
    let entries = try editProfiles(
      named: [name], changes: changes, account: newName, admin: admin, password: password)
    return entries[0]
  }

  public func removeProfile(named name: String) throws { try removeProfiles(named: [name]) }

  public func setSetting(profile name: String, key: String, value: String) throws {
    try setSetting(profiles: [name], key: key, value: value)
  }

  public func addExtraLine(profile name: String, line: String) throws {
    try addExtraLine(profiles: [name], line: line)
  }

  public func unsetSetting(profile name: String, key: String) throws {
    try unsetSetting(profiles: [name], key: key)
  }

  public func addProfile(
    _ profile: Profile, account name: AccountName, admin: Bool = false,
    password: consuming SecretBytes?
  ) throws -> ProfileEntry {
    try addProfile(profile, account: name, admin: admin, password: password, allowNoPassword: false)
  }

  public func importRDPFile(
    _ bytes: inout [UInt8], fileName: String, name: String?, kind: AccountKind?, tags: [String],
    user: String?,
    computerName: String?
  ) throws -> RDPImport {
    try importRDPFile(
      &bytes, fileName: fileName, name: name, kind: kind, tags: tags, user: user,
      computerName: computerName,
      consent: ImportConsent(), dryRun: false)
  }

  public func verify() throws -> VerifyReport { try verify(progress: nil) }

  public func exportBundle(
    names: [String], all: Bool, tag: String?, to recipientNames: [String], includeSecrets: Bool
  ) throws -> [UInt8] {
    try exportBundle(
      names: names, all: all, tag: tag, to: recipientNames, includeSecrets: includeSecrets,
      progress: nil)
  }

  public func importBundle(_ bytes: [UInt8], trust: Bool, onConflict: ConflictPolicy) throws
    -> BundleImportReport
  {
    try importBundle(
      bytes, trust: trust, onConflict: onConflict, linkExisting: false, dryRun: false)
  }
}

extension Vault: VaultService {}
