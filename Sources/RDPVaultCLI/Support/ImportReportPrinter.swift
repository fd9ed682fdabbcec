import VaultKit

/// Prints what an import did, or would do, the same way for bundles and .rdp files: each
/// VM's name, address, sign-in name, its account link, and everything from outside that
/// can change what connect does (pre-connect, gateway, extra lines, replaced values).
enum ImportReportPrinter {
  /// More VMs than this are summarised by counts; links and hooks are always listed.
  static let detailLimit = 20

  /// Why a `PREFIX\\user` prefix was taken as a domain (`RDPImport.guessedDomain`).
  static let guessedDomainReason = "since it is neither the VM's name nor its host's"

  static func rdp(_ result: RDPImport, file: String, dryRun: Bool) {
    for warning in result.warnings { Diagnostics.warning("\(file): \(warning)") }
    item(result.item, dryRun: dryRun, from: file)
    if let domain = result.guessedDomain, result.item.action == .add {
      let user = String(result.item.signInName.split(separator: "\\", maxSplits: 1).last ?? "")
      let command = [
        "rdpvault", "edit", result.item.name, "--kind", "local", "--user", user,
        "--computer-name", domain,
      ]
      let fix =
        dryRun
        ? "import it with --kind local"
        : "make it local with: \(ShellWords.join(command))"
      Diagnostics.note(
        "  \(domain) was taken as a domain, \(guessedDomainReason); if it is the VM's own computer name, \(fix)"
      )
    }
    if result.hadClearTextPassword && !result.item.storedPassword {
      Diagnostics.note(
        "  the password found in the clear was dropped (--store-clear-password keeps it)")
    }
    if result.item.storedPassword && !result.hadClearTextPassword {
      Diagnostics.note("  password: \(dryRun ? "would be " : "")stored from the file")
    }
    if result.needsPassword && !dryRun {
      Diagnostics.note(
        "hint: set its password with: \(PasswordHint.command(for: result.item))"
      )
    }
  }

  /// What a file's protection really was, and the accounts whose passwords to change.
  static func audit(_ audit: ImportAudit, file: String) {
    switch audit.protection {
    case .mRemoteNGDefaultKey:
      Diagnostics.warning(
        "\(file) was protected only by mRemoteNG's built-in key (mR3m), which anyone can apply: every password in it was in effect stored in the clear"
      )
    case .clearText(let tool):
      Diagnostics.warning("\(file) held \(tool) passwords in the clear")
    case .remminaKeyBesideData:
      Diagnostics.warning(
        "\(file)'s passwords were encrypted with the secret in remmina.pref, a key stored beside them: anyone who could read both could read the passwords"
      )
    }
    Diagnostics.warning(
      "change the password\(audit.credentials.count == 1 ? "" : "s") of \(audit.credentials.count == 1 ? "this account" : "these \(audit.credentials.count) accounts") wherever the file has been (backups, shares, old laptops):"
    )
    for credential in audit.credentials {
      let shown = credential.usedBy.prefix(5).map(Validation.escapedForDisplay)
      let more = credential.usedBy.count > 5 ? ", and \(credential.usedBy.count - 5) more" : ""
      Diagnostics.warning(
        "  \(Validation.escapedForDisplay(credential.signIn)) (used by \(shown.joined(separator: ", "))\(more))"
      )
    }
  }

  static func bundle(_ report: BundleImportReport, file: String) {
    if let pinned = report.pinnedAs {
      Diagnostics.note(
        "\(report.dryRun ? "would pin" : "pinned") the sender as \(pinned), fingerprint \(report.senderFingerprint): check it with them"
      )
    }
    let detailed = report.items.count <= detailLimit || report.dryRun
    for entry in report.items where detailed || entry.needsAttention {
      item(entry, dryRun: report.dryRun, from: nil)
    }
    if !detailed && !report.withoutPassword.isEmpty {
      Diagnostics.note(
        "\(report.withoutPassword.count) VMs have no password yet: set each with rdpvault edit NAME --password-stdin"
      )
    }
    let renamed = report.renamed.count
    Diagnostics.note(
      "\(report.dryRun ? "would import" : "imported") \(file): \(report.added.count) added, \(report.replaced.count) replaced, "
        + "\(renamed) renamed, \(report.skipped.count) skipped"
        + (report.dryRun ? " (dry run: nothing was written)" : ""))
  }

