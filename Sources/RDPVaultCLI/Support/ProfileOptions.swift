import ArgumentParser
import VaultCrypto
import VaultKit

#if canImport(Glibc)
  import Glibc
#endif

extension AccountKind: ExpressibleByArgument {}

/// The profile fields `add` requires and `edit` may change.
struct ProfileOptions: ParsableArguments {
  @Option(help: "DNS name, IPv4 or IPv6 address of the VM.")
  var host: String?

  @Option(help: "RDP port (default 3389).")
  var port: Int?

  @Option(help: "Account kind: local, domain or dc.")
  var kind: AccountKind?

  @Option(help: "User: alice, 'CONTOSO\\alice' or alice@contoso.com.")
  var user: String?

  @Option(help: "Domain of a domain or dc account (NetBIOS or DNS name).")
  var domain: String?

  @Option(help: "The VM's Windows computer name (default: the VM name, upper-cased).")
  var computerName: String?

  @Option(
    help: ArgumentHelp(
      "Share the local user's password with other VMs made from one template: one credential of this name, each VM signing in as its own COMPUTER\\user.",
      valueName: "name"))
  var sharedCredential: String?

  @Flag(help: "Mark the domain account as a domain administrator.")
  var admin = false

  @Option(name: .customLong("tag"), help: "A tag (repeatable; on edit, replaces the tags).")
  var tags: [String] = []

  @Option(help: "Azure resource group.")
  var resourceGroup: String?

  @Option(help: "Azure subscription.")
  var subscription: String?

  @Option(help: "A free-text note.")
  var note: String?

  /// The syntax of every value given, checked before the vault is opened: a mistake is a
  /// usage error (exit 64), reported before any passphrase is asked for.
  func checkSyntax() throws {
    try UsageError.check {
      if let host { try Validation.host(host) }
      if let port { try Validation.port(port) }
      if let computerName { try Validation.computerName(computerName) }
      for tag in tags { try Validation.tag(tag) }
      if let user { _ = try AccountName.parse(user: user, domain: domain) }
      if let sharedCredential { try Validation.templateName(sharedCredential) }
      // As `Profile.validate` checks them, but before any passphrase is asked for.
      if let resourceGroup {
        try Validation.freeText(resourceGroup, field: "resource group")
        if !resourceGroup.isEmpty { try AzureName.check(resourceGroup, field: "resource group") }
      }
      if let subscription { try Validation.freeText(subscription, field: "subscription") }
      if let note { try Validation.freeText(note, field: "note", maxLength: 4096) }
    }
    if sharedCredential != nil && user == nil {
      throw UsageError(
        message: "--shared-credential goes with --user", hint: "name the local user it shares")
    }
  }

  /// The fields the given options change.
  var changes: ProfileChanges {
    ProfileChanges(
      host: host, port: port, kind: kind, computerName: computerName, tags: tags,
      resourceGroup: resourceGroup, subscription: subscription, note: note)
  }

  /// An option that names or marks the VM's account (`accountName`, `--admin`).
  var touchesTheAccount: Bool { user != nil || domain != nil || sharedCredential != nil || admin }

  var accountName: AccountName? {
    get throws {
      guard let user else { return nil }
      var name = try AccountName.parse(user: user, domain: domain)
      name.template = sharedCredential
      return name
    }
  }
}

/// Where a new password comes from.
struct PasswordOptions: ParsableArguments {
  @Flag(
    help:
      "Read the password from standard input (one trailing newline is dropped); on a terminal, ask without echo."
  )
  var passwordStdin = false

  @Flag(help: "Generate a password that meets Azure's rules for Windows VMs.")
  var generatePassword = false

  @Flag(help: "With --generate-password, print the generated password to standard output.")
  var printPassword = false

  func validate() throws {
    if passwordStdin && generatePassword {
      throw ValidationError("--password-stdin and --generate-password cannot be used together")
    }
    if printPassword && !generatePassword {
      throw ValidationError("--print-password goes with --generate-password")
    }
  }

  var isGiven: Bool { passwordStdin || generatePassword }

  /// The password from stdin, the generator, or the terminal, asked twice: always when
  /// `account` names whose password it is (the prompt says so), else only for
  /// `--password-stdin` on a terminal, which asks (without echo) rather than show what is
  /// typed.
  func read(for account: String?) throws -> SecretBytes? {
    if passwordStdin && isatty(0) == 0 { return try SecretInput.readAll(fd: 0, what: "password") }
    if generatePassword {
      let password = try PasswordGenerator.generate()
      if printPassword { Output.writeSecretLine(password) }
      return password
    }
    guard account != nil || passwordStdin else { return nil }
    return try SecretInput.readFromTerminal(
      prompt: account.map { "Password for \($0): " } ?? "Password: ",
      confirmPrompt: "Repeat the password: ",
      what: "password", hint: "use --password-stdin or --generate-password")
  }
}

/// Which VMs: the filters of `list` (and, later, of the bulk commands). All given must match.
struct FilterOptions: ParsableArguments {
  @Option(
    name: .customLong("tag"),
    help: "Only VMs with this tag (repeatable: every one must match; case is ignored).")
  var tags: [String] = []

  @Option(help: "Only VMs of this kind.") var kind: AccountKind?

  @Option(help: "Only VMs in this Azure resource group (case is ignored).")
  var resourceGroup: String?

  @Option(help: "Only VMs in this Azure subscription.") var subscription: String?

  @Option(
    name: .customLong("host-match"),
    help: ArgumentHelp(
      "Only VMs whose host matches: a substring, or a glob such as '10.0.1.*'.",
      valueName: "pattern"))
  var hostPattern: String?

  func filter(name: String?) -> ProfileFilter {
    ProfileFilter(
      name: name, tags: tags, kind: kind, resourceGroup: resourceGroup,
      subscription: subscription, host: hostPattern)
  }
}

/// `edit`'s filters, as `--where FIELD=VALUE`: edit's own --tag and --kind set values.
struct WhereOptions: ParsableArguments {
  static let fields = ["tag", "kind", "resource-group", "subscription", "host"]

  @Option(
    name: .customLong("where"),
    help: ArgumentHelp(
      "Only VMs where FIELD matches VALUE, as list's filters: tag, kind, resource-group, subscription or host (repeatable: all must match).",
      valueName: "field=value"))
  var conditions: [String] = []

  func validate() throws { _ = try filter() }

  /// The conditions as a filter; an unknown field is a usage error naming the valid ones.
  func filter() throws -> ProfileFilter {
    var filter = ProfileFilter()
    for condition in conditions {
      guard let equals = condition.firstIndex(of: "=") else {
        throw ValidationError(
          "--where takes FIELD=VALUE, not \(quoted(condition)) (fields: \(Self.fields.joined(separator: ", ")))"
        )
      }
      let field = condition[..<equals].lowercased()
      let value = String(condition[condition.index(after: equals)...])
      switch field {
      case "tag": filter.tags.append(value)
      case "resource-group": filter.resourceGroup = value
      case "subscription": filter.subscription = value
      case "host": filter.host = value
      case "kind":
        guard let kind = AccountKind(rawValue: value.lowercased()) else {
          throw ValidationError(
            "--where kind=\(value): the kinds are \(AccountKind.allCases.map(\.rawValue).joined(separator: ", "))"
          )
        }
        filter.kind = kind
      default:
        let guess = closest(to: field, in: Self.fields).first.map { " (did you mean \($0)?)" } ?? ""
        throw ValidationError(
          "--where has no field \(quoted(field))\(guess); the fields are \(Self.fields.joined(separator: ", "))"
        )
      }
    }
    return filter
  }
}
