import Foundation
import GRDB
import VaultCrypto

/// A VM's RDP settings and connect options (`set`, `unset`, `hook approve`), on one VM or many
/// in one transaction.
extension Vault {
  // MARK: Settings

  /// Sets a modelled .rdp property on profiles, after checking its documented range.
  public func setSetting(profiles names: [String], key: String, value: String) throws {
    try editProfiles(
      named: names, change: { try $0.settings.set(key, value) }, account: nil, admin: nil,
      password: nil)
  }

  /// Adds (or replaces) a verbatim `name:type:value` line.
  public func addExtraLine(profiles names: [String], line: String) throws {
    try editProfiles(
      named: names, change: { try $0.settings.addExtraLine(line) }, account: nil, admin: nil,
      password: nil)
  }

  /// Clears a property or an extra line.
  public func unsetSetting(profiles names: [String], key: String) throws {
    try editProfiles(
      named: names,
      change: { profile in
        guard profile.settings.unset(key) else {
          throw VaultError.invalidField(
            field: "setting", value: key, rule: "it is not set on \(profile.name)")
        }
      }, account: nil, admin: nil, password: nil)
  }

  /// Records approval of a VM's pre-connect command, exactly the text the user was shown;
  /// a command changed since then is not approved.
  public func approvePreConnect(profile name: String, command: String) throws {
    try editProfiles(
      named: [name],
      change: { profile in
        guard let current = profile.settings.options[ConnectOption.preConnect] else {
          throw VaultError.noPreConnect(profile: profile.name)
        }
        guard current == command else {
          throw VaultError.invalidField(
            field: ConnectOption.preConnect, value: command,
            rule: "it changed meanwhile; look again")
        }
        profile.settings.approvePreConnect()
      }, account: nil, admin: nil, password: nil)
  }
}
