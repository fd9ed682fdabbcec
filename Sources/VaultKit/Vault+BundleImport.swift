import Foundation
import GRDB
import VaultCrypto

/// What `import` does with a VM whose name is already taken.
public enum ConflictPolicy: String, CaseIterable, Sendable, Codable {
  case skip, replace, rename
}

/// What importing a bundle did, or with `dryRun` would do.
public struct BundleImportReport: Equatable, Sendable, Codable {
  public var senderFingerprint: String
  /// The name the sender was pinned under by `--trust`, if it was.
  public var pinnedAs: String?
  public var items: [ImportItem] = []
  /// True when nothing was written.
  public var dryRun = false

  public var added: [String] { items.filter { $0.action == .add }.map(\.name) }
  public var replaced: [String] { items.filter { $0.action == .replace }.map(\.name) }
  /// Original name and the name it was added under.
  public var renamed: [(String, String)] {
    items.compactMap { if case .rename(let from) = $0.action { (from, $0.name) } else { nil } }
  }
  public var skipped: [String] { items.filter { $0.action == .skip }.map(\.name) }
  public var withoutPassword: [String] {
    items.filter { $0.action != .skip && !$0.hasPassword }.map(\.name)
  }
  /// VMs whose sign-in name matches a stored account: linked (with consent) or kept apart.
  public var matchingStoredAccounts: [ImportItem] { items.filter { $0.link != .new } }
}

extension Vault {
  // MARK: Import

