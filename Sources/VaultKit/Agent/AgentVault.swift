import Foundation
import VaultCrypto

/// The second `VaultService`: a vault the agent holds unlocked. Each operation is one request;
/// the agent runs the same `Vault` code and answers with its value or its error. The vault key
/// stays in the agent: what comes back is what the command asked for.
final class AgentVault: VaultService {
  let client: AgentClient
  let path: String

  init(client: AgentClient, path: String) {
    self.client = client
    self.path = path
  }

  private func call<Value: Codable>(
    _ call: VaultCall, secret: consuming SecretBytes? = nil, as type: Value.Type,
    progress: ((_ done: Int, _ total: Int) -> Void)? = nil
  ) throws -> Value {
    try client.value(
      client.exchange(.call(path: path, call), secret: secret, as: type, progress: progress).reply)
  }

  private func call(_ call: VaultCall, secret: consuming SecretBytes? = nil) throws {
    _ = try self.call(call, secret: secret, as: Nothing.self)
  }

  // MARK: VMs

  func profile(named name: String) throws -> ProfileEntry {
    try call(.profile(name: name), as: ProfileEntry.self)
  }

  func profiles(withSettings: Bool) throws -> [ProfileEntry] {
    try call(.profiles(withSettings: withSettings), as: [ProfileEntry].self)
  }

  func profilesUnsorted(withSettings: Bool) throws -> (entries: [ProfileEntry], order: [Int]) {
    // The packed list comes in the frame's binary section: no base64, no JSON string.
    let answer = try client.exchange(
      .call(path: path, .profilesPacked(withSettings: withSettings)), as: Nothing.self)
    _ = try client.value(answer.reply)
    guard let packed = answer.secret else { throw EntryPacking.damaged }
    let entries = try packed.withUnsafeBytes { try EntryPacking.unpack($0) }
    return (entries, Array(entries.indices))
  }

  func listJSON(matching filter: ProfileFilter) throws -> ListedJSON {
    let answer = try client.exchange(.call(path: path, .listJSON(filter: filter)), as: Nothing.self)
    _ = try client.value(answer.reply)
    guard let bytes = answer.secret else {
      throw VaultError.agentFailed(reason: "an answer without its list")
    }
    return ListedJSON(bytes: bytes.withUnsafeBytes { Array($0) })
  }

  func resolveAccount(for profile: Profile, name: AccountName, admin: Bool) throws
    -> AccountResolution
  {
    try call(
      .resolveAccount(profile: profile, name: name, admin: admin), as: AccountResolution.self)
  }

  func addProfile(
    _ profile: Profile, account name: AccountName, admin: Bool, password: consuming SecretBytes?,
    allowNoPassword: Bool
  ) throws -> ProfileEntry {
    let hasPassword = password != nil
    return try call(
      .addProfile(
        profile: profile, account: name, admin: admin, allowNoPassword: allowNoPassword,
        hasPassword: hasPassword), secret: password, as: ProfileEntry.self)
  }

  func renameProfile(_ oldName: String, to newName: String) throws {
    try call(.renameProfile(old: oldName, new: newName))
  }

  func editRemovesAccount(
    named name: String, changes: ProfileChanges, account newName: AccountName?, admin: Bool?
  ) throws -> String? {
    try call(
      .editRemovesAccount(name: name, changes: changes, account: newName, admin: admin),
      as: String?.self)
  }

  func editNeedsPassword(
    named name: String, changes: ProfileChanges, account newName: AccountName?, admin: Bool?
  ) throws -> Bool {
    try call(
      .editNeedsPassword(name: name, changes: changes, account: newName, admin: admin),
      as: Bool.self)
  }

  func editProfiles(
    named names: [String], changes: ProfileChanges, account newName: AccountName?, admin: Bool?,
    password: consuming SecretBytes?
  ) throws -> [ProfileEntry] {
    let hasPassword = password != nil
    return try call(
      .editProfiles(
        names: names, changes: changes, account: newName, admin: admin, hasPassword: hasPassword),
      secret: password, as: [ProfileEntry].self)
  }

  func removeProfiles(named names: [String]) throws { try call(.removeProfiles(names: names)) }

  // MARK: Settings

  func setSetting(profiles names: [String], key: String, value: String) throws {
    try call(.setSetting(profiles: names, key: key, value: value))
  }

  func addExtraLine(profiles names: [String], line: String) throws {
    try call(.addExtraLine(profiles: names, line: line))
  }

  func unsetSetting(profiles names: [String], key: String) throws {
    try call(.unsetSetting(profiles: names, key: key))
  }

  func approvePreConnect(profile name: String, command: String) throws {
    try call(.approvePreConnect(profile: name, command: command))
  }

  // MARK: Accounts and passwords

  func password(forProfile name: String) throws -> SecretBytes {
    let answer = try client.exchange(.call(path: path, .password(profile: name)), as: Nothing.self)
    _ = try client.value(answer.reply)
    guard let secret = answer.secret else {
      throw VaultError.agentFailed(reason: "a password reply without one")
    }
    return secret
  }

  func accounts() throws -> [AccountEntry] { try call(.accounts, as: [AccountEntry].self) }

