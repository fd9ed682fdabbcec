import Foundation
import VaultCrypto

/// Runs one `VaultCall` on the unlocked vault and frames the answer: the agent's side of
/// `AgentVault`, one case for one case.
enum AgentDispatch {
  /// `progress` sends a progress frame ahead of the answer (long imports).
  static func perform(
    _ call: VaultCall, on vault: Vault, secret: consuming SecretBytes?,
    progress: @escaping (_ done: Int, _ total: Int) -> Void
  ) -> AgentFrame {
    do {
      switch call {
      case .profile(let name): return ok(try vault.profile(named: name))
      case .profiles(let withSettings): return ok(try vault.profiles(withSettings: withSettings))
      case .profilesUnsorted(let withSettings):
        let (entries, order) = try vault.profilesUnsorted(withSettings: withSettings)
        return ok(order.map { entries[$0] })
      case .profilesPacked(let withSettings):
        // Served by `AgentServer.cachedList`; here for completeness of the switch.
        let packed = try packedList(vault, withSettings: withSettings)
        return ok(Nothing(), secret: try SecretBytes(copying: packed))
      case .listJSON(let filter):
        // Served by `AgentServer.cachedList` too.
        return ok(
          Nothing(), secret: try SecretBytes(copying: try vault.listJSON(matching: filter).bytes))
      case .resolveAccount(let profile, let name, let admin):
        return ok(try vault.resolveAccount(for: profile, name: name, admin: admin))
      case .addProfile(let profile, let account, let admin, let allowNoPassword, let hasPassword):
        return ok(
          try vault.addProfile(
            profile, account: account, admin: admin, password: hasPassword ? secret : nil,
            allowNoPassword: allowNoPassword))
      case .renameProfile(let old, let new):
        try vault.renameProfile(old, to: new)
        return ok(Nothing())
      case .editRemovesAccount(let name, let changes, let account, let admin):
        return ok(
          try vault.editRemovesAccount(
            named: name, changes: changes, account: account, admin: admin))
      case .editNeedsPassword(let name, let changes, let account, let admin):
        return ok(
          try vault.editNeedsPassword(named: name, changes: changes, account: account, admin: admin)
        )
      case .editProfiles(let names, let changes, let account, let admin, let hasPassword):
        return ok(
          try vault.editProfiles(
            named: names, changes: changes, account: account, admin: admin,
            password: hasPassword ? secret : nil))
      case .removeProfiles(let names):
        try vault.removeProfiles(named: names)
        return ok(Nothing())
      case .setSetting(let profiles, let key, let value):
        try vault.setSetting(profiles: profiles, key: key, value: value)
        return ok(Nothing())
      case .addExtraLine(let profiles, let line):
        try vault.addExtraLine(profiles: profiles, line: line)
        return ok(Nothing())
      case .unsetSetting(let profiles, let key):
        try vault.unsetSetting(profiles: profiles, key: key)
        return ok(Nothing())
      case .approvePreConnect(let profile, let command):
        try vault.approvePreConnect(profile: profile, command: command)
        return ok(Nothing())
      case .password(let profile):
        return ok(Nothing(), secret: try vault.password(forProfile: profile))
      case .accounts: return ok(try vault.accounts())
      case .account(let name): return ok(try vault.account(named: name))
      case .setAccountPassword(let name):
        guard let password = secret else {
          throw VaultError.missingField(field: "password", rule: "none was sent")
        }
        return ok(try vault.setAccountPassword(name, password: password))
      case .setDomainAdmin(let name, let isAdmin):
        try vault.setDomainAdmin(name, isAdmin)
        return ok(Nothing())
      case .removeAccount(let name):
        try vault.removeAccount(name)
        return ok(Nothing())
      case .importRDPFiles(
        let names, let sizes, let profileName, let kind, let tags, let user, let computerName,
        let consent, let dryRun):
        var files = try split(secret, names: names, sizes: sizes)
        defer { for index in files.indices { wipe(&files[index].bytes) } }
        if let profileName, files.count == 1 {
          do {
            let result = try vault.importRDPFile(
              &files[0].bytes, fileName: files[0].name, name: profileName, kind: kind, tags: tags,
              user: user, computerName: computerName, consent: consent, dryRun: dryRun)
            return ok([ImportOutcome.imported(result)])
          } catch {
            return ok([ImportOutcome.failed(AgentServer.asVaultError(error))])
          }
        }
        let results = try vault.importRDPFiles(
          files, kind: kind, tags: tags, user: user, computerName: computerName, consent: consent,
          dryRun: dryRun, progress: progress)
        return ok(results.map(ImportOutcome.init))
      case .importInventory(let items, let lengths, let consent, let dryRun):
        let passwords: InventoryPasswords
        switch consume secret {
        case .some(let bytes): passwords = try InventoryPasswords(secret: bytes, lengths: lengths)
        case .none:
          passwords = try InventoryPasswords(secret: SecretBytes(capacity: 0), lengths: lengths)
        }
        return ok(
          try vault.importInventory(
            items, passwords: passwords, consent: consent, dryRun: dryRun, progress: progress
          ).map(ImportOutcome.init))
      case .identity: return ok(try vault.identity())
      case .addTeammate(let name, let identity):
        try vault.addTeammate(name: name, identity: identity)
        return ok(Nothing())
      case .teammates: return ok(try vault.teammates())
      case .removeTeammate(let name):
        try vault.removeTeammate(name: name)
        return ok(Nothing())
      case .exportBundle(let names, let all, let tag, let to, let includeSecrets):
        return ok(
          Data(
            try vault.exportBundle(
              names: names, all: all, tag: tag, to: to, includeSecrets: includeSecrets,
              progress: progress)))
      case .importBundle(let bytes, let trust, let onConflict, let linkExisting, let dryRun):
        return ok(
          try vault.importBundle(
            Array(bytes), trust: trust, onConflict: onConflict, linkExisting: linkExisting,
            dryRun: dryRun))
      case .verify: return ok(try vault.verify(progress: progress))
      }
    } catch {
      return AgentFrame(json: encodeFailure(AgentServer.asVaultError(error)))
    }
  }

