import Foundation

/// Everything that can go wrong in the vault library. Each case carries what the user needs
/// to act on it, and never a secret.
public enum VaultError: Error, Equatable, Sendable, Codable {
  // Files and format
  case noVault(path: String)
  case vaultExists(path: String)
  case insecurePermissions(path: String, mode: UInt32)
  case insecureDirectory(path: String)
  case fileSystem(path: String, reason: String)
  case notAVault(path: String)
  case emptyVaultFile(path: String)
  case unsupportedFormat(version: Int)
  case newerSchema(unknownMigrations: [String])
  case corrupt(detail: String)
  case tampered(table: String, column: String)
  case lookupMismatch(table: String)
  case rowSetMismatch(table: String)
  case replayStateTampered
  case kdfOutOfRange(opsLimit: UInt64, memLimit: UInt64)
  case wrongPassphrase
  case emptyPassphrase
  case database(detail: String)
  // Model
  case invalidField(field: String, value: String, rule: String)
  case missingField(field: String, rule: String)
  case profileNotFound(name: String, suggestions: [String])
  case profileExists(name: String)
  /// The names, globs and filters of a many-VM command match no VM.
  case nothingSelected
  case accountNotFound(name: String)
  case accountAmbiguous(name: String, profiles: [String])
  case accountInUse(name: String, profiles: [String])
  /// `account edit --no-admin` of the account these domain controllers sign in with.
  case adminNeeded(name: String, controllers: [String])
  case accountExists(name: String)
  case kindMismatch(detail: String)
  /// `profile`: the VM asked for, the one sure way to its account (`account passwd` of the
  /// sign-in name finds the user's own account first when one is kept apart).
  case noPassword(account: String, profile: String)
  /// A value every VM needs was not given.
  case inputRequired(ProfileInput)
  /// A host written with a port or in brackets (`host:3389`, `[::1]`).
  case hostWithPort(host: String)
  /// The domain given conflicts with the one written in the user (`CONTOSO\x` or `x@suffix`).
  case domainConflict(given: String, written: String, form: Account.SignInForm)
  /// A domain or dc account was given as a bare user with no domain.
  case domainNeeded(kind: AccountKind)
  /// Only domain accounts can be domain administrators.
  case adminOnLocalAccount
  /// A VM moving between a local and a domain account needs the new account named.
  case kindChangeNeedsUser(from: AccountKind, to: AccountKind)
  /// A property that decides where or as whom the client connects, given as a setting.
  case settingIsConnectionProperty(key: String)
  /// A property rdpvault does not model, given as a setting.
  case unknownSetting(key: String)
  /// A modelled property, given as an extra line.
  case extraLineIsModelled(line: String, property: String)
  /// A client that cannot enforce the VM's certificate pin.
  case pinNotEnforceable(profile: String, pin: String, client: ClientKind)
  // .rdp files
  case rdpFile(file: String, line: Int, reason: String)
  /// The file names a local user but not the computer it is local to.
  case computerNameNeeded(file: String, user: String)
  /// The file's own name cannot be a VM name.
  case fileNameNotAVMName(file: String, name: String)
  /// The file names no user (Azure's downloads have none).
  case fileNamesNoUser(file: String)
  /// An inventory file (Azure's VM JSON) that cannot be read, or one VM of it.
  case inventory(reason: String)
  /// One VM of an inventory or another tool's file has no user.
  case inventoryVMNamesNoUser
  /// A CSV inventory with a password column: passwords are not taken from a spreadsheet.
  case inventoryHasPasswords
  /// A template credential is a local user; a domain VM cannot use one.
  case templateNeedsLocal(template: String, kind: AccountKind)
  /// A template credential has one user; this VM names another.
  case templateUserMismatch(template: String, has: String, given: String)
  /// `connect` waited for the port as long as it was told to.
  case portNeverOpened(host: String, port: Int, seconds: Int, last: String)
  /// An import would hand a stored template credential's password to new VMs.
  case templateNeedsConsent(template: String)
  /// One file gives the VMs of one template credential different passwords.
  case templatePasswordDiffers(template: String)
  /// Another tool's file is protected by a password of the user's own, and none was given.
  case sourcePasswordNeeded(tool: String)
  /// The password given does not open another tool's file.
  case sourcePasswordWrong(tool: String)
  // connect
  case clientNotFound(program: String, reason: String)
  case noClientInstalled(tried: [String])
  case launchFailed(program: String, status: Int32)
  /// `password --clip` found no clipboard to use.
  case noClipboard(reason: ClipboardProblem)
  case hookFailed(status: Int32)
  case hookNotApproved(profile: String, command: String)
  case noPreConnect(profile: String)
  /// A tunnel or jump host that came from outside, not approved by the user.
  case optionNotApproved(profile: String, key: String, value: String)
  /// The tunnel command ended before its port opened.
  case tunnelEnded(status: Int32, port: Int)
  /// The tunnel's port did not open in time.
  case tunnelNeverOpened(port: Int, seconds: Int)
  /// A signal stopped `connect` before the client started (what it started was stopped).
  case interrupted(signal: Int32)
  /// Someone else listens on the tunnel's local port.
  case tunnelPortTaken(port: Int, uid: UInt32)
  /// An Azure provider needs the VM's resource group and subscription.
  case azureContextMissing(profile: String)
  /// `az` failed, or said something this tool cannot read.
  case azureFailed(step: String, reason: String)
  /// The VM's public IP is no longer the stored host (a dynamic IP after a start).
  case azureAddressChanged(profile: String, stored: String, current: [String])
  /// No JIT policy of the VM's resource group covers its port.
  case jitNoPolicy(vm: String, port: Int)
  /// This machine's public address could not be learnt.
  case publicAddressUnknown(reason: String)
  /// No local port could be had for a tunnel.
  case tunnelNoPort(reason: String)
  case unresolvable(host: String, reason: String)
  case refused(host: String, port: Int)
  case timedOut(host: String, port: Int)
  case unreachable(host: String, port: Int, reason: String)
  // sharing
  case invalidIdentity(reason: String)
  case teammateExists(name: String)
  case identityAlreadyPinned(name: String)
  case teammateNotFound(name: String)
  case bundleUnsupportedVersion(Int)
  case bundleMalformed(reason: String)
  case bundleInvalidValue(vm: String, detail: String)
  case bundleTruncated
  case bundleTrailingData(bytes: Int)
  case bundleBadSignature
  case bundleUnknownSender(fingerprint: String)
  case bundleFromThisVault
  case bundleNotForUs
  case bundleTampered
  case bundleReplayed
  case bundleRolledBack(sequence: UInt64, last: UInt64)
  case nothingToExport
  // the agent
  /// The agent went away or answered nonsense in the middle of a command.
  case agentFailed(reason: String)
  /// The agent locked the vault between two requests of one command (its idle time ran out,
  /// `lock`, or the file changed under it).
  case agentLockedMeanwhile
}

