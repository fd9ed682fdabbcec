/// A credential record. A local account belongs to one VM; a domain account is shared by
/// every VM that names it, so changing its password once changes it for all of them; a
/// template credential is a local user that VMs made from one template (an image with its
/// admin password) share: each VM signs in as its own `COMPUTER\user`, and the password is
/// stored, and changed, once.
public struct Account: Equatable, Sendable, Codable {
  public enum Scope: String, Codable, CaseIterable, Sendable {
    case local, domain
    /// A shared local credential: `domain` holds its name (`template:NAME`).
    case template
  }

  /// How the user wrote a domain account, which is how it signs in.
  public enum SignInForm: String, Codable, CaseIterable, Sendable {
    /// `DOMAIN\user` (down-level logon name).
    case downLevel = "down-level"
    /// `user@domain.example` (user principal name).
    case upn
  }

  public var scope: Scope
  public var userName: String
  /// The NetBIOS or DNS domain of a domain account; empty for a local account.
  public var domain: String
  public var form: SignInForm
  public var isDomainAdmin: Bool
  /// False for a domain account kept apart because it came from outside (a teammate's
  /// bundle, an .rdp file) and the user did not consent to linking it to the stored account
  /// of the same name: `add` never links to it, and its password reaches only its own VMs.
  public var linksByName: Bool

  public init(
    scope: Scope, userName: String, domain: String = "", form: SignInForm = .downLevel,
    isDomainAdmin: Bool = false, linksByName: Bool = true
  ) {
    self.scope = scope
    self.userName = userName
    self.domain = domain
    self.form = form
    self.isDomainAdmin = isDomainAdmin
    self.linksByName = linksByName
  }

  /// How a template credential's own name is written (`template:web-tier`).
  public static let templatePrefix = "template:"

  /// Whether several VMs share this account, and so its password.
  public var isShared: Bool { scope != .local }

  /// Whether it signs in as a user of each VM's own computer (`COMPUTER\user`).
  public var signsInOnComputer: Bool { scope != .domain }

  /// The account's own name, which `account passwd` takes and the store indexes: its
  /// sign-in name, or `template:NAME` for a template credential (whose sign-in name differs
  /// from VM to VM).
  public func accountName(computerName: String) -> String {
    scope == .template ? Self.templatePrefix + domain : signInName(computerName: computerName)
  }

  /// The name Windows expects. For a local account the domain is the machine's own name.
  public func signInName(computerName: String) -> String {
    let (first, separator, second) = signInLayout
    func text(_ part: SignInPart) -> String {
      switch part {
      case .computerName: computerName
      case .user: userName
      case .domain: domain
      }
    }
    return text(first) + separator + text(second)
  }

  /// A part of a sign-in name.
  enum SignInPart { case computerName, user, domain }

  /// How the sign-in name is made: `COMPUTER\user`, `DOMAIN\user` or `user@domain` (the one
  /// rule, which `list --json` also writes from a record's bytes).
  var signInLayout: (SignInPart, String, SignInPart) {
    switch (scope, form) {
    case (.local, _), (.template, _): (.computerName, "\\", .user)
    case (.domain, .downLevel): (.domain, "\\", .user)
    case (.domain, .upn): (.user, "@", .domain)
    }
  }

  /// The domain part as RDP clients take it apart from the user (`/d:`), and the user part.
  public func clientCredentials(computerName: String) -> (user: String, domain: String) {
    switch (scope, form) {
    case (.local, _), (.template, _): (userName, computerName)
    case (.domain, .downLevel): (userName, domain)
    case (.domain, .upn): ("\(userName)@\(domain)", "")
    }
  }

  /// Case-insensitive identity of the account, as Windows compares names.
  static func lookupKey(signInName: String) -> String { signInName.lowercased() }
}

/// A parsed `--user`/`--domain` pair, before it is matched to a stored account.
public struct AccountName: Equatable, Sendable, Codable {
  public var userName: String
  public var domain: String?
  public var form: Account.SignInForm
  /// The template credential a local user shares with other VMs (`--shared-credential`).
  public var template: String?

  public init(
    userName: String, domain: String?, form: Account.SignInForm, template: String? = nil
  ) {
    self.userName = userName
    self.domain = domain
    self.form = form
    self.template = template
  }

  /// Accepts `alice` (with `domain` given apart), `CONTOSO\alice` and `alice@contoso.com`.
  public static func parse(user: String, domain: String?) throws -> AccountName {
    let explicitDomain = domain.flatMap { $0.isEmpty ? nil : $0 }
    if let slash = user.firstIndex(of: "\\") {
      let prefix = String(user[..<slash])
      let name = String(user[user.index(after: slash)...])
      // `.\user`: a local account of the VM itself.
      if prefix != Profile.thisComputer { try Validation.domain(prefix) }
      try Validation.samAccountName(name)
      if let explicitDomain, explicitDomain.lowercased() != prefix.lowercased() {
        throw VaultError.domainConflict(given: explicitDomain, written: prefix, form: .downLevel)
      }
      return AccountName(userName: name, domain: prefix, form: .downLevel)
    }
    if let at = user.lastIndex(of: "@") {
      let name = String(user[..<at])
      let suffix = String(user[user.index(after: at)...])
      try Validation.userPrincipalName(name: name, suffix: suffix, whole: user)
      if let explicitDomain, explicitDomain.lowercased() != suffix.lowercased() {
        throw VaultError.domainConflict(given: explicitDomain, written: suffix, form: .upn)
      }
      return AccountName(userName: name, domain: suffix, form: .upn)
    }
    try Validation.samAccountName(user)
    if let explicitDomain { try Validation.domain(explicitDomain) }
    return AccountName(userName: user, domain: explicitDomain, form: .downLevel)
  }

  /// The account a profile of `kind` on `computerName` signs in with.
  public func account(kind: AccountKind, computerName: String, admin: Bool) throws -> Account {
    switch kind {
    case .local:
      if let domain,
        form == .upn
          || (domain != Profile.thisComputer && domain.lowercased() != computerName.lowercased())
      {
        throw VaultError.kindMismatch(
          detail: "a local account signs in as \(computerName)\\\(userName); "
            + "\(quoted(domain)) is not the computer name")
      }
      if admin {
        throw VaultError.adminOnLocalAccount
      }
      if let template {
        try Validation.templateName(template)
        return Account(scope: .template, userName: userName, domain: template)
      }
      return Account(scope: .local, userName: userName)
    case .domain, .dc:
      if let template { throw VaultError.templateNeedsLocal(template: template, kind: kind) }
      if domain == Profile.thisComputer {
        throw VaultError.kindMismatch(
          detail:
            ".\\\(userName) is a local account of the VM itself, not a \(kind.rawValue) account")
      }
      guard let domain else {
        throw VaultError.domainNeeded(kind: kind)
      }
      return Account(
        scope: .domain, userName: userName, domain: domain, form: form, isDomainAdmin: admin)
    }
  }
}
