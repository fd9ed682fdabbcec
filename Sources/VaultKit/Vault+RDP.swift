import Foundation
import VaultCrypto

/// The outcome of importing one .rdp file.
public struct RDPImport: Sendable {
  public var entry: ProfileEntry
  public var warnings: [String]
  /// True when the account is new and has no password yet.
  public var needsPassword: Bool
}

extension Vault {
  // MARK: Settings

  /// Sets a modelled .rdp property on a profile, after checking its documented range.
  public func setSetting(profile name: String, key: String, value: String) throws {
    try editProfile(named: name, change: { try $0.settings.set(key, value) }, account: nil, admin: nil, password: nil)
  }

  /// Adds (or replaces) a verbatim `name:type:value` line.
  public func addExtraLine(profile name: String, line: String) throws {
    try editProfile(named: name, change: { try $0.settings.addExtraLine(line) }, account: nil, admin: nil, password: nil)
  }

  /// Clears a property or an extra line.
  public func unsetSetting(profile name: String, key: String) throws {
    try editProfile(
      named: name,
      change: { profile in
        guard profile.settings.unset(key) else {
          throw VaultError.invalidField(field: "setting", value: key, rule: "it is not set on \(profile.name)")
        }
      }, account: nil, admin: nil, password: nil)
  }

  // MARK: Import

  /// Adds a profile from an .rdp file's bytes. The account is linked when a domain account
  /// with that name is stored, and is otherwise created without a password (the file cannot
  /// carry one that works here). Nothing is written when anything fails.
  public func importRDPFile(
    _ bytes: [UInt8], fileName: String, name: String?, kind: AccountKind?, tags: [String],
    user: String?, computerName: String?
  ) throws -> RDPImport {
    let parsed: ImportedRDPFile
    do {
      parsed = try RDPFileReader.parse(bytes)
    } catch VaultError.rdpFile(_, let line, let reason) {
      throw VaultError.rdpFile(file: fileName, line: line, reason: reason)
    }
    let profileName = name ?? Self.profileName(fromFileName: fileName)
    do {
      try Validation.profileName(profileName)
    } catch {
      throw VaultError.rdpFile(
        file: fileName, line: 0,
        reason: "\(quoted(profileName)) cannot be a VM name (1-64 letters, digits, '-', '_' or '.'); give --name")
    }
    guard let account = try user.map({ try AccountName.parse(user: $0, domain: nil) }) ?? parsed.user else {
      throw VaultError.rdpFile(
        file: fileName, line: 0, reason: "the file has no username:s: line; give --user (Azure's downloads have none)")
    }
    let defaultComputer = Profile.defaultComputerName(for: profileName)
    let inferredKind: AccountKind
    switch (account.form, account.domain) {
    case (.upn, _): inferredKind = .domain
    case (_, nil): inferredKind = .local
    case (_, let domain?):
      let machine = computerName ?? defaultComputer
      inferredKind = machine.map { $0.lowercased() == domain.lowercased() } ?? false ? .local : .domain
    }
    let finalKind = kind ?? inferredKind
    var machine = computerName ?? defaultComputer
    if finalKind == .local, let domain = account.domain, computerName == nil { machine = domain.uppercased() }
    guard let machine else {
      throw VaultError.rdpFile(
        file: fileName, line: 0, reason: "\(quoted(profileName)) cannot be a Windows computer name; give --computer-name")
    }
    let profile = Profile(
      name: profileName, host: parsed.host, port: parsed.port, computerName: machine, kind: finalKind, tags: tags,
      settings: parsed.settings)
    let resolution = try resolveAccount(for: profile, name: account, admin: false)
    let entry = try addProfile(profile, account: account, password: nil, allowNoPassword: true)
    var needsPassword = false
    if case .new = resolution { needsPassword = true }
    if case .existing = resolution {
      // Whether the shared account has a password: ask for its box, do not open it.
      needsPassword = try VaultStore.guarded {
        try writer.read { db in
          let record = try fetchProfile(db, named: profileName)
          return try fetchPasswordBox(db, accountID: record.accountID) == nil
        }
      }
    }
    return RDPImport(entry: entry, warnings: parsed.warnings, needsPassword: needsPassword)
  }

  static func profileName(fromFileName fileName: String) -> String {
    var base = String(fileName.split(separator: "/").last ?? Substring(fileName))
    if base.lowercased().hasSuffix(".rdp") { base.removeLast(4) }
    return base
  }
}