/// A value a VM profile is made from, as an error names it. The command line names each as
/// the option that gives it.
public enum ProfileInput: String, Sendable, Codable {
  case name, host, port, user, domain
  case computerName = "computer name"
}

extension VaultError {
  /// The facts in one line, naming no option or command: the command line says how to give
  /// what is missing (RDPVaultCLI's `VaultError.cliMessage`), and an error inside a bundle or
  /// an .rdp file is reported with this text alone.
  public var message: String {
    switch self {
    case .noVault(let path): "no vault at \(path)"
    case .vaultExists(let path): "a vault already exists at \(path)"
    case .insecurePermissions(let path, let mode):
      "\(path) is readable or writable by other users (mode \(String(mode, radix: 8)))"
    case .insecureDirectory(let path):
      "the directory \(path) is writable by other users, so the vault cannot be kept safe there"
    case .fileSystem(let path, let reason): "\(path): \(reason)"
    case .notAVault(let path): "\(path) is not an rdpvault vault"
    case .emptyVaultFile(let path): "\(path) is an empty file (0 bytes), not a vault"
    case .unsupportedFormat(let version): "unsupported vault format version \(version)"
    case .newerSchema(let unknown):
      "the vault was written by a newer rdpvault (unknown schema migrations: \(unknown.joined(separator: ", ")))"
    case .corrupt(let detail): "the vault is damaged: \(detail)"
    case .tampered(let table, let column):
      "the vault is damaged or was tampered with: \(table).\(column) failed authentication"
    case .lookupMismatch(let table):
      "the vault is damaged or was tampered with: a row of \(table) is filed under another name's index"
    case .rowSetMismatch(let table):
      "the vault is damaged or was tampered with: rows of \(table) were deleted, added or rolled back"
    case .replayStateTampered:
      "the vault's replay record was tampered with (rows of seen_bundles or sender_sequences were deleted or rolled back), so a replayed or older bundle could not be told apart; nothing was imported"
    case .kdfOutOfRange(let ops, let mem):
      "the vault's key-derivation parameters are out of range (opslimit \(ops), memlimit \(mem) bytes)"
    case .wrongPassphrase: "wrong passphrase"
    case .emptyPassphrase: "the passphrase is empty"
    case .database(let detail): "vault database error: \(detail)"
    case .invalidField(let field, let value, let rule): "invalid \(field) \(quoted(value)): \(rule)"
    case .missingField(let field, let rule): "missing \(field): \(rule)"
    case .profileNotFound(let name, _): "no VM named \(quoted(name))"
    case .profileExists(let name): "a VM named \(quoted(name)) already exists"
    case .inventory(let reason): reason
    case .inventoryVMNamesNoUser: "the file names no user for it"
    case .inventoryHasPasswords:
      "it has a password column: rdpvault does not read passwords from a spreadsheet"
    case .templateNeedsLocal(let template, let kind):
      "the shared credential \(quoted(template)) is a local user of each VM; a \(kind.rawValue) VM signs in with a domain account"
    case .templateUserMismatch(let template, let has, let given):
      "the shared credential \(quoted(template)) is the user \(quoted(has)), not \(quoted(given))"
    case .portNeverOpened(let host, let port, let seconds, let last):
      "\(host):\(port) did not accept a connection within \(seconds) s (last try: \(last))"
    case .templateNeedsConsent(let template):
      "the shared credential template:\(template) holds a password; the import would hand it to these VMs"
    case .templatePasswordDiffers(let template):
      "the file gives the VMs of template:\(template) another password than the first one's"
    case .sourcePasswordNeeded(let tool):
      "the \(tool) file is protected by a password of its own, and none was given"
    case .sourcePasswordWrong(let tool): "this password does not open the \(tool) file"
    case .nothingSelected: "no VM matches"
    case .accountNotFound(let name): "no account \(quoted(name))"
    case .accountAmbiguous(let name, let profiles):
      "\(quoted(name)) names several accounts, of the VMs \(profiles.joined(separator: ", "))"
    case .accountInUse(let name, let profiles):
      "account \(quoted(name)) is used by \(profiles.joined(separator: ", "))"
    case .adminNeeded(let name, let controllers):
      "\(quoted(name)) stays a domain admin: the domain controller\(controllers.count == 1 ? "" : "s") \(controllers.joined(separator: ", ")) sign\(controllers.count == 1 ? "s" : "") in with it, and a dc VM needs one"
    case .accountExists(let name): "an account \(quoted(name)) already exists"
    case .kindMismatch(let detail): detail
    case .noPassword(let account, _): "no password is stored for \(account)"
    case .clientNotFound(let program, let reason): "cannot run \(program): \(reason)"
    case .noClientInstalled(let tried):
      "no RDP client found (tried \(tried.joined(separator: ", ")))"
    case .launchFailed(let program, let status): "\(program) failed (exit status \(status))"
    case .noClipboard(.noDisplay):
      "no clipboard: neither WAYLAND_DISPLAY nor DISPLAY is set (no desktop session)"
    case .noClipboard(.noTool(let tools)):
      "no clipboard tool: none of \(tools.joined(separator: ", ")) is installed"
    case .hookFailed(let status):
      "the pre-connect command failed (exit status \(status)); not connecting"
    case .hookNotApproved(let profile, let command):
      "\(profile)'s pre-connect command came from outside this vault and is not approved, so it was not run: \(command)"
    case .noPreConnect(let profile):
      "\(profile) has nothing to approve (no pre-connect command, tunnel, jump host, Bastion, Azure step or gateway)"
    case .optionNotApproved(let profile, let key, let value):
      "\(profile)'s \(key) came from outside this vault and is not approved, so it was not used: \(value)"
    case .tunnelEnded(let status, let port):
      "the tunnel ended (exit status \(status)) before 127.0.0.1:\(port) opened; not connecting"
    case .tunnelNeverOpened(let port, let seconds):
      "the tunnel did not open 127.0.0.1:\(port) within \(seconds) s; it was stopped"
    case .tunnelNoPort(let reason): "no free local port for the tunnel: \(reason)"
    case .azureContextMissing(let profile):
      "\(profile) has no resource group or subscription, which Azure Bastion and azure-start need"
    case .azureFailed(let step, let reason): "\(step) failed: \(reason)"
    case .azureAddressChanged(let profile, let stored, let current):
      "\(profile)'s public IP is now \(current.joined(separator: ", ")), not the stored \(stored) (a dynamic IP changes when the VM starts); not connecting to the old one"
    case .jitNoPolicy(let vm, let port):
      "no just-in-time policy in \(vm)'s resource group covers port \(port)"
    case .publicAddressUnknown(let reason): "this machine's public address is unknown: \(reason)"
    case .interrupted(let signal):
      "stopped by signal \(signal) before the client started; the tunnel was stopped"
    case .tunnelPortTaken(let port, let uid):
      "127.0.0.1:\(port) is held by another user (uid \(uid)), not by the tunnel: not connecting, since the client would hand that user the connection"
    case .unresolvable(let host, let reason): "cannot resolve \(host): \(reason)"
    case .refused(let host, let port):
      "\(host) port \(port) refused the connection: nothing is listening"
    case .timedOut(let host, let port):
      "\(host) port \(port) did not answer: something is filtering it"
    case .unreachable(let host, let port, let reason):
      "cannot reach \(host) port \(port): \(reason)"
    case .invalidIdentity(let reason): "not a valid rdpvault identity: \(reason)"
    case .teammateExists(let name): "a teammate named \(quoted(name)) already exists"
    case .identityAlreadyPinned(let name): "this identity is already pinned as \(quoted(name))"
    case .teammateNotFound(let name): "no teammate named \(quoted(name))"
    case .bundleUnsupportedVersion(let version): "unsupported bundle version \(version)"
    case .bundleMalformed(let reason): "not a valid bundle: \(reason)"
    case .bundleInvalidValue(let vm, let detail):
      "the bundle was refused: VM \(quoted(vm)): \(detail)"
    case .bundleTruncated: "the bundle is truncated"
    case .bundleTrailingData(let count):
      "the bundle has \(count) unexpected byte\(count == 1 ? "" : "s") after its signature"
    case .bundleBadSignature:
      "the bundle's signature does not verify: it was altered after it was signed"
    case .bundleUnknownSender(let fingerprint):
      "the bundle's sender (\(fingerprint)) is not a pinned teammate"
    case .bundleFromThisVault: "this bundle was exported by this vault"
    case .bundleNotForUs: "this vault is not one of the bundle's recipients"
    case .bundleTampered: "the bundle's contents fail authentication"
    case .bundleReplayed: "this bundle was already imported"
    case .bundleRolledBack(let sequence, let last):
      "the bundle is older (sequence \(sequence)) than one already imported from its sender (sequence \(last))"
    case .nothingToExport: "no VM matches"
    case .agentFailed(let reason): "the agent failed: \(reason)"
    case .agentLockedMeanwhile: "the agent locked the vault while this command was using it"
    case .computerNameNeeded(let file, let user):
      "\(file): the file does not say the Windows computer name that \(user) is local to"
    case .fileNameNotAVMName(let file, let name):
      "\(file): \(quoted(name)) cannot be a VM name (1-64 letters, digits, '-', '_' or '.')"
    case .fileNamesNoUser(let file): "\(file): the file has no username:s: line"
    case .inputRequired(let input): "missing \(input.rawValue)"
    case .hostWithPort(let host):
      "invalid host \(quoted(host)): not an IP address or DNS name (a port or brackets are not part of a host)"
    case .domainConflict(let given, let written, let form):
      "invalid domain \(quoted(given)): it conflicts with the \(form == .upn ? "UPN suffix" : "domain") \(quoted(written)) in the user"
    case .domainNeeded(let kind):
      "missing domain: a \(kind.rawValue) account needs a domain, as DOMAIN\\user or user@domain"
    case .adminOnLocalAccount:
      "only a domain account can be a domain administrator; this one is local"
    case .kindChangeNeedsUser(let from, let to):
      "missing user: changing the kind from \(from.rawValue) to \(to.rawValue) needs the new account's user"
    case .settingIsConnectionProperty(let key):
      "invalid setting \(quoted(key)): it comes from the profile (host, port, user), not from a setting"
    case .unknownSetting(let key):
      "invalid setting \(quoted(key)): not a property rdpvault models"
    case .extraLineIsModelled(let line, let property):
      "invalid extra line \(quoted(line)): \(property) is modelled, as a setting"
    case .pinNotEnforceable(_, let pin, let client):
      "invalid \(ConnectOption.certSHA256) \(quoted(pin)): \(client.displayName) cannot be given a pinned certificate (it asks about each certificate itself)"
    case .rdpFile(let file, let line, let reason):
      (file.isEmpty ? "" : file + ":") + (line > 0 ? "\(line): " : (file.isEmpty ? "" : " "))
        + reason
    }
  }
}

/// A value in double quotes for a message, with every character that could act on a
/// terminal (controls, escapes, line breaks, bidirectional overrides) written as `\u{…}`:
/// an error about hostile input must not carry it to the screen.
public func quoted(_ text: String) -> String {
  let shown = String(String.UnicodeScalarView(text.unicodeScalars.prefix(200)))
  let escaped = Validation.escapedForDisplay(shown).replacingOccurrences(of: "\"", with: "\\\"")
  return "\"" + escaped + (text.unicodeScalars.count > 200 ? "…\"" : "\"")
}

/// Why there is no clipboard to copy to.
public enum ClipboardProblem: Equatable, Sendable, Codable {
  case noDisplay
  /// None of these tools is on `PATH`.
  case noTool([String])
}
