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
    // All in the transaction that takes the bundle's sequence number, sealing and signing
    // too: a record that fails to open, or anything else that fails, leaves the vault as it
    // was.
    try write { db in
      let sender = try ensureIdentity(db)
      let known = try fetchTeammates(db)
      let recipients = try recipientNames.map { name in
        guard let teammate = known.first(where: { $0.name.lowercased() == name.lowercased() })
        else {
          throw VaultError.teammateNotFound(name: name)
        }
        return teammate.identity
      }
      let whole = all || (names.isEmpty && tag != nil)
      let stored = whole ? try storedRowSet(db) : []
      let (shared, accountRecords) = try sharedProfiles(
        db, names: whole ? nil : names, tag: tag, stored: stored)
      guard !shared.isEmpty else { throw VaultError.nothingToExport }
      progress?(0, shared.count)
      // Accounts in the order their first VM comes, VMs in name order.
      var accountIndex: [Int64: Int] = [:]
      var accountIDs: [Int64] = []
      var profiles: [(fields: [UInt8], account: Int)] = []
      profiles.reserveCapacity(shared.count)
      for index in sortedIndices(shared.map(\.sortKey)) {
        let id = shared[index].accountID
        if accountIndex[id] == nil {
          accountIndex[id] = accountIDs.count
          accountIDs.append(id)
        }
        profiles.append((shared[index].fields, accountIndex[id]!))
      }
      let accounts = try accountIDs.map { id in
        if let accountRecords {
          guard let record = accountRecords[id] else {
            throw VaultError.corrupt(detail: "a profile's account is missing")
          }
          return record
        }
        return try fetchAccountRecord(db, id: id).plaintext().withUnsafeBytes {
          try AccountRecord.sharedRecord($0)
        }
      }
      let payload: SecretBytes
      if !includeSecrets {
        payload = try BundlePayload.encode(
          accounts: accounts, profiles: profiles, passwordLength: { _ in nil },
          writePassword: { _, _ in })
      } else if whole {
        // The passwords of the accounts that go, opened on every core.
        let secrets = try wholeTable(db, .accountSecrets).openSecrets(
          keys: keys, wanted: Set(accountIDs)
        ) { try Self.checkDigest($0, .accountSecrets, stored: stored) }
        payload = try Self.bundlePayload(
          accounts: accounts, accountIDs: accountIDs, profiles: profiles, secrets: secrets)
      } else {
        payload = try bundlePayload(
          db, accounts: accounts, accountIDs: accountIDs, profiles: profiles)
      }
      let sequence = try nextBundleSequence(db)
      let bundle = try BundleFormat.write(
        payload: payload, senderBox: sender.boxKey, senderSign: sender.signKey,
        signingKey: try identitySecret(db, .sign), recipients: recipients,
        sequence: UInt64(sequence))
      progress?(shared.count, shared.count)
      return bundle
    }
  }

  /// The VMs to export, each made into its bundle record, with (for a whole-table read) every
  /// account's bundle record by id. Named VMs are read one by one; otherwise whole tables are
  /// read (and their row sets checked against `stored`), each record opened on every core
  /// and made into its bundle record from its bytes on the core that opened it.
  private func sharedProfiles(
    _ db: Database, names: [String]?, tag: String?, stored: [UInt8]
  ) throws -> ([SharedProfile], [Int64: [UInt8]]?) {
    if let names {
      let named = try names.map { try fetchProfile(db, named: $0) }
        .filter { record in tag.map(record.profile.tags.contains) ?? true }
      return (try named.map(SharedProfile.init), nil)
    }
    let accounts = try Dictionary(
      openAll(db, .accounts, stored: stored) { ($0.id, try AccountRecord.sharedRecord($0)) },
      uniquingKeysWith: { first, _ in first })
    let profiles = try openAll(db, .profiles, stored: stored) { row in
      try SharedProfile(row, tag: tag)
    }
    return (profiles.compactMap { $0 }, accounts)
  }

  /// The payload with each account's password from `secrets` (the whole table, opened).
  private static func bundlePayload(
    accounts: [[UInt8]], accountIDs: [Int64], profiles: [(fields: [UInt8], account: Int)],
    secrets: borrowing OpenedSecrets
  ) throws -> SecretBytes {
    let found = accountIDs.map { secrets.ranges[$0] }
    return try BundlePayload.encode(
      accounts: accounts, profiles: profiles, passwordLength: { found[$0]?.count },
      writePassword: { index, out in
        let range = found[index]!
        try secrets.bytes.withUnsafeBytes {
          try out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[range]))
        }
      })
  }

  /// The payload of a few named VMs: each password read and opened on its own.
  private func bundlePayload(
    _ db: Database, accounts: [[UInt8]], accountIDs: [Int64],
    profiles: [(fields: [UInt8], account: Int)]
  ) throws -> SecretBytes {
    let boxes = try accountIDs.map { try fetchPasswordBox(db, accountID: $0) }
    return try BundlePayload.encode(
      accounts: accounts, profiles: profiles,
      passwordLength: { boxes[$0].map { $0.box.count - SecretBox.overhead } },
      writePassword: { index, out in
        let sealed = boxes[index]!
        try keys.openSecretRecord(
          sealed.box, .accountSecrets, id: accountIDs[index], version: sealed.version,
          bound: .none, appendingTo: &out)
      })
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
/// order of the accounts), with what export sorts and links it by.
private struct SharedProfile {
  var sortKey: String
  var accountID: Int64
  var fields: [UInt8]

  /// A VM read by name: its record, written again as the vault stores it, goes through the
  /// same bytes-to-bundle path as a whole-table read (one encoder for both).
  init(_ record: ProfileRecord) throws {
    sortKey = record.profile.name.lowercased()
    accountID = record.accountID
    fields = try record.plaintext().withUnsafeBytes {
      try BundlePayload.fields(try ProfileFields($0))
    }
  }

  /// From a record opened by a whole-table read, on the core that opened it; nil when it
  /// lacks `tag`.
  init?(_ row: OpenedRow, tag: String?) throws {
    guard row.lookup != nil, let accountID = row.accountID else {
      throw VaultError.corrupt(detail: "a profile row has no index or account link")
    }
    let stored = try ProfileFields(row.plaintext)
    if let tag {
      var found = false
      stored.forEachTag { found = found || Self.same($0, tag) }
      guard found else { return nil }
    }
    sortKey = Vault.sortKey(stored.name)
    self.accountID = accountID
    fields = try BundlePayload.fields(stored)
  }

  /// A stored tag is `tag`, as Strings compare (bytes, when both are ASCII).
  private static func same(_ stored: UnsafeRawBufferPointer, _ tag: String) -> Bool {
    if stored.allSatisfy({ $0 < 0x80 }) && tag.utf8.allSatisfy({ $0 < 0x80 }) {
      return stored.elementsEqual(tag.utf8)
    }
    return String(decoding: stored, as: UTF8.self) == tag
  }
}
