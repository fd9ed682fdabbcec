import Foundation
import GRDB
import VaultCrypto

/// A pinned teammate.
public struct Teammate: Equatable, Sendable {
  public var name: String
  public var identity: PublicIdentity
}

/// What `import` does with a VM whose name is already taken.
public enum ConflictPolicy: String, CaseIterable, Sendable {
  case skip, replace, rename
}

/// What importing a bundle did, or with `dryRun` would do.
public struct BundleImportReport: Equatable, Sendable {
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
  public var withoutPassword: [String] { items.filter { $0.action != .skip && !$0.hasPassword }.map(\.name) }
  /// VMs whose sign-in name matches a stored account: linked (with consent) or kept apart.
  public var matchingStoredAccounts: [ImportItem] { items.filter { $0.link != .new } }
}

extension Vault {
  static let identityTable = "identity"

  // MARK: Identity

  /// This vault's public identity, made (with libsodium's key generation) on first use.
  public func identity() throws -> PublicIdentity {
    try VaultStore.guarded { try writer.write { db in try ensureIdentity(db) } }
  }

  func ensureIdentity(_ db: Database) throws -> PublicIdentity {
    if let row = try Row.fetchOne(db, sql: "SELECT * FROM identity WHERE id = 1") {
      return try PublicIdentity(
        boxKey: try hexDecode(try keys.open(try row.blob("box_public", table: Self.identityTable), table: Self.identityTable, column: "box_public", rowID: 1)),
        signKey: try hexDecode(try keys.open(try row.blob("sign_public", table: Self.identityTable), table: Self.identityTable, column: "sign_public", rowID: 1)))
    }
    let box = try Sealing.keyPair()
    let sign = try Signing.keyPair()
    try db.execute(
      sql: """
        INSERT INTO identity (id, next_sequence, created_at, box_public, box_secret, sign_public, sign_secret)
        VALUES (1, 1, ?, ?, ?, ?, ?)
        """,
      arguments: [
        Self.now(),
        try keys.seal(hexEncode(box.publicKey), table: Self.identityTable, column: "box_public", rowID: 1),
        try keys.seal(secret: box.secretKey, table: Self.identityTable, column: "box_secret", rowID: 1),
        try keys.seal(hexEncode(sign.publicKey), table: Self.identityTable, column: "sign_public", rowID: 1),
        try keys.seal(secret: sign.secretKey, table: Self.identityTable, column: "sign_secret", rowID: 1),
      ])
    return try PublicIdentity(boxKey: box.publicKey, signKey: sign.publicKey)
  }

  func identitySecret(_ column: String) throws -> SecretBytes {
    let box = try VaultStore.guarded {
      try writer.read { db in try Data.fetchOne(db, sql: "SELECT \(column) FROM identity WHERE id = 1") }
    }
    return try keys.openSecret(box, table: Self.identityTable, column: column, rowID: 1)
  }

  // MARK: Teammates

  public func addTeammate(name: String, identity: PublicIdentity) throws {
    try Validation.profileName(name)
    try VaultStore.guarded {
      try writer.write { db in
        if try ensureIdentity(db) == identity {
          throw VaultError.invalidIdentity(reason: "that is this vault's own identity")
        }
        try insertTeammate(db, name: name, identity: identity)
      }
    }
  }

  func insertTeammate(_ db: Database, name: String, identity: PublicIdentity) throws {
    let lookup = try keys.lookup("teammate", name.lowercased())
    if try Bool.fetchOne(db, sql: "SELECT 1 FROM teammates WHERE lookup = ?", arguments: [lookup]) == true {
      throw VaultError.teammateExists(name: name)
    }
    let keyLookup = try keys.lookup("teammate-key", hexEncode(identity.boxKey + identity.signKey))
    if let row = try Row.fetchOne(db, sql: "SELECT id, name FROM teammates WHERE key_lookup = ?", arguments: [keyLookup]) {
      let other = try keys.open(
        try row.blob("name", table: "teammates"), table: "teammates", column: "name", rowID: try row.integer("id", table: "teammates"))
      throw VaultError.identityAlreadyPinned(name: other)
    }
    let id = Random.rowID()
    let now = Self.now()
    try db.execute(
      sql: """
        INSERT INTO teammates (id, lookup, key_lookup, version, created_at, updated_at, name, identity)
        VALUES (?, ?, ?, 1, ?, ?, ?, ?)
        """,
      arguments: [
        id, lookup, keyLookup, now, now, try keys.seal(name, table: "teammates", column: "name", rowID: id),
        try keys.seal(identity.encoded, table: "teammates", column: "identity", rowID: id),
      ])
  }

