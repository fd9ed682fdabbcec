import VaultCrypto

/// The gate a bundle's contents pass before anything is written: every value is checked by
/// the same rules as `add` and `set`, and one bad value refuses the whole bundle, naming the
/// VM and the field. A validly signed bundle is still outside input: its sender may be a
/// teammate whose identity was stolen.
enum BundleImport {
  struct Item {
    var profile: Profile
    var account: Account
    var accountIndex: Int
  }

  static let maximumProfiles = 200_000

  static func check(
    _ document: BundlePayload.Document, payload: borrowing SecretBytes,
    passwordRanges: [Range<Int>?]
  ) throws -> [Item] {
    guard document.profiles.count <= maximumProfiles else {
      throw VaultError.bundleMalformed(reason: "more than \(maximumProfiles) VMs")
    }
    // The first VM of each account names it in errors (one pass, not one per account).
    var firstUser: [Int: String] = [:]
    for profile in document.profiles where firstUser[profile.account] == nil {
      firstUser[profile.account] = profile.name
    }
    for (index, range) in passwordRanges.enumerated() {
      guard let range else { continue }
      let user = firstUser[index] ?? "account \(index + 1)"
      do {
        try payload.withUnsafeBytes {
          try Validation.password(UnsafeRawBufferPointer(rebasing: $0[range]))
        }
      } catch let error as VaultError {
        throw VaultError.bundleInvalidValue(vm: user, detail: error.message)
      }
    }
    var names: Set<String> = []
    names.reserveCapacity(document.profiles.count)
    for entry in document.profiles
    where !names.insert(Profile.lookupKey(name: entry.name)).inserted {
      throw VaultError.bundleInvalidValue(
        vm: entry.name,
        detail: VaultError.invalidField(
          field: "VM name", value: entry.name, rule: "the bundle names it twice"
        ).message)
    }
    // Each VM on its own, on every core; the first bad one in the bundle's order is named.
    return try Parallel.map(document.profiles.count, minimumPerWorker: 256) { index in
      let entry = document.profiles[index]
      do {
        guard let kind = AccountKind(rawValue: entry.kind) else {
          throw VaultError.invalidField(
            field: "kind", value: entry.kind.debugDescription, rule: "not local, domain or dc")
        }
        if let approval = ConnectOption.approvals.first(where: {
          entry.settings.options[$0] != nil
        }) {
          throw VaultError.invalidField(
            field: "option", value: approval,
            rule: "approval of a command is the importing user's own and cannot come in a bundle")
        }
        let profile = Profile(
          name: entry.name, host: entry.host, port: entry.port, computerName: entry.computerName,
          kind: kind,
          resourceGroup: entry.resourceGroup, subscription: entry.subscription, tags: entry.tags,
          note: entry.note,
          settings: entry.settings)
        try profile.validate()
        let account = try checkAccount(
          document.accounts[entry.account], kind: kind, computerName: entry.computerName)
        return Item(profile: profile, account: account, accountIndex: entry.account)
      } catch let error as VaultError {
        throw VaultError.bundleInvalidValue(vm: entry.name, detail: error.message)
      }
    }
  }

  /// A bundle account through the rules `--user` and `--domain` follow.
  static func checkAccount(
    _ entry: BundlePayload.AccountEntry, kind: AccountKind, computerName: String
  ) throws -> Account {
    guard let form = Account.SignInForm(rawValue: entry.form) else {
      throw VaultError.invalidField(
        field: "sign-in form", value: entry.form.debugDescription, rule: "not down-level or upn")
    }
    guard (entry.scope != "domain") == (kind == .local) else {
      throw VaultError.invalidField(
        field: "account scope", value: entry.scope,
        rule: "a \(kind.rawValue) VM does not sign in with a \(entry.scope) account")
    }
    let name: AccountName
    switch entry.scope {
    case "local":
      guard entry.domain.isEmpty || entry.domain.lowercased() == computerName.lowercased() else {
        throw VaultError.invalidField(
          field: "domain", value: entry.domain, rule: "a local account has none")
      }
      name = try AccountName.parse(user: entry.user, domain: computerName)
    case "template":
      var local = try AccountName.parse(user: entry.user, domain: computerName)
      local.template = entry.domain
      name = local
    case "domain":
      switch form {
      case .downLevel: name = try AccountName.parse(user: entry.user, domain: entry.domain)
      case .upn: name = try AccountName.parse(user: "\(entry.user)@\(entry.domain)", domain: nil)
      }
      guard name.form == form, name.userName == entry.user else {
        throw VaultError.invalidField(
          field: "user", value: entry.user, rule: "not a plain user name")
      }
    default:
      throw VaultError.invalidField(
        field: "account scope", value: entry.scope.debugDescription,
        rule: "not local, template or domain")
    }
    return try name.account(kind: kind, computerName: computerName, admin: entry.domainAdmin)
  }
}
