import Foundation

/// What a command asks the agent. Each `VaultCall` is one `VaultService` operation; its
/// secret input (a password, a file's bytes) rides in the frame's secret section.
enum AgentRequest: Codable {
  /// Whether `path` is unlocked, and until when.
  case status(path: String)
  /// Unlock `path` (the passphrase is the secret) until `timeout` seconds pass without use.
  case unlock(path: String, timeout: Int)
  /// Forget `path`, or every vault when nil.
  case lock(path: String?)
  /// Lock everything and exit.
  case stop
  case call(path: String, VaultCall)
}

/// Every operation of `VaultService`, as data.
enum VaultCall: Codable {
  case profile(name: String)
  case profiles(withSettings: Bool)
  case profilesUnsorted(withSettings: Bool)
  /// Every VM in name order, packed (`EntryPacking`): what `list` asks for.
  case profilesPacked(withSettings: Bool)
  /// `list --json`'s bytes, in the frame's binary section.
  case listJSON(filter: ProfileFilter)
  case resolveAccount(profile: Profile, name: AccountName, admin: Bool)
  case addProfile(
    profile: Profile, account: AccountName, admin: Bool, allowNoPassword: Bool, hasPassword: Bool)
  case renameProfile(old: String, new: String)
  case editRemovesAccount(
    name: String, changes: ProfileChanges, account: AccountName?, admin: Bool?)
  case editNeedsPassword(
    name: String, changes: ProfileChanges, account: AccountName?, admin: Bool?)
  case editProfiles(
    names: [String], changes: ProfileChanges, account: AccountName?, admin: Bool?,
    hasPassword: Bool)
  case removeProfiles(names: [String])
  case setSetting(profiles: [String], key: String, value: String)
  case addExtraLine(profiles: [String], line: String)
  case unsetSetting(profiles: [String], key: String)
  case approvePreConnect(profile: String, command: String)
  case password(profile: String)
  case accounts
  case account(name: String)
  case setAccountPassword(name: String)
  case setDomainAdmin(name: String, isAdmin: Bool)
  case removeAccount(name: String)
  /// The files' bytes, one after another, are the secret (an .rdp file may hold a password).
  case importRDPFiles(
    names: [String], sizes: [Int], profileName: String?, kind: AccountKind?, tags: [String],
    user: String?,
    computerName: String?, consent: ImportConsent, dryRun: Bool)
  /// The passwords travel in the secret section, one slot per length (nil: none).
  case importInventory(
    items: [InventoryItem], passwordLengths: [Int?], consent: ImportConsent, dryRun: Bool)
  case identity
  case addTeammate(name: String, identity: PublicIdentity)
  case teammates
  case removeTeammate(name: String)
  case exportBundle(
    names: [String], all: Bool, tag: String?, to: [String], includeSecrets: Bool)
  case importBundle(
    bytes: Data, trust: Bool, onConflict: ConflictPolicy, linkExisting: Bool, dryRun: Bool)
  case verify
}

/// The agent's answer: a value, a vault error as the in-process vault would throw it, or
/// "that vault is not unlocked here" (the command then opens the vault itself).
enum AgentReply<Value: Codable>: Codable {
  case ok(Value)
  case failed(VaultError)
  case locked
  /// Sent before the answer of a long operation (an import), as it goes.
  case progress(done: Int, total: Int)
}

/// What `agent status` shows for one vault.
public struct AgentStatus: Codable, Equatable, Sendable {
  public var path: String
  public var unlocked: Bool
  /// When it locks unless used before, in seconds since 1970.
  public var locksAt: Int64?
  /// The idle time that locks it, in seconds.
  public var timeout: Int?
  public var agentPID: Int32
}

/// The outcome of one file of `importRDPFiles`, or one VM of `importInventory`.
enum ImportOutcome: Codable {
  case imported(RDPImport)
  case failed(VaultError)

  init(_ result: Result<RDPImport, Error>) {
    switch result {
    case .success(let imported): self = .imported(imported)
    case .failure(let error): self = .failed(AgentServer.asVaultError(error))
    }
  }

  var result: Result<RDPImport, Error> {
    switch self {
    case .imported(let imported): .success(imported)
    case .failed(let error): .failure(error)
    }
  }
}

/// A reply with no value.
struct Nothing: Codable, Equatable {}

/// What `unlock` answers.
struct UnlockReply: Codable {
  var status: AgentStatus
  /// The format the vault was upgraded from while the agent opened it.
  var upgradedFromFormat: Int?
}