  /// Checks a bundle completely (framing, signature, sender, recipient, every chunk, every
  /// value, replay and rollback) before writing anything, then applies it in one transaction,
  /// or with `dryRun` rolls it back and only reports. A VM whose sign-in name matches an
  /// account already stored is linked to it only with `linkExisting` (the user's consent);
  /// otherwise it gets an account of its own, so no stored password reaches a host the
  /// sender chose.
  public func importBundle(
    _ bytes: [UInt8], trust: Bool, onConflict: ConflictPolicy, linkExisting: Bool,
    dryRun: Bool
  ) throws -> BundleImportReport {
    let bundle = try BundleFormat.parse(bytes)
    try BundleFormat.verifySignature(bundle)
    let header = bundle.header
    let sender = try PublicIdentity(boxKey: header.senderBox, signKey: header.senderSign)
    let me = try identity()
    // Your own export, imported back: the VMs came from here (no --trust makes it one).
    if sender == me { throw VaultError.bundleFromThisVault }
    let pinned = try teammates().first { $0.identity == sender }
    if pinned == nil && !trust {
      throw VaultError.bundleUnknownSender(fingerprint: sender.fingerprint)
    }
    guard header.recipients.contains(where: { constantTimeEquals($0.boxKey, me.boxKey) }) else {
      throw VaultError.bundleNotForUs
    }
    let boxSecret = try identitySecret(.box)
    let payload = try BundleFormat.open(bundle, boxKey: me.boxKey, boxSecret: boxSecret)
    let (document, passwordRanges) = try BundlePayload.decode(
      payload, bundleVersion: bundle.version)
    guard header.sequence <= UInt64(Int64.max) else {
      throw VaultError.bundleMalformed(reason: "sequence number out of range")
    }
    let bundleLookup = try keys.lookup("bundle", hexEncode(header.bundleID))
    let senderLookup = try keys.lookup("sender", hexEncode(header.senderSign))
    // Every value through the same gate as `add` and `set`, before the transaction starts.
    let prepared = try BundleImport.check(
      document, payload: payload, passwordRanges: passwordRanges)
    // The blind indexes each VM needs, on every core: its name, and its account's,
    // and the names it signs in and is stored under (a rename keeps its computer name).
    let keys = keys
    let lookups = try Parallel.map(prepared.count, minimumPerWorker: 256) { index in
      let item = prepared[index]
      let accountName = item.account.accountName(computerName: item.profile.computerName)
      return ItemLookups(
        profile: try keys.lookup("profile", Profile.lookupKey(name: item.profile.name)),
        account: try keys.lookup("account", Account.lookupKey(signInName: accountName)),
        shared: item.account.isShared
          ? try keys.lookup(
            "account", Account.lookupKey(signInName: item.account.accountName(computerName: "")))
          : nil,
        signIn: item.account.signInName(computerName: item.profile.computerName),
        accountName: accountName)
    }

    var report = BundleImportReport(senderFingerprint: sender.fingerprint, dryRun: dryRun)
    try payload.withUnsafeBytes { secrets in
      try write(rollback: dryRun) { db in
        // The replay record must be whole before it can say "not seen before".
        do {
          try checkRowSet(db, [.seenBundles, .senderSequences])
        } catch VaultError.rowSetMismatch {
          throw VaultError.replayStateTampered
        }
        if try findReplayRow(db, .seenBundles, lookup: bundleLookup) != nil {
          throw VaultError.bundleReplayed
        }
        let lastSeen = try findReplayRow(db, .senderSequences, lookup: senderLookup)
        if let last = lastSeen {
          guard last.value >= 0 else { throw VaultError.replayStateTampered }
          if UInt64(last.value) > header.sequence {
            throw VaultError.bundleRolledBack(sequence: header.sequence, last: UInt64(last.value))
          }
        }
        if pinned == nil {
          var name = "sender-" + String(sender.fingerprint.prefix(4))
          var suffix = 2
          while try Bool.fetchOne(
            db, sql: "SELECT 1 FROM teammates WHERE lookup = ?",
            arguments: [try keys.lookup("teammate", name.lowercased())])
            == true
          {
            name = "sender-" + String(sender.fingerprint.prefix(4)) + "-\(suffix)"
            suffix += 1
          }
          try insertTeammate(db, name: name, identity: sender)
          report.pinnedAs = name
        }
        // The blind indexes already taken, kept current below: a name or account the
        // vault does not hold needs no query (a bundle of 10,000 VMs into a new vault).
        var profileLookups = Set(try Data.fetchAll(db, sql: "SELECT lookup FROM profiles"))
        var accountLookups = Set(try Data.fetchAll(db, sql: "SELECT lookup FROM accounts"))
        // New rows wait here to be sealed together; any read of rows they could be
        // inserts them first.
        var pending = NewRows()
        // True, so that it can stand in a condition before the read.
        @discardableResult func insertPending() throws -> Bool {
          try insert(db, &pending, secrets: secrets)
          return true
        }
        // The account each bundle account became, so its VMs share it as they did there.
        var accountFor:
          [Int: (id: Int64, link: ImportItem.AccountLink, hasPassword: Bool, stored: Bool)] = [:]
        for (item, lookup) in zip(prepared, lookups) {
          var profile = item.profile
          var profileLookup = lookup.profile
          var action = ImportItem.Action.add
          var changes: [ImportItem.Change] = []
          var replacing: ProfileRecord?
          if profileLookups.contains(profileLookup), try insertPending(),
            let existing = try findProfile(db, named: profile.name)
          {
            switch onConflict {
            case .skip:
              action = .skip
            case .replace:
              action = .replace
              replacing = existing
            case .rename:
              var candidate = 2
              while try findProfile(db, named: "\(item.profile.name)-\(candidate)") != nil {
                candidate += 1
              }
              Self.keepAzureName(&profile, approved: false)
              profile.name = "\(item.profile.name)-\(candidate)"
              try Validation.profileName(profile.name)
              profileLookup = try keys.lookup("profile", Profile.lookupKey(name: profile.name))
              action = .rename(from: item.profile.name)
            }
          }
          let wanted = item.account
          let signIn = lookup.signIn
          // What the store indexes: the sign-in name, or a template credential's own name.
          let accountName = lookup.accountName
          if action == .skip {
            report.items.append(
              ImportItem(
                action: .skip, name: profile.name, host: profile.host, port: profile.port,
                signInName: signIn,
                link: .new, hasPassword: false, storedPassword: false,
                preConnect: profile.settings.options[ConnectOption.preConnect],
                gateway: profile.settings.unapprovedGateway,
                extraLines: profile.settings.extraLines, routing: Self.routing(profile.settings)))
            continue
          }
          if let replacing {
            let old = ProfileEntry(
              profile: replacing.profile,
              account: try fetchAccountRecord(db, id: replacing.accountID).account)
            try deleteProfile(db, replacing)
            changes = ImportItem.changes(
              from: old, to: ProfileEntry(profile: profile, account: wanted))
          }
          let range = passwordRanges[item.accountIndex]
          let account: (id: Int64, link: ImportItem.AccountLink, hasPassword: Bool, stored: Bool)
          if let known = accountFor[item.accountIndex], wanted.isShared {
            account = (known.id, known.link, known.hasPassword, false)
          } else if wanted.isShared, let shared = lookup.shared,
            accountLookups.contains(shared),
            try insertPending(),
            let stored = try findSharedAccount(db, like: wanted)
          {
            if linkExisting {
              // The user consented to the link, and only to it: the stored account's
              // password and admin mark stay as they are, whatever the bundle says.
              try Self.checkDomainControllerRule(kind: profile.kind, account: stored.account)
              try Self.checkTemplateUser(wanted: wanted, existing: stored.account)
              account = (
                stored.id, .linked, try fetchPasswordBox(db, accountID: stored.id) != nil, false
              )
            } else {
              var apart = wanted
              apart.linksByName = false
              let id = try addAccount(
                &pending, apart, signInName: accountName, lookup: lookup.account, range: range)
              accountLookups.insert(lookup.account)
              account = (id, .keptApart, range != nil, range != nil)
            }
          } else {
            // An account the sender chose is never one a later `add` links to by name.
            var fromSender = wanted
            if wanted.isShared { fromSender.linksByName = false }
            try Self.checkDomainControllerRule(kind: profile.kind, account: fromSender)
            let id = try addAccount(
              &pending, fromSender, signInName: accountName, lookup: lookup.account, range: range)
            accountLookups.insert(lookup.account)
            account = (id, .new, range != nil, range != nil)
          }
          if wanted.isShared { accountFor[item.accountIndex] = account }
          let now = Self.now()
          let record = ProfileRecord(
            id: Random.rowID(), accountID: account.id, version: 1, createdAt: now, updatedAt: now,
            profile: profile)
          pending.add(
            .profiles, id: record.id,
            bound: record.bound(lookup: profileLookup),
            .record(record.plaintext))
          profileLookups.insert(profileLookup)
          report.items.append(
            ImportItem(
              action: action, name: profile.name, host: profile.host, port: profile.port,
              signInName: signIn,
              link: account.link, hasPassword: account.hasPassword, storedPassword: account.stored,
              preConnect: profile.settings.options[ConnectOption.preConnect],
              gateway: profile.settings.unapprovedGateway,
              extraLines: profile.settings.extraLines,
              changes: changes, routing: Self.routing(profile.settings), kind: profile.kind))
        }
        try insertPending()
        try putReplayRow(db, .seenBundles, lookup: bundleLookup, value: Self.now(), replacing: nil)
        try putReplayRow(
          db, .senderSequences, lookup: senderLookup, value: Int64(header.sequence),
          replacing: lastSeen)
      }
    }
    return report
  }