  static func item(_ item: ImportItem, dryRun: Bool, from file: String?) {
    let address = Output.address(host: item.host, port: item.port)
    let verb: String
    switch item.action {
    case .add: verb = dryRun ? "would add" : "added"
    case .replace: verb = dryRun ? "would replace" : "replaced"
    case .rename(let from): verb = (dryRun ? "would add \(from) as" : "added \(from) as")
    case .skip:
      Diagnostics.note(
        "skipped \(item.name): a VM with that name exists (--on-conflict replace or rename)")
      return
    case .update:
      if item.changes.isEmpty {
        Diagnostics.note("\(item.name)\(file.map { " from \($0)" } ?? "") is unchanged")
      } else {
        Diagnostics.note(
          "\(dryRun ? "would update" : "updated") \(item.name)\(file.map { " from \($0)" } ?? ""): \(address)"
        )
        for change in item.changes {
          Diagnostics.note("  \(change.field): \(change.old) → \(change.new)")
        }
      }
      return
    }
    // As add says it: the kind, then the sign-in name.
    let kind = item.kind.map { "\($0.rawValue), " } ?? ""
    Diagnostics.note(
      "\(verb) \(item.name)\(file.map { " from \($0)" } ?? ""): \(address) (\(kind)signs in as \(item.signInName))"
    )
    if let shared = item.sharedCredential {
      Diagnostics.note(
        "  account: the shared credential \(shared)\(item.link == .linked ? ", linked with its stored password" : "")"
      )
    } else {
      switch item.link {
      case .new: break
      case .linked:
        Diagnostics.note(
          "  account: linked to your stored account \(item.signInName) and its password")
      case .keptApart:
        Diagnostics.note(
          "  account: an account of its own, not linked to your stored \(item.signInName) (--link-existing links it)"
        )
      case .sharedWithoutPassword:
        Diagnostics.note(
          "  account: shares \(item.signInName), which has no password yet, with the VMs that use it"
        )
      }
    }
    if !item.hasPassword && file == nil {
      Diagnostics.note(
        "  \(item.name) has no password yet: set it with \(PasswordHint.command(for: item))")
    }
    if let command = item.preConnect {
      Diagnostics.note("  pre-connect (not approved, connect will not run it): \(command)")
      Diagnostics.note("  approve it after reading it with: rdpvault hook approve \(item.name)")
    }
    for route in item.routing {
      Diagnostics.note("  \(route) (not approved: connect will not use it)")
      Diagnostics.note("  approve it after reading it with: rdpvault hook approve \(item.name)")
    }
    if let gateway = item.gateway, !gateway.isEmpty {
      // FreeRDP offers a gateway the VM's sign-in name and password.
      Diagnostics.note("  gateway: \(gateway) (not approved: connect will not use it)")
      Diagnostics.note("  approve it after reading it with: rdpvault hook approve \(item.name)")
    }
    for line in item.extraLines { Diagnostics.note("  extra line: \(line)") }
    for change in item.changes {
      Diagnostics.note("  \(change.field): \(change.old) → \(change.new)")
    }
  }
}

/// The command that sets a VM's missing password: through the VM, the one sure way to its
/// account. `account passwd` of the sign-in name finds the user's own account first when this
/// VM's is kept apart (or shares a kept-apart one), so it would put this VM's password on
/// the user's account.
enum PasswordHint {
  static func command(profile: String) -> String {
    "rdpvault edit \(ShellWords.quote(profile)) --password-stdin"
  }

  /// A shared credential's name is its own (`template:NAME`), never another account's.
  static func command(for item: ImportItem) -> String {
    item.sharedCredential.map { "rdpvault account passwd \(ShellWords.quote($0))" }
      ?? command(profile: item.name)
  }
}
