import Foundation
import GRDB
import VaultCrypto

/// The outcome of importing one .rdp file, or with `dryRun` what it would be.
public struct RDPImport: Sendable, Codable {
  public var item: ImportItem
  public var warnings: [String]
  /// True when the VM's account has no password.
  public var needsPassword: Bool
  /// The file held a password in the clear; `item.storedPassword` says whether it was kept.
  public var hadClearTextPassword: Bool
  /// The `PREFIX` of the file's `PREFIX\user`, taken as a domain because it is neither the
  /// VM's name nor its host's first label, though it could be the VM's own computer name.
  public var guessedDomain: String? = nil
}

/// What the user allowed an import to do beyond adding VMs.
public struct ImportConsent: Equatable, Sendable, Codable {
  /// Link VMs to stored accounts of the same sign-in name.
  public var linkExisting: Bool
  /// Store a password found in the clear in an .rdp file as its account's password.
  public var storeClearTextPasswords: Bool
  /// Refresh the host, port and settings of a VM that exists (its account and password stay)
  /// instead of refusing the file.
  public var updateExisting: Bool

  public init(
    linkExisting: Bool = false, storeClearTextPasswords: Bool = false, updateExisting: Bool = false
  ) {
    self.linkExisting = linkExisting
    self.storeClearTextPasswords = storeClearTextPasswords
    self.updateExisting = updateExisting
  }
}

extension Vault {
  // MARK: Import

  /// Adds a profile from an .rdp file's bytes. A stored domain account of the same sign-in
  /// name that holds a password is linked only with the user's consent; otherwise the VM gets
  /// an account of its own without a password. (One without a password is linked: nothing
  /// stored can reach the file's host through it, and many files naming one account share it.)
  /// A clear-text password line is taken out of `bytes` before the file is read, and stored
  /// only with consent. Nothing is written when anything fails, or with `dryRun`.
  public func importRDPFile(
    _ bytes: inout [UInt8], fileName: String, name: String?, kind: AccountKind?, tags: [String],
    user: String?, computerName: String?, consent: ImportConsent,
    dryRun: Bool
  ) throws -> RDPImport {
    try write(rollback: dryRun) { db in
      try importRDPFile(
        db, &bytes, fileName: fileName, name: name, kind: kind, tags: tags, user: user,
        computerName: computerName,
        consent: consent)
    }
  }

  /// Many files in one transaction, each in a savepoint of its own: a file that fails adds
  /// nothing, the others still import, and 10,000 files cost one commit, not 10,000.
  public func importRDPFiles(
    _ files: [(name: String, bytes: [UInt8])], kind: AccountKind?, tags: [String], user: String?,
    computerName: String?, consent: ImportConsent = ImportConsent(), dryRun: Bool = false,
    progress: ((_ done: Int, _ total: Int) -> Void)? = nil
  ) throws -> [Result<RDPImport, Error>] {
    try importEach(files, dryRun: dryRun, progress: progress) { db, file in
      var bytes = file.bytes
      defer { for index in bytes.indices { bytes[index] = 0 } }
      return try importRDPFile(
        db, &bytes, fileName: file.name, name: nil, kind: kind, tags: tags, user: user,
        computerName: computerName, consent: consent)
    }
  }