  /// A row of `seen_bundles` (value: when it was imported) or `sender_sequences` (value: the
  /// last sequence seen), found by its blind index. Record field: 1 value.
  struct ReplayRow {
    var id: Int64
    var version: Int64
    var value: Int64
  }

  func findReplayRow(_ db: Database, _ table: StoredTable, lookup: Data) throws -> ReplayRow? {
    guard
      let row = try Row.fetchOne(
        db, sql: "SELECT id, version, record FROM \(table.rawValue) WHERE lookup = ?",
        arguments: [lookup])
    else { return nil }
    let id = try row.integer(0, table: table.rawValue)
    let version = try row.integer(1, table: table.rawValue)
    let value = try keys.openRecord(
      try row.blob(2, table: table.rawValue), table, id: id, version: version,
      bound: BoundColumns(lookup: lookup)
    ) {
      try RecordDecoder($0, table: table.rawValue).integer(1)
    }
    return ReplayRow(id: id, version: version, value: value)
  }

  func putReplayRow(
    _ db: Database, _ table: StoredTable, lookup: Data, value: Int64, replacing: ReplayRow?
  ) throws {
    var record = RecordEncoder()
    record.add(1, value)
    try putRow(
      db, table, id: replacing?.id ?? Random.rowID(),
      version: try Self.nextVersion(after: replacing?.version),
      previousVersion: replacing?.version, bound: BoundColumns(lookup: lookup),
      plaintext: record.bytes)
  }

  /// The blind indexes of a bundle VM's name and account, and of the shared account it
  /// could match; the name it signs in as, and the name its account is stored under.
  private struct ItemLookups {
    var profile: Data
    var account: Data
    var shared: Data?
    var signIn: String
    var accountName: String
  }

  /// A new account from a bundle (`lookup` the index of `signInName`), with the bundle's
  /// password when it carries one; the password goes from the payload's guarded memory
  /// straight into its box. (`BundleImport.check` passed every password through
  /// `Validation.password`, the gate of `storePassword`.)
  private func addAccount(
    _ pending: inout NewRows, _ account: Account, signInName: String, lookup: Data,
    range: Range<Int>?
  ) throws -> Int64 {
    let now = Self.now()
    let record = AccountRecord(
      id: Random.rowID(), version: 1, createdAt: now, updatedAt: now, account: account,
      signInName: signInName)
    pending.add(
      .accounts, id: record.id, bound: BoundColumns(lookup: lookup), .record(record.plaintext))
    if let range {
      pending.add(.accountSecrets, id: record.id, bound: .none, .secret(range))
    }
    return record.id
  }

  /// A bundle VM's options that decide what runs or where the connection goes, besides its
  /// pre-connect command (tunnel, jump host, Bastion, Azure steps), as the import report
  /// lists them.
  static func routing(_ settings: RDPSettings) -> [String] {
    ConnectOption.needingApproval.filter { $0 != ConnectOption.preConnect }.compactMap { key in
      settings.options[key].map { "\(key): \($0)" }
    }
  }
}
