import VaultKit

/// The second line of an error, `rdpvault: hint: …`: what to run or pass next. It names
/// commands and flags, so it lives with them; VaultKit's errors carry only the facts.
extension VaultError {
  /// An optional second line, for `rdpvault: hint: …`.
  var hint: String? {
    switch self {
    case .noVault: "create one with: rdpvault init"
    case .vaultExists: "use another --vault path, or remove the existing file yourself"
    case .insecurePermissions(let path, _): "run: chmod 600 \(path)"
    case .insecureDirectory: "keep the vault in a directory only you can write to (mode 0700)"
    case .notAVault: "check the --vault path (or RDPVAULT_PATH)"
    case .emptyVaultFile:
      "check the --vault path (or RDPVAULT_PATH); a vault cut to nothing comes back only from a backup"
    case .unsupportedFormat, .newerSchema: "upgrade rdpvault to open this vault"
    case .corrupt, .tampered, .lookupMismatch, .rowSetMismatch, .replayStateTampered:
      "restore the vault from a backup (rdpvault verify checks a vault)"
    case .kdfOutOfRange:
      "the header was altered or written by an incompatible tool; restore the vault from a backup"
    case .wrongPassphrase:
      "check --passphrase-file (or RDPVAULT_PASSPHRASE_FILE); a damaged key header also fails this way"
    case .profileNotFound(_, let suggestions):
      suggestions.isEmpty
        ? "rdpvault list shows all VMs"
        : "did you mean \(suggestions.map(quoted).joined(separator: " or "))? (rdpvault list shows all)"
    case .inventoryVMNamesNoUser: "give --user to import the file's VMs with that user"
    case .profileExists: "pick another name, or change the VM with: rdpvault edit"
    case .inventoryHasPasswords:
      "remove the column, import, then set each account's password: rdpvault account passwd ACCOUNT"
    case .templateNeedsLocal: "give the VM --kind local, or leave out --shared-credential"
    case .templateUserMismatch(let template, _, _):
      "every VM of a shared credential signs in as its user (rdpvault account list shows template:\(template)); use another credential name"
    case .portNeverOpened:
      "is the VM running and the port open to you? rdpvault check NAME; or wait longer with --wait 10m"
    case .templateNeedsConsent:
      "check the file's hosts, then import again with --link-existing, or choose another name"
    case .templatePasswordDiffers:
      "these VMs do not share one password: import them without --shared-credential"
    case .sourcePasswordNeeded:
      "type it on a terminal, or give a file holding it with --source-password-file FILE"
    case .sourcePasswordWrong: "it is the password set in the tool's own security options"
    case .nothingSelected: "see what a filter matches with: rdpvault list (same names and filters)"
    case .accountNotFound: "rdpvault account list shows all accounts"
    case .accountAmbiguous:
      "change the password through the VM: rdpvault edit NAME --password-stdin"
    case .accountInUse: "remove or re-point those VMs first (rdpvault rm / rdpvault edit)"
    case .adminNeeded:
      "point them at another admin first: rdpvault edit NAME --user 'DOMAIN\\admin' --admin"
    case .noPassword(_, let profile): "set one with: \(PasswordHint.command(profile: profile))"
    case .clientNotFound(let program, _) where program == "az":
      "install the Azure CLI (Debian: apt install azure-cli), then az login"
    case .clientNotFound(let program, _) where program == "ssh":
      "install OpenSSH's client: apt install openssh-client"
    case .clientNotFound: "install the client, or give its path with --client-path"
    case .noClipboard(.noDisplay): "pipe it instead: rdpvault password NAME | …"
    case .noClipboard(.noTool):
      "install one: apt install wl-clipboard (Wayland) or xclip (X11); or pipe: rdpvault password NAME"
    case .noClientInstalled:
      "install FreeRDP (apt install freerdp2-x11) or Remmina, or give --client and --client-path"
    case .hookNotApproved(let profile, _):
      "read it, then approve it with: rdpvault hook approve \(profile) (or remove it: rdpvault unset \(profile) pre-connect)"
    case .optionNotApproved(let profile, let key, _):
      "read it, then approve it with: rdpvault hook approve \(profile) (or remove it: rdpvault unset \(profile) \(key))"
    case .tunnelEnded, .tunnelNeverOpened:
      "run the command by hand (connect --dry-run prints it, with its port) to see why"
    case .tunnelNoPort, .interrupted: nil
    case .azureContextMissing(let profile):
      "rdpvault edit \(profile) --resource-group RG --subscription SUB (an Azure import stores both)"
    case .azureFailed:
      "check az login and the subscription; az's own message, if it wrote one, is above"
    case .azureAddressChanged(let profile, _, let current):
      "rdpvault edit \(profile) --host \(current.first ?? "IP") (or give the VM a static public IP, or a DNS name)"
    case .jitNoPolicy:
      "enable just-in-time access for the VM in Microsoft Defender for Cloud, or ask who runs the subscription"
    case .publicAddressUnknown:
      "give the address yourself: rdpvault set NAME azure-jit ADDRESS"
    case .tunnelPortTaken: "try again (another port is chosen each time), and find out who took it"
    case .hookFailed:
      "run the command by hand (rdpvault show NAME lists it) and fix it; connect starts no client after a failed pre-connect command"
    case .unresolvable:
      "the name does not resolve: check the host (rdpvault show NAME), your DNS, or your VPN"
    case .refused:
      "the VM is stopped, its Remote Desktop service is off, or the port is wrong (rdpvault show NAME)"
    case .timedOut:
      "check that the VM's network security group has an inbound rule allowing TCP 3389 from your IP, "
        + "and that the VM has a public IP address or you are on its VPN"
    case .unreachable: "check your network route to the VM (VPN, gateway)"
    case .invalidIdentity: "ask the teammate to run rdpvault identity and paste its output whole"
    case .teammateExists: "pick another name, or remove it first: rdpvault teammate rm NAME"
    case .teammateNotFound:
      "rdpvault teammate list shows them; add one with: rdpvault teammate add NAME IDENTITY"
    case .bundleUnknownSender:
      "check the fingerprint with the sender, then pin them (rdpvault teammate add) or pass --trust"
    case .bundleFromThisVault: "import it in the vault of a teammate it was exported --to"
    case .bundleNotForUs:
      "ask the sender to export again with --to your name (rdpvault identity shows yours)"
    case .bundleReplayed, .bundleRolledBack: "ask the sender for a fresh export"
    case .bundleInvalidValue:
      "nothing was imported; the same rules apply to a bundle as to rdpvault add and set"
    case .bundleBadSignature, .bundleTampered, .bundleTruncated, .bundleTrailingData,
      .bundleMalformed:
      "do not use this file; ask the sender for a fresh export"
    case .bundleUnsupportedVersion:
      "a newer rdpvault made it: upgrade this one (rdpvault --version shows which it is)"
    case .nothingToExport: "name VMs, or use --all or --tag (rdpvault list shows them)"
    case .computerNameNeeded:
      "for an Azure VM: az vm show -g RG -n VM --query osProfile.computerName"
    default: nil
    }
  }
}