  private func importRDPFile(
    _ db: Database, _ bytes: inout [UInt8], fileName: String, name: String?, kind: AccountKind?,
    tags: [String],
    user: String?, computerName: String?, consent: ImportConsent
  ) throws -> RDPImport {
    var clearLines: [Int] = []
    let clearPassword = try ClearTextPassword.extract(from: &bytes, lines: &clearLines)
    let parsed: ImportedRDPFile
    do {
      parsed = try RDPFileReader.parse(bytes)
    } catch VaultError.rdpFile(_, let line, let reason) {
      throw VaultError.rdpFile(file: fileName, line: line, reason: reason)
    }
    var warnings = parsed.warnings
    let profileName = name ?? Self.profileName(fromFileName: fileName)
    do {
      try Validation.profileName(profileName)
    } catch {
      throw VaultError.fileNameNotAVMName(file: fileName, name: profileName)
    }
    guard
      let account = try user.map({ try AccountName.parse(user: $0, domain: nil) }) ?? parsed.user
    else {
      throw VaultError.fileNamesNoUser(file: fileName)
    }
    // The kind: a UPN is a domain account; `PREFIX\user` is local when PREFIX is the computer
    // name given, or (none given) the VM's name or its host name's first label, as Windows
    // would have them (rdpvault writes a local VM's file as COMPUTER\user); a bare user is
    // local. A computer name is taken from the file or given, never invented.
    let inferredKind: AccountKind
    var guessedDomain: String? = nil
    switch (account.form, account.domain) {
    case (.upn, _): inferredKind = .domain
    case (_, nil), (_, Profile.thisComputer): inferredKind = .local
    case (_, let domain?):
      let machines =
        computerName.map { [$0] }
        ?? [
          Profile.defaultComputerName(for: profileName), Profile.computerName(ofHost: parsed.host),
        ]
        .compactMap { $0 }
      inferredKind = machines.contains { $0.lowercased() == domain.lowercased() } ? .local : .domain
      // A NetBIOS-style prefix could be either; the file cannot say which.
      if inferredKind == .domain, kind == nil, (try? Validation.computerName(domain)) != nil {
        guessedDomain = domain
      }
    }
    let finalKind = kind ?? inferredKind
    var machine = computerName
    if finalKind == .local, machine == nil, let domain = account.domain {
      machine = domain.uppercased()
    }
    if finalKind != .local, machine == nil {
      machine = Profile.defaultComputerName(for: profileName) ?? Profile.thisComputer
    }
    guard let machine else {
      throw VaultError.computerNameNeeded(file: fileName, user: account.userName)
    }
    var profile = Profile(
      name: profileName, host: parsed.host, port: parsed.port, computerName: machine,
      kind: finalKind, tags: tags,
      settings: parsed.settings)
    try profile.validate()
    let wanted = try account.account(kind: finalKind, computerName: machine, admin: false)
    profile.settings.signedLines = RDPSignature.signedAddressLines(
      parsed.originalLines, settings: profile.settings)
    RDPSignature.keepEmptySignedValues(parsed.originalLines, in: &profile.settings)
    let broken = RDPSignature.dropIfBroken(&profile.settings, before: parsed.originalLines) {
      [profile, wanted] in
      RDPFileWriter.lines(for: ProfileEntry(profile: profile, account: wanted))
    }
    if !broken.isEmpty {
      warnings.append(
        "the file was signed, and rdpvault writes signed properties differently (\(broken.joined(separator: ", "))); "
          + "its signature was dropped, since an invalid one is worse than none")
    }
    let signIn = wanted.signInName(computerName: machine)
    if !clearLines.isEmpty {
      warnings.append(
        "line \(clearLines.map(String.init).joined(separator: ", ")): the file held a password in the clear; "
          + "it was not kept as a line, and anyone who had the file could read it")
    }
    let hasClearPassword = clearLines.count > 0
    if consent.storeClearTextPasswords {
      switch clearPassword {
      case .some(let password):
        try password.withUnsafeBytes { try Validation.password($0, field: "clear-text password") }
      case .none: break
      }
    }
    do {
      if var existing = try findProfile(db, named: profileName) {
        guard consent.updateExisting else { throw VaultError.profileExists(name: profileName) }
        // A re-import (an Azure VM's new IP after deallocation): host, port and settings
        // come from the file; the account, its password, the tags and connect options stay.
        let account = try fetchAccountRecord(db, id: existing.accountID).account
        let old = ProfileEntry(profile: existing.profile, account: account)
        var refreshed = existing.profile
        refreshed.host = profile.host
        refreshed.port = profile.port
        refreshed.settings.values = profile.settings.values
        refreshed.settings.extraLines = profile.settings.extraLines
        try refreshed.validate()
        let changes = ImportItem.changes(
          from: old, to: ProfileEntry(profile: refreshed, account: account))
        if !changes.isEmpty {
          existing.profile = refreshed
          try existing.saveChange(db, vault: self)
        }
        if Account.lookupKey(signInName: signIn) != Account.lookupKey(signInName: old.signInName) {
          warnings.append(
            "the file signs in as \(signIn); \(profileName) keeps its account \(old.signInName)")
        }
        let item = ImportItem(
          action: .update, name: profileName, host: refreshed.host, port: refreshed.port,
          signInName: old.signInName,
          link: .new, hasPassword: try fetchPasswordBox(db, accountID: existing.accountID) != nil,
          storedPassword: false,
          preConnect: nil, gateway: refreshed.settings.unapprovedGateway,
          extraLines: refreshed.settings.extraLines,
          changes: changes, kind: existing.profile.kind)
        return RDPImport(
          item: item, warnings: warnings,
          needsPassword: !item.hasPassword,
          hadClearTextPassword: hasClearPassword)
      }
      let (accountID, link, held, created) = try importAccount(
        db, wanted: wanted, kind: finalKind, signIn: signIn, consent: consent)
      var hasPassword = held
      var stored = false
      if created && hasClearPassword && consent.storeClearTextPasswords {
        try storePassword(db, accountID: accountID, ifGiven: clearPassword)
        hasPassword = true
        stored = true
      }
      let now = Self.now()
      try ProfileRecord(
        id: Random.rowID(), accountID: accountID, version: 1, createdAt: now, updatedAt: now,
        profile: profile
      ).save(db, vault: self, previousVersion: nil)
      let item = ImportItem(
        action: .add, name: profileName, host: profile.host, port: profile.port, signInName: signIn,
        link: link,
        hasPassword: hasPassword, storedPassword: stored, preConnect: nil,
        gateway: profile.settings.unapprovedGateway, extraLines: profile.settings.extraLines,
        kind: finalKind)
      return RDPImport(
        item: item, warnings: warnings, needsPassword: !hasPassword,
        hadClearTextPassword: hasClearPassword, guessedDomain: guessedDomain)
    }
  }

  static func profileName(fromFileName fileName: String) -> String {
    var base = String(fileName.split(separator: "/").last ?? Substring(fileName))
    for suffix in [".rdp", ".rdpw"] where base.lowercased().hasSuffix(suffix) {
      base.removeLast(suffix.count)
    }
    return base
  }
}
