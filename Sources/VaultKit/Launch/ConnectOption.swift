/// Per-profile options of `connect` that are not .rdp properties: the certificate pin, the
/// pre-connect command, and the tunnel (a command, or an SSH jump host). Set with
/// `rdpvault set NAME KEY VALUE` like the settings.
public enum ConnectOption {
  public static let certSHA256 = "cert-sha256"
  public static let preConnect = "pre-connect"
  /// A command that stays up while the client runs and forwards `LOCAL_PORT` to the VM.
  public static let tunnel = "tunnel"
  /// `user@host[:port]`: a tunnel through OpenSSH (`ssh -N -L`).
  public static let jump = "jump"
  /// `RG/NAME`: a tunnel through Azure Bastion (`az network bastion tunnel`).
  public static let bastion = "bastion"
  /// `on`: `az vm start` before connecting when the VM is not running.
  public static let azureStart = "azure-start"
  /// `on` (or a public IPv4 address): request just-in-time access before connecting.
  public static let azureJIT = "azure-jit"
  /// The VM's name in Azure, when it is not the profile's (kept by `rename`, and by an
  /// import that renames on a conflict).
  public static let azureVM = "azure-vm"
  public static let all = [
    certSHA256, preConnect, tunnel, jump, bastion, azureStart, azureJIT, azureVM,
  ]
  /// The options that decide what runs on this machine or where the connection goes: one
  /// that came from outside (a bundle) is stored unapproved, and connect will not use it
  /// until the user approves its exact value (`hook approve`).
  public static let needingApproval = [
    preConnect, tunnel, jump, bastion, azureStart, azureJIT, azureVM,
  ]
  /// The exact pre-connect text the user approved. Never set with `set`, never exported,
  /// never accepted from a bundle: approval belongs to this vault's user.
  public static let preConnectApproved = approval(of: preConnect)

  /// Where the approved value of `key` is kept (`pre-connect-approved`, `tunnel-approved`).
  public static func approval(of key: String) -> String { key + "-approved" }
  /// The ways to the VM a tunnel takes: a profile has at most one (setting one removes the
  /// others).
  public static let routes = [tunnel, jump, bastion]
  /// The RD Gateway (`gatewayhostname`, an .rdp setting): FreeRDP offers it the VM's
  /// sign-in name and password, so one from outside (an imported file, a bundle) is used
  /// only once the user approves it, like the options above.
  public static let gateway = "gatewayhostname"
  /// Everything approval covers: the options above and the gateway.
  public static let approvable = needingApproval + [gateway]
  public static let approvals = approvable.map(approval(of:))

  /// Checks and normalises a value: a SHA-256 fingerprint is 64 hex digits, with or without
  /// colons, kept lower-case without them.
  static func validate(_ key: String, _ value: String) throws -> String {
    switch key {
    case certSHA256:
      let hex = value.replacingOccurrences(of: ":", with: "").lowercased()
      guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else {
        throw VaultError.invalidField(
          field: certSHA256, value: value,
          rule: "a SHA-256 fingerprint is 64 hex digits (colons allowed)")
      }
      return hex
    case jump:
      return try JumpHost.parse(value).text
    case bastion:
      return try BastionHost.parse(value).text
    case azureStart:
      guard value == "on" || value == "off" else {
        throw VaultError.invalidField(field: key, value: value, rule: "on or off")
      }
      return value
    case azureVM:
      try AzureName.check(value, field: key)
      return value
    case azureJIT:
      guard value == "on" || value == "off" || PublicAddress.parse(value) != nil else {
        throw VaultError.invalidField(
          field: key, value: value, rule: "on, off, or the public IPv4 address to open the port to")
      }
      return value
    default:
      if value.trimmingCharacters(in: .whitespaces).isEmpty {
        throw VaultError.invalidField(field: key, value: value, rule: "the command is empty")
      }
      try Validation.freeText(value, field: key, maxLength: 4096)
      return value
    }
  }

  /// `aa:bb:…`, the form FreeRDP compares fingerprints in.
  static func colonHex(_ hex: String) -> String {
    var pairs: [String] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) ?? hex.endIndex
      pairs.append(String(hex[index..<next]))
      index = next
    }
    return pairs.joined(separator: ":")
  }
}
