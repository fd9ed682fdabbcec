import Foundation
import GRDB
import VaultCrypto

extension Vault {
  // MARK: Export

  /// A bundle of the chosen profiles for the named teammates, signed by this vault. Without
  /// `includeSecrets` it carries no password at all.
  public func exportBundle(
    names: [String], all: Bool, tag: String?, to recipientNames: [String], includeSecrets: Bool,
    progress: ((_ done: Int, _ total: Int) -> Void)? = nil
  ) throws -> [UInt8] {
    // Progress: each VM written into the payload, then each password opened into it.
    var total = 0
    let (document, accountIDs, boxes, recipients, sequence, sender) = try write { db in
      let sender = try ensureIdentity(db)
      let known = try fetchTeammates(db)
      let recipients = try recipientNames.map { name in
        guard let teammate = known.first(where: { $0.name.lowercased() == name.lowercased() })
        else {
          throw VaultError.teammateNotFound(name: name)
        }
        return teammate.identity
      }
      var records: [SharedProfile] = []
      // Whole tables are read (and their row sets checked) when everything may be sent.
      var allAccounts: [Int64: Account]?
      var allBoxes: [Int64: (box: Data, version: Int64)]?
      if all || (names.isEmpty && tag != nil) {
        let stored = try storedRowSet(db)
        if includeSecrets {
          // Still sealed: opened one at a time below, straight into the payload.
          allBoxes = Dictionary(
            uniqueKeysWithValues: try sealedAll(db, .accountSecrets, stored: stored) { row in
              guard let record = row.record else {
                throw VaultError.corrupt(detail: "account_secrets has a row without its record")
              }
              return (row.id, (box: Data(record), version: row.version))
            })
        }
        allAccounts = Dictionary(
          uniqueKeysWithValues: try openAll(db, .accounts, stored: stored) {
            try AccountRecord.decode($0)
          }.map { ($0.id, $0.account) })
        // Each profile's bundle record is made on the core that opened it.
        records = try openAll(db, .profiles, stored: stored) {
          try SharedProfile(try ProfileRecord.decode($0))
        }
      } else {
        records = try names.map { try SharedProfile(try fetchProfile(db, named: $0)) }
      }
      if let tag { records = records.filter { $0.tags.contains(tag) } }
      guard !records.isEmpty else { throw VaultError.nothingToExport }
      permute(&records, by: sortedIndices(records.map(\.sortKey)))
      var accountIndex: [Int64: Int] = [:]
      var accounts: [[UInt8]] = []
      var accountIDs: [Int64] = []
      var profiles: [[UInt8]] = []
      profiles.reserveCapacity(records.count)
      total = records.count * (includeSecrets ? 2 : 1)
      for (index, record) in records.enumerated() {
        if index % 1000 == 0 { progress?(index, total) }
        if accountIndex[record.accountID] == nil {
          let account =
            try allAccounts?[record.accountID]
            ?? fetchAccountRecord(db, id: record.accountID).account
          accountIndex[record.accountID] = accounts.count
          accountIDs.append(record.accountID)
          accounts.append(
            BundlePayload.record(
              BundlePayload.AccountEntry(
                scope: account.scope.rawValue, user: account.userName, domain: account.domain,
                form: account.form.rawValue, domainAdmin: account.isDomainAdmin)))
        }
        profiles.append(
          BundlePayload.record(fields: record.fields, account: accountIndex[record.accountID]!))
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
        (accounts: accounts, profiles: profiles), accountIDs, boxes, recipients, UInt64(sequence),
        sender
      )
    }
    let payload = try BundlePayload.encode(
      accounts: document.accounts, profiles: document.profiles,
      passwordLength: { index in
        guard includeSecrets, let sealed = boxes[index] else { return nil }
        return sealed.box.count - SecretBox.overhead
      },
      writePassword: { index, out in
        if index % 100 == 0 {
          let vms = document.profiles.count
          progress?(vms + index * vms / max(accountIDs.count, 1), total)
        }
        let sealed = boxes[index]!
        try keys.openSecretRecord(
          sealed.box, .accountSecrets, id: accountIDs[index], version: sealed.version, bound: .none,
          appendingTo: &out)
      })
    progress?(total, total)
    let signingKey = try identitySecret(.sign)
    return try BundleFormat.write(
      payload: payload, senderBox: sender.boxKey, senderSign: sender.signKey,
      signingKey: signingKey,
      recipients: recipients, sequence: sequence)
  }

  /// The identity's next bundle sequence number, taken: the record is sealed again with the
  /// number after it.
  func nextBundleSequence(_ db: Database) throws -> Int64 {
    guard let sealed = try fetchIdentityRow(db) else {
      throw VaultError.corrupt(detail: "the vault has no identity")
    }
    let record = try openIdentity(sealed)
    let (boxPublic, signPublic, sequence, createdAt) = try record.withFields {
      (try $0.bytes(1), try $0.bytes(3), try $0.integer(5), try $0.integer(6))
    }
    guard sequence >= 1 else {
      throw VaultError.corrupt(detail: "the identity's bundle sequence is out of range")
    }
    let plaintext = try Self.identityPlaintext(
      boxPublic: boxPublic, boxSecret: try record.secret(2), signPublic: signPublic,
      signSecret: try record.secret(4),
      nextSequence: try Self.nextVersion(after: sequence), createdAt: createdAt)
    try putIdentity(
      db, plaintext: plaintext, version: try Self.nextVersion(after: record.version),
      previousVersion: record.version)
    return sequence
  }
}

/// A profile as a bundle carries it: its record but the account index (which depends on the
/// order of the accounts), with what export sorts, filters and links it by.
private struct SharedProfile {
  var sortKey: String
  var accountID: Int64
  var tags: [String]
  var fields: [UInt8]

  init(_ record: ProfileRecord) throws {
    let profile = record.profile
    sortKey = profile.name.lowercased()
    accountID = record.accountID
    tags = profile.tags
    fields = try BundlePayload.fields(
      BundlePayload.ProfileEntry(
        name: profile.name, host: profile.host, port: profile.port,
        computerName: profile.computerName, kind: profile.kind.rawValue,
        resourceGroup: profile.resourceGroup, subscription: profile.subscription,
        tags: profile.tags, note: profile.note, settings: profile.settings.forSharing,
        account: 0))
  }
}