  public func teammates() throws -> [Teammate] {
    try VaultStore.guarded {
      try writer.read { db in try fetchTeammates(db) }
    }.sorted { $0.name.lowercased() < $1.name.lowercased() }
  }

  func fetchTeammates(_ db: Database) throws -> [Teammate] {
    try Row.fetchAll(db, sql: "SELECT id, name, identity FROM teammates").map { row in
      let id = try row.integer("id", table: "teammates")
      return Teammate(
        name: try keys.open(try row.blob("name", table: "teammates"), table: "teammates", column: "name", rowID: id),
        identity: try PublicIdentity(
          parsing: try keys.open(try row.blob("identity", table: "teammates"), table: "teammates", column: "identity", rowID: id)))
    }
  }

  public func removeTeammate(name: String) throws {
    try VaultStore.guarded {
      try writer.write { db in
        let lookup = try keys.lookup("teammate", name.lowercased())
        try db.execute(sql: "DELETE FROM teammates WHERE lookup = ?", arguments: [lookup])
        if db.changesCount == 0 { throw VaultError.teammateNotFound(name: name) }
      }
    }
  }

  // MARK: Export

  /// A bundle of the chosen profiles for the named teammates, signed by this vault. Without
  /// `includeSecrets` it carries no password at all.
  public func exportBundle(
    names: [String], all: Bool, tag: String?, to recipientNames: [String], includeSecrets: Bool
  ) throws -> [UInt8] {
    let (document, accountIDs, boxes, recipients, sequence, sender) = try VaultStore.guarded {
      try writer.write { db in
        let sender = try ensureIdentity(db)
        let known = try fetchTeammates(db)
        let recipients = try recipientNames.map { name in
          guard let teammate = known.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw VaultError.teammateNotFound(name: name)
          }
          return teammate.identity
        }
        var records: [ProfileRecord] = []
        if all || (names.isEmpty && tag != nil) {
          records = try decodeInParallel(try Row.fetchAll(db, sql: ProfileRecord.selection), withSettings: true)
        } else {
          records = try names.map { try fetchProfile(db, named: $0) }
        }
        if let tag { records = records.filter { $0.profile.tags.contains(tag) } }
        guard !records.isEmpty else { throw VaultError.nothingToExport }
        records.sort { $0.profile.name.lowercased() < $1.profile.name.lowercased() }
        var accountIndex: [Int64: Int] = [:]
        var accounts: [BundlePayload.AccountEntry] = []
        var accountIDs: [Int64] = []
        var profiles: [BundlePayload.ProfileEntry] = []
        for record in records {
          if accountIndex[record.accountID] == nil {
            let account = try fetchAccountRecord(db, id: record.accountID).account
            accountIndex[record.accountID] = accounts.count
            accountIDs.append(record.accountID)
            accounts.append(
              BundlePayload.AccountEntry(
                scope: account.scope.rawValue, user: account.userName, domain: account.domain,
                form: account.form.rawValue, domainAdmin: account.isDomainAdmin))
          }
          let profile = record.profile
          profiles.append(
            BundlePayload.ProfileEntry(
              name: profile.name, host: profile.host, port: profile.port, computerName: profile.computerName,
              kind: profile.kind.rawValue, resourceGroup: profile.resourceGroup, subscription: profile.subscription,
              tags: profile.tags, note: profile.note, settings: profile.settings.forSharing,
              account: accountIndex[record.accountID]!))
        }
        let sequence = try Int64.fetchOne(db, sql: "SELECT next_sequence FROM identity WHERE id = 1") ?? 1
        try db.execute(sql: "UPDATE identity SET next_sequence = next_sequence + 1 WHERE id = 1")
        // The password boxes are read here, still sealed; they are opened one at a time below.
        let boxes = includeSecrets ? try accountIDs.map { try fetchPasswordBox(db, accountID: $0) } : []
        return (
          BundlePayload.Document(version: 1, accounts: accounts, profiles: profiles), accountIDs, boxes, recipients,
          UInt64(sequence), sender
        )
      }
    }
    let payload = try BundlePayload.encode(
      document,
      passwordLength: { index in
        guard includeSecrets, let box = boxes[index] else { return nil }
        return box.count - SecretBox.overhead
      },
      writePassword: { index, out in
        try keys.openSecret(boxes[index]!, table: "account_secrets", column: "password", rowID: accountIDs[index], appendingTo: &out)
      })
    let signingKey = try identitySecret("sign_secret")
    return try BundleFormat.write(
      payload: payload, senderBox: sender.boxKey, senderSign: sender.signKey, signingKey: signingKey,
      recipients: recipients, sequence: sequence)
  }

  // MARK: Import

  /// Checks a bundle completely (framing, signature, sender, recipient, every chunk, every
  /// value, replay and rollback) before writing anything, then applies it in one transaction,
  /// or with `dryRun` rolls it back and only reports. A VM whose sign-in name matches an
  /// account already stored is linked to it only with `linkExisting` (the user's consent);
  /// otherwise it gets an account of its own, so no stored password reaches a host the
  /// sender chose.
  public func importBundle(
    _ bytes: [UInt8], trust: Bool, onConflict: ConflictPolicy, linkExisting: Bool = false, dryRun: Bool = false
  ) throws -> BundleImportReport {
    let bundle = try BundleFormat.parse(bytes)
    try BundleFormat.verifySignature(bundle)
    let header = bundle.header
    let sender = try PublicIdentity(boxKey: header.senderBox, signKey: header.senderSign)
    let me = try identity()
    let pinned = try teammates().first { $0.identity == sender }
    if pinned == nil && !trust { throw VaultError.bundleUnknownSender(fingerprint: sender.fingerprint) }
    guard header.recipients.contains(where: { constantTimeEquals($0.boxKey, me.boxKey) }) else {
      throw VaultError.bundleNotForUs
    }
    let boxSecret = try identitySecret("box_secret")
    let payload = try BundleFormat.open(bundle, boxKey: me.boxKey, boxSecret: boxSecret)
    let (document, passwordRanges) = try BundlePayload.decode(payload)
    let bundleLookup = try keys.lookup("bundle", hexEncode(header.bundleID))
    let senderLookup = try keys.lookup("sender", hexEncode(header.senderSign))
    // Every value through the same gate as `add` and `set`, before the transaction starts.
    let prepared = try BundleImport.check(document, payload: payload, passwordRanges: passwordRanges)

    var report = BundleImportReport(senderFingerprint: sender.fingerprint, dryRun: dryRun)
    try VaultStore.guarded {
      try writer.writeWithoutTransaction { db in
        try db.inTransaction(.immediate) {
          if try Bool.fetchOne(db, sql: "SELECT 1 FROM seen_bundles WHERE bundle_lookup = ?", arguments: [bundleLookup]) == true {
            throw VaultError.bundleReplayed
          }
          if let last = try Int64.fetchOne(
            db, sql: "SELECT last_sequence FROM sender_sequences WHERE sender_lookup = ?", arguments: [senderLookup]),
            UInt64(last) > header.sequence
          {
            throw VaultError.bundleRolledBack(sequence: header.sequence, last: UInt64(last))
          }
          if pinned == nil {
            var name = "sender-" + String(sender.fingerprint.prefix(4))
            var suffix = 2
            while try Bool.fetchOne(
              db, sql: "SELECT 1 FROM teammates WHERE lookup = ?", arguments: [try keys.lookup("teammate", name.lowercased())])
              == true
            {
              name = "sender-" + String(sender.fingerprint.prefix(4)) + "-\(suffix)"
              suffix += 1
            }
            try insertTeammate(db, name: name, identity: sender)
            report.pinnedAs = name
          }
          // The account each bundle account became, so its VMs share it as they did there.
          var accountFor: [Int: (id: Int64, link: ImportItem.AccountLink, hasPassword: Bool, stored: Bool)] = [:]
          for item in prepared {
            var profile = item.profile
            var action = ImportItem.Action.add
            var changes: [ImportItem.Change] = []
            var replacing: ProfileRecord?
            if let existing = try findProfile(db, named: profile.name) {
              switch onConflict {
              case .skip:
                action = .skip
              case .replace:
                action = .replace
                replacing = existing
              case .rename:
                var candidate = 2
                while try findProfile(db, named: "\(item.profile.name)-\(candidate)") != nil { candidate += 1 }
                profile.name = "\(item.profile.name)-\(candidate)"
                try Validation.profileName(profile.name)
                action = .rename(from: item.profile.name)
              }
            }
            let wanted = item.account
            let signIn = wanted.signInName(computerName: profile.computerName)
            if action == .skip {
              report.items.append(
                ImportItem(
                  action: .skip, name: profile.name, host: profile.host, port: profile.port, signInName: signIn,
                  link: .new, hasPassword: false, storedPassword: false,
                  preConnect: profile.settings.options[ConnectOption.preConnect],
                  gateway: profile.settings.values["gatewayhostname"], extraLines: profile.settings.extraLines))
              continue
            }
            if let replacing {
              let old = ProfileEntry(profile: replacing.profile, account: try fetchAccountRecord(db, id: replacing.accountID).account)
              try deleteProfile(db, replacing)
              changes = ImportItem.changes(from: old, to: ProfileEntry(profile: profile, account: wanted))
            }
            let range = passwordRanges[item.accountIndex]
            let account: (id: Int64, link: ImportItem.AccountLink, hasPassword: Bool, stored: Bool)
            if let known = accountFor[item.accountIndex], wanted.scope == .domain {
              account = (known.id, known.link, known.hasPassword, false)
            } else if wanted.scope == .domain, var stored = try findDomainAccount(db, like: wanted) {
              if linkExisting {
                // The user consented to the link, and only to it: the stored account's
                // password and admin mark stay as they are, whatever the bundle says.
                try Self.checkDomainControllerRule(kind: profile.kind, account: stored.account)
                account = (stored.id, .linked, try fetchPasswordBox(db, accountID: stored.id) != nil, false)
              } else {
                var apart = wanted
                apart.linksByName = false
                let id = try insertAccount(db, apart, signInName: signIn, payload: payload, range: range)
                account = (id, .keptApart, range != nil, range != nil)
              }
            } else {
              // An account the sender chose is never one a later `add` links to by name.
              var fromSender = wanted
              if wanted.scope == .domain { fromSender.linksByName = false }
              try Self.checkDomainControllerRule(kind: profile.kind, account: fromSender)
              let id = try insertAccount(db, fromSender, signInName: signIn, payload: payload, range: range)
              account = (id, .new, range != nil, range != nil)
            }
            if wanted.scope == .domain { accountFor[item.accountIndex] = account }
            let now = Self.now()
            try ProfileRecord(
              id: Random.rowID(), accountID: account.id, version: 1, createdAt: now, updatedAt: now, profile: profile
            ).save(db, keys: keys, insert: true)
            report.items.append(
              ImportItem(
                action: action, name: profile.name, host: profile.host, port: profile.port, signInName: signIn,
                link: account.link, hasPassword: account.hasPassword, storedPassword: account.stored,
                preConnect: profile.settings.options[ConnectOption.preConnect],
                gateway: profile.settings.values["gatewayhostname"], extraLines: profile.settings.extraLines,
                changes: changes))
          }
          try db.execute(
            sql: "INSERT INTO seen_bundles (bundle_lookup, imported_at) VALUES (?, ?)", arguments: [bundleLookup, Self.now()])
          try db.execute(
            sql: """
              INSERT INTO sender_sequences (sender_lookup, last_sequence) VALUES (?, ?)
              ON CONFLICT(sender_lookup) DO UPDATE SET last_sequence = excluded.last_sequence
              """,
            arguments: [senderLookup, Int64(header.sequence)])
          return dryRun ? .rollback : .commit
        }
      }
    }
    return report
  }

  /// A new account from a bundle, with the bundle's password when it carries one; the
  /// password goes from the payload's guarded memory straight into its box.
  private func insertAccount(
    _ db: Database, _ account: Account, signInName: String, payload: borrowing SecretBytes, range: Range<Int>?
  ) throws -> Int64 {
    let now = Self.now()
    let record = AccountRecord(
      id: Random.rowID(), version: 1, createdAt: now, updatedAt: now, account: account, signInName: signInName)
    try record.save(db, keys: keys, insert: true)
    if let range {
      try payload.withUnsafeBytes { bytes in
        try storePassword(db, accountID: record.id, passwordBytes: UnsafeRawBufferPointer(rebasing: bytes[range]))
      }
    }
    return record.id
  }
}

func hexEncode(_ bytes: [UInt8]) -> String {
  bytes.map { String(format: "%02x", $0) }.joined()
}

func hexDecode(_ text: String) throws -> [UInt8] {
  var bytes: [UInt8] = []
  var index = text.startIndex
  while index < text.endIndex {
    guard let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex), let byte = UInt8(text[index..<next], radix: 16)
    else { throw VaultError.corrupt(detail: "bad hex") }
    bytes.append(byte)
    index = next
  }
  return bytes
}
