import VaultKit

extension ProfileInput {
  /// The option of `add`, `edit` and `import` that gives this value.
  var option: String {
    switch self {
    case .name: "--name"
    case .host: "--host"
    case .port: "--port"
    case .user: "--user"
    case .domain: "--domain"
    case .computerName: "--computer-name"
    }
  }
}

/// The first line of an error, `rdpvault: error: …`. VaultKit's errors carry the facts; where
/// the fix is an option or a command, this says which, and otherwise it is VaultKit's text.
extension VaultError {
  var cliMessage: String {
    switch self {
    case .inputRequired(let input): "missing \(input.rawValue): \(input.option) is required"
    case .hostWithPort(let host):
      "invalid host \(quoted(host)): not an IP address or DNS name (give the port with --port, and IPv6 without brackets)"
    case .domainConflict(let given, let written, let form):
      "invalid --domain \(quoted(given)): it conflicts with the \(form == .upn ? "UPN suffix" : "domain") \(quoted(written)) in --user"
    case .domainNeeded(let kind):
      "missing domain: a \(kind.rawValue) account needs --domain, DOMAIN\\user or user@domain"
    case .adminOnLocalAccount: "--admin marks a domain account; this one is local"
    case .kindChangeNeedsUser(let from, let to):
      "missing user: changing the kind from \(from.rawValue) to \(to.rawValue) needs --user\(to == .local ? "" : " (and --domain)")"
    case .settingIsConnectionProperty(let key):
      "invalid setting \(quoted(key)): it comes from the profile (--host, --port, --user), not from a setting"
    case .unknownSetting(let key):
      if let guess = closest(
        to: key,
        in: ConnectOption.all
          + RDPProperty.all.map { $0.name.replacingOccurrences(of: " ", with: "-") }
      ).first {
        "invalid setting \(quoted(key)): not a property rdpvault models (did you mean \(guess)?)"
      } else {
        "invalid setting \(quoted(key)): not a property rdpvault models; add it as an extra line (rdpvault set NAME --line 'name:type:value')"
      }
    case .extraLineIsModelled(let line, let property):
      "invalid extra line \(quoted(line)): \(property) is modelled; use rdpvault set NAME \"\(property)\" VALUE"
    case .pinNotEnforceable(let profile, let pin, let client):
      "invalid \(ConnectOption.certSHA256) \(quoted(pin)): \(client.displayName) cannot be given a pinned certificate "
        + "(it asks about each certificate itself); connect with --client xfreerdp3 or --client xfreerdp, which "
        + "enforce the pin, or remove it with: rdpvault unset \(profile) cert-sha256"
    case .computerNameNeeded(_, let user):
      message
        + "; give --computer-name (or --computer-name . to sign in as .\\\(user), the VM's own account)"
    case .fileNameNotAVMName: message + "; give --name"
    case .fileNamesNoUser: message + "; give --user (Azure's downloads have none)"
    default: message
    }
  }
}

extension LaunchNote {
  /// A `note:` line of `connect --dry-run`.
  var cliText: String {
    switch self {
    case .fact(let text): text
    case .certificateNotPinned(let profile):
      "certificate: not pinned; FreeRDP's own trust-on-first-use applies "
        + "(pin it with: rdpvault set \(profile) cert-sha256 HEX)"
    case .entraIDNeedsFreeRDP3:
      "enablerdsaadauth 1: FreeRDP 2 cannot sign in with Microsoft Entra ID; use FreeRDP 3 (--client xfreerdp3)"
    case .extraLinesOnlyInFiles:
      "extra .rdp lines apply to .rdp files (rdpvault rdp), not to the FreeRDP command line"
    }
  }
}