  func account(named name: String) throws -> AccountEntry {
    try call(.account(name: name), as: AccountEntry.self)
  }

  func setAccountPassword(_ name: String, password: consuming SecretBytes) throws -> [String] {
    try call(.setAccountPassword(name: name), secret: password, as: [String].self)
  }

  func setDomainAdmin(_ name: String, _ isAdmin: Bool) throws {
    try call(.setDomainAdmin(name: name, isAdmin: isAdmin))
  }

  func removeAccount(_ name: String) throws { try call(.removeAccount(name: name)) }

  // MARK: .rdp files

  func importRDPFile(
    _ bytes: inout [UInt8], fileName: String, name: String?, kind: AccountKind?, tags: [String],
    user: String?, computerName: String?, consent: ImportConsent, dryRun: Bool
  ) throws -> RDPImport {
    // One file is a batch of one; `name` is the only thing a batch does not take.
    let results = try importFiles(
      [(fileName, bytes)], name: name, kind: kind, tags: tags, user: user,
      computerName: computerName, consent: consent, dryRun: dryRun, progress: nil)
    for index in bytes.indices { bytes[index] = 0 }
    return try results[0].get()
  }

  func importRDPFiles(
    _ files: [(name: String, bytes: [UInt8])], kind: AccountKind?, tags: [String], user: String?,
    computerName: String?, consent: ImportConsent, dryRun: Bool,
    progress: ((_ done: Int, _ total: Int) -> Void)?
  ) throws -> [Result<RDPImport, Error>] {
    try importFiles(
      files, name: nil, kind: kind, tags: tags, user: user, computerName: computerName,
      consent: consent, dryRun: dryRun, progress: progress)
  }

  private func importFiles(
    _ files: [(name: String, bytes: [UInt8])], name: String?, kind: AccountKind?, tags: [String],
    user: String?, computerName: String?, consent: ImportConsent, dryRun: Bool,
    progress: ((_ done: Int, _ total: Int) -> Void)?
  ) throws -> [Result<RDPImport, Error>] {
    var secret = try SecretBytes(capacity: max(1, files.reduce(0) { $0 + $1.bytes.count }))
    for file in files { try file.bytes.withUnsafeBytes { try secret.append(contentsOf: $0) } }
    let outcomes = try call(
      .importRDPFiles(
        names: files.map(\.name), sizes: files.map(\.bytes.count), profileName: name, kind: kind,
        tags: tags, user: user, computerName: computerName, consent: consent, dryRun: dryRun),
      secret: secret, as: [ImportOutcome].self, progress: progress)
    guard outcomes.count == files.count else {
      throw VaultError.agentFailed(reason: "an import answer for another number of files")
    }
    return outcomes.map(\.result)
  }

  func importInventory(
    _ items: [InventoryItem], passwords: borrowing InventoryPasswords, consent: ImportConsent,
    dryRun: Bool, progress: ((_ done: Int, _ total: Int) -> Void)?
  ) throws -> [Result<RDPImport, Error>] {
    let secret = try passwords.secret.withUnsafeBytes { try SecretBytes(copying: $0) }
    let outcomes = try call(
      .importInventory(
        items: items, passwordLengths: passwords.lengths, consent: consent, dryRun: dryRun),
      secret: secret, as: [ImportOutcome].self, progress: progress)
    guard outcomes.count == items.count else {
      throw VaultError.agentFailed(reason: "an import answer for another number of VMs")
    }
    return outcomes.map(\.result)
  }

  // MARK: Sharing

  func identity() throws -> PublicIdentity { try call(.identity, as: PublicIdentity.self) }

  func addTeammate(name: String, identity: PublicIdentity) throws {
    try call(.addTeammate(name: name, identity: identity))
  }

  func teammates() throws -> [Teammate] { try call(.teammates, as: [Teammate].self) }

  func removeTeammate(name: String) throws { try call(.removeTeammate(name: name)) }

  func exportBundle(
    names: [String], all: Bool, tag: String?, to recipientNames: [String], includeSecrets: Bool,
    progress: ((_ done: Int, _ total: Int) -> Void)?
  ) throws -> [UInt8] {
    Array(
      try call(
        .exportBundle(
          names: names, all: all, tag: tag, to: recipientNames, includeSecrets: includeSecrets),
        as: Data.self, progress: progress))
  }

  func importBundle(
    _ bytes: [UInt8], trust: Bool, onConflict: ConflictPolicy, linkExisting: Bool, dryRun: Bool
  ) throws -> BundleImportReport {
    try call(
      .importBundle(
        bytes: Data(bytes), trust: trust, onConflict: onConflict, linkExisting: linkExisting,
        dryRun: dryRun), as: BundleImportReport.self)
  }

  // MARK: The vault itself

  func verify(progress: ((_ done: Int, _ total: Int) -> Void)?) throws -> VerifyReport {
    try call(.verify, as: VerifyReport.self, progress: progress)
  }

  /// `passwd` opens the vault itself, then locks it in the agent.
  func changePassphrase(
    current: borrowing SecretBytes, new: borrowing SecretBytes, kdf: KDFParameters?
  ) throws {
    throw VaultError.agentFailed(reason: "the passphrase is changed without the agent")
  }
}