  /// Every VM in name order, packed.
  static func packedList(_ vault: Vault, withSettings: Bool) throws -> [UInt8] {
    let (entries, order) = try vault.profilesUnsorted(withSettings: withSettings)
    return try EntryPacking.pack(order.map { entries[$0] })
  }

  static func ok<Value: Codable>(_ value: Value, secret: consuming SecretBytes? = nil)
    -> AgentFrame
  {
    guard let json = try? JSONEncoder().encode(AgentReply.ok(value)) else {
      return AgentFrame(json: encodeFailure(.agentFailed(reason: "an answer it could not write")))
    }
    return AgentFrame(json: Array(json), secret: secret)
  }

  private static func encodeFailure(_ error: VaultError) -> [UInt8] {
    Array((try? JSONEncoder().encode(AgentReply<Nothing>.failed(error))) ?? Data())
  }

  /// The import's files, cut from the secret section by their sizes.
  private static func split(_ secret: borrowing SecretBytes?, names: [String], sizes: [Int]) throws
    -> [(name: String, bytes: [UInt8])]
  {
    guard names.count == sizes.count, sizes.allSatisfy({ $0 >= 0 }) else {
      throw VaultError.agentFailed(reason: "a malformed import request")
    }
    let total = sizes.reduce(0, +)
    var files: [(name: String, bytes: [UInt8])] = []
    var offset = 0
    switch secret {
    case .none:
      guard total == 0 else { throw VaultError.agentFailed(reason: "an import without its files") }
      return names.map { ($0, []) }
    case .some(let bytes):
      guard bytes.count == total || (total == 0 && bytes.count <= 1) else {
        throw VaultError.agentFailed(reason: "a malformed import request")
      }
      bytes.withUnsafeBytes { raw in
        for (name, size) in zip(names, sizes) {
          files.append((name, Array(raw[offset..<offset + size])))
          offset += size
        }
      }
    }
    return files
  }

  private static func wipe(_ bytes: inout [UInt8]) {
    for index in bytes.indices { bytes[index] = 0 }
  }
}
