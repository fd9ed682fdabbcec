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
  // MARK: Identity

  /// This vault's public identity, made (with libsodium's key generation) on first use.
  public func identity() throws -> PublicIdentity {
    if let sealed = try read({ db in try fetchIdentityRow(db) }) { return try Self.publicIdentity(of: try openIdentity(sealed)) }
    return try write { db in try ensureIdentity(db) }
  }

  static func publicIdentity(of record: borrowing IdentityRecord) throws -> PublicIdentity {
    let (box, sign) = try record.withFields { (try $0.bytes(1), try $0.bytes(3)) }
    return try PublicIdentity(boxKey: box, signKey: sign)
  }

  func ensureIdentity(_ db: Database) throws -> PublicIdentity {
    if let sealed = try fetchIdentityRow(db) { return try Self.publicIdentity(of: try openIdentity(sealed)) }
    // No identity row: made here only for a vault that never had one, not one whose row was
    // deleted (its digest still counts it).
    try checkRowSet(db, [.identity])
    let box = try Sealing.keyPair()
    let sign = try Signing.keyPair()
    let plaintext = try Self.identityPlaintext(
      boxPublic: box.publicKey, boxSecret: box.secretKey, signPublic: sign.publicKey, signSecret: sign.secretKey,
      nextSequence: 1, createdAt: Self.now())
    try putIdentity(db, plaintext: plaintext, version: 1, previousVersion: nil)
    return try PublicIdentity(boxKey: box.publicKey, signKey: sign.publicKey)
  }

  enum IdentitySecret: UInt8 {
    case box = 2
    case sign = 4
  }

  func identitySecret(_ which: IdentitySecret) throws -> SecretBytes {
    guard let sealed = try read({ db in try fetchIdentityRow(db) }) else {
      throw VaultError.corrupt(detail: "the vault has no identity")
    }
    let record = try openIdentity(sealed)
    return try record.secret(which.rawValue)
  }

  // MARK: Teammates

  public func addTeammate(name: String, identity: PublicIdentity) throws {
    try Validation.profileName(name)
    try write { db in
      if try ensureIdentity(db) == identity {
        throw VaultError.invalidIdentity(reason: "that is this vault's own identity")
      }
      try insertTeammate(db, name: name, identity: identity)
    }
  }

  /// Teammate fields: 1 name, 2 identity string, 3 created at, 4 updated at.
  func insertTeammate(_ db: Database, name: String, identity: PublicIdentity) throws {
    let lookup = try keys.lookup("teammate", name.lowercased())
    if try Bool.fetchOne(db, sql: "SELECT 1 FROM teammates WHERE lookup = ?", arguments: [lookup]) == true {
      throw VaultError.teammateExists(name: name)
    }
    let keyLookup = try keys.lookup("teammate-key", hexEncode(identity.boxKey + identity.signKey))
    if let row = try Row.fetchOne(db, sql: "SELECT id, lookup, key_lookup, version, record FROM teammates WHERE key_lookup = ?", arguments: [keyLookup]) {
      throw VaultError.identityAlreadyPinned(name: try Self.decodeTeammate(row, keys: keys).name)
    }
    let now = Self.now()
    var record = RecordEncoder()
    record.add(1, name)
    record.add(2, identity.encoded)
    record.add(3, now)
    record.add(4, now)
    try putRow(
      db, .teammates, id: Random.rowID(), version: 1, previousVersion: nil,
      bound: BoundColumns(lookup: lookup, keyLookup: keyLookup), plaintext: record.bytes)
  }

  static func decodeTeammate(_ row: Row, keys: VaultKeys) throws -> Teammate {
    let id = try row.integer(0, table: "teammates")
    let bound = BoundColumns(lookup: try row.blob(1, table: "teammates"), keyLookup: try row.blob(2, table: "teammates"))
    let version = try row.integer(3, table: "teammates")
    let teammate = try keys.openRecord(try row.blob(4, table: "teammates"), .teammates, id: id, version: version, bound: bound) {
      let fields = try RecordDecoder($0, table: "teammates")
      return Teammate(name: try fields.text(1), identity: try PublicIdentity(parsing: try fields.text(2)))
    }
    guard try keys.lookup("teammate", teammate.name.lowercased()) == bound.lookup,
      try keys.lookup("teammate-key", hexEncode(teammate.identity.boxKey + teammate.identity.signKey)) == bound.keyLookup
    else { throw VaultError.lookupMismatch(table: "teammates") }
    return teammate
  }

  public func teammates() throws -> [Teammate] {
    try read { db in try fetchTeammates(db) }.sorted { $0.name.lowercased() < $1.name.lowercased() }
  }

  /// The pinned teammates, after checking that none was removed, added back or rolled back
  /// in the file: who is trusted must be exactly who the user pinned.
  func fetchTeammates(_ db: Database) throws -> [Teammate] {
    try checkRowSet(db, [.teammates])
    return try Row.fetchAll(db, sql: "SELECT id, lookup, key_lookup, version, record FROM teammates").map {
      try Self.decodeTeammate($0, keys: keys)
    }
  }

  public func removeTeammate(name: String) throws {
    try write { db in
      let lookup = try keys.lookup("teammate", name.lowercased())
      guard let id = try Row.fetchOne(db, sql: "SELECT id FROM teammates WHERE lookup = ?", arguments: [lookup]) else {
        throw VaultError.teammateNotFound(name: name)
      }
      try deleteRow(db, .teammates, id: try id.integer(0, table: "teammates"))
    }
  }

  // MARK: Export

  /// A bundle of the chosen profiles for the named teammates, signed by this vault. Without
  /// `includeSecrets` it carries no password at all.
  public func exportBundle(
    names: [String], all: Bool, tag: String?, to recipientNames: [String], includeSecrets: Bool
  ) throws -> [UInt8] {
    let (document, accountIDs, boxes, recipients, sequence, sender) = try write { db in
        let sender = try ensureIdentity(db)
        let known = try fetchTeammates(db)
        let recipients = try recipientNames.map { name in
          guard let teammate = known.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw VaultError.teammateNotFound(name: name)
          }
          return teammate.identity
        }
        var records: [ProfileRecord] = []
        // Whole tables are read (and their row sets checked) when everything may be sent.
        var allAccounts: [Int64: Account]?
        var allBoxes: [Int64: (box: Data, version: Int64)]?
        if all || (names.isEmpty && tag != nil) {
          let stored = try storedRowSet(db)
          if includeSecrets {
            // Still sealed: opened one at a time below, straight into the payload.
            allBoxes = Dictionary(
              uniqueKeysWithValues: try openAll(db, .accountSecrets, stored: stored) { row in
                guard let record = row.record else {
                  throw VaultError.corrupt(detail: "account_secrets has a row without its record")
                }
                return (row.id, (box: Data(record), version: row.version))
              })
          }
          allAccounts = Dictionary(
            uniqueKeysWithValues: try openAll(db, .accounts, stored: stored) { try AccountRecord.decode($0, keys: keys, checkLookup: false) }.map { ($0.id, $0.account) })
          records = try openAll(db, .profiles, stored: stored) { try ProfileRecord.decode($0, keys: keys, checkLookup: false) }
        } else {
          records = try names.map { try fetchProfile(db, named: $0) }
        }
        if let tag { records = records.filter { $0.profile.tags.contains(tag) } }
        guard !records.isEmpty else { throw VaultError.nothingToExport }
        permute(&records, by: sortedIndices(records.map { $0.profile.name.lowercased() }))
        var accountIndex: [Int64: Int] = [:]
        var accounts: [BundlePayload.AccountEntry] = []
        var accountIDs: [Int64] = []
        var profiles: [BundlePayload.ProfileEntry] = []
        for record in records {
          if accountIndex[record.accountID] == nil {
            let account = try allAccounts?[record.accountID] ?? fetchAccountRecord(db, id: record.accountID).account
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
        let sequence = try nextBundleSequence(db)
        // The password boxes are read here, still sealed; they are opened one at a time below.
        var boxes: [(box: Data, version: Int64)?] = []
        if let allBoxes {
          boxes = accountIDs.map { allBoxes[$0] }
        } else if includeSecrets {
          boxes = try accountIDs.map { try fetchPasswordBox(db, accountID: $0) }
        }
        return (
          BundlePayload.Document(version: 2, accounts: accounts, profiles: profiles), accountIDs, boxes, recipients,
          UInt64(sequence), sender
        )
    }
    let payload = try BundlePayload.encode(
      document,
      passwordLength: { index in
        guard includeSecrets, let sealed = boxes[index] else { return nil }
        return sealed.box.count - SecretBox.overhead
      },
      writePassword: { index, out in
        let sealed = boxes[index]!
        try keys.openSecretRecord(
          sealed.box, .accountSecrets, id: accountIDs[index], version: sealed.version, bound: .none, appendingTo: &out)
      })
    let signingKey = try identitySecret(.sign)
    return try BundleFormat.write(
      payload: payload, senderBox: sender.boxKey, senderSign: sender.signKey, signingKey: signingKey,
      recipients: recipients, sequence: sequence)
  }

  /// The identity's next bundle sequence number, taken: the record is sealed again with the
  /// number after it.
  func nextBundleSequence(_ db: Database) throws -> Int64 {
    guard let sealed = try fetchIdentityRow(db) else { throw VaultError.corrupt(detail: "the vault has no identity") }
    let record = try openIdentity(sealed)
    let (boxPublic, signPublic, sequence, createdAt) = try record.withFields {
      (try $0.bytes(1), try $0.bytes(3), try $0.integer(5), try $0.integer(6))
    }
    guard sequence >= 1 else { throw VaultError.corrupt(detail: "the identity's bundle sequence is out of range") }
    let plaintext = try Self.identityPlaintext(
      boxPublic: boxPublic, boxSecret: try record.secret(2), signPublic: signPublic, signSecret: try record.secret(4),
      nextSequence: try Self.nextVersion(after: sequence), createdAt: createdAt)
    try putIdentity(db, plaintext: plaintext, version: try Self.nextVersion(after: record.version), previousVersion: record.version)
    return sequence
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
    let boxSecret = try identitySecret(.box)
    let payload = try BundleFormat.open(bundle, boxKey: me.boxKey, boxSecret: boxSecret)
    let (document, passwordRanges) = try BundlePayload.decode(payload, bundleVersion: bundle.version)
    guard header.sequence <= UInt64(Int64.max) else { throw VaultError.bundleMalformed(reason: "sequence number out of range") }
    let bundleLookup = try keys.lookup("bundle", hexEncode(header.bundleID))
    let senderLookup = try keys.lookup("sender", hexEncode(header.senderSign))
    // Every value through the same gate as `add` and `set`, before the transaction starts.
    let prepared = try BundleImport.check(document, payload: payload, passwordRanges: passwordRanges)

    var report = BundleImportReport(senderFingerprint: sender.fingerprint, dryRun: dryRun)
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
              db, sql: "SELECT 1 FROM teammates WHERE lookup = ?", arguments: [try keys.lookup("teammate", name.lowercased())])
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
          func accountLookup(_ signIn: String) throws -> Data { try keys.lookup("account", Account.lookupKey(signInName: signIn)) }
          // The account each bundle account became, so its VMs share it as they did there.
          var accountFor: [Int: (id: Int64, link: ImportItem.AccountLink, hasPassword: Bool, stored: Bool)] = [:]
          for item in prepared {
            var profile = item.profile
            var action = ImportItem.Action.add
            var changes: [ImportItem.Change] = []
            var replacing: ProfileRecord?
            if profileLookups.contains(try keys.lookup("profile", Profile.lookupKey(name: profile.name))),
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
            } else if wanted.scope == .domain, accountLookups.contains(try accountLookup(wanted.signInName(computerName: ""))),
              let stored = try findDomainAccount(db, like: wanted)
            {
              if linkExisting {
                // The user consented to the link, and only to it: the stored account's
                // password and admin mark stay as they are, whatever the bundle says.
                try Self.checkDomainControllerRule(kind: profile.kind, account: stored.account)
                account = (stored.id, .linked, try fetchPasswordBox(db, accountID: stored.id) != nil, false)
              } else {
                var apart = wanted
                apart.linksByName = false
                let id = try insertAccount(db, apart, signInName: signIn, payload: payload, range: range)
                accountLookups.insert(try accountLookup(signIn))
                account = (id, .keptApart, range != nil, range != nil)
              }
            } else {
              // An account the sender chose is never one a later `add` links to by name.
              var fromSender = wanted
              if wanted.scope == .domain { fromSender.linksByName = false }
              try Self.checkDomainControllerRule(kind: profile.kind, account: fromSender)
              let id = try insertAccount(db, fromSender, signInName: signIn, payload: payload, range: range)
              accountLookups.insert(try accountLookup(signIn))
              account = (id, .new, range != nil, range != nil)
            }
            if wanted.scope == .domain { accountFor[item.accountIndex] = account }
            let now = Self.now()
            try ProfileRecord(
              id: Random.rowID(), accountID: account.id, version: 1, createdAt: now, updatedAt: now, profile: profile
            ).save(db, vault: self, previousVersion: nil)
            profileLookups.insert(try keys.lookup("profile", Profile.lookupKey(name: profile.name)))
            report.items.append(
              ImportItem(
                action: action, name: profile.name, host: profile.host, port: profile.port, signInName: signIn,
                link: account.link, hasPassword: account.hasPassword, storedPassword: account.stored,
                preConnect: profile.settings.options[ConnectOption.preConnect],
                gateway: profile.settings.values["gatewayhostname"], extraLines: profile.settings.extraLines,
                changes: changes))
          }
          try putReplayRow(db, .seenBundles, lookup: bundleLookup, value: Self.now(), replacing: nil)
          try putReplayRow(db, .senderSequences, lookup: senderLookup, value: Int64(header.sequence), replacing: lastSeen)
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
    guard let row = try Row.fetchOne(db, sql: "SELECT id, version, record FROM \(table.rawValue) WHERE lookup = ?", arguments: [lookup])
    else { return nil }
    let id = try row.integer(0, table: table.rawValue)
    let version = try row.integer(1, table: table.rawValue)
    let value = try keys.openRecord(try row.blob(2, table: table.rawValue), table, id: id, version: version, bound: BoundColumns(lookup: lookup)) {
      try RecordDecoder($0, table: table.rawValue).integer(1)
    }
    return ReplayRow(id: id, version: version, value: value)
  }

  func putReplayRow(_ db: Database, _ table: StoredTable, lookup: Data, value: Int64, replacing: ReplayRow?) throws {
    var record = RecordEncoder()
    record.add(1, value)
    try putRow(
      db, table, id: replacing?.id ?? Random.rowID(), version: try Self.nextVersion(after: replacing?.version),
      previousVersion: replacing?.version, bound: BoundColumns(lookup: lookup), plaintext: record.bytes)
  }

  /// A new account from a bundle, with the bundle's password when it carries one; the
  /// password goes from the payload's guarded memory straight into its box.
  private func insertAccount(
    _ db: Database, _ account: Account, signInName: String, payload: borrowing SecretBytes, range: Range<Int>?
  ) throws -> Int64 {
    let now = Self.now()
    let record = AccountRecord(
      id: Random.rowID(), version: 1, createdAt: now, updatedAt: now, account: account, signInName: signInName)
    try record.save(db, vault: self, previousVersion: nil)
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
