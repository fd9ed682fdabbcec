import Foundation
import VaultCrypto

/// What a bundle carries, before encryption. Version 2 (bundle format 2) is the vault's own
/// record encoding (`RecordEncoder`), one record per account and per profile, each account
/// followed by its password as length-prefixed bytes, so passwords never pass through a
/// String:
///
///     account count u32 | per account: record length u32 | record | password length u32
///       (0xFFFFFFFF: none) | password
///     profile count u32 | per profile: record length u32 | record
///
/// Version 1 (bundle format 1, still read) was `JSON length u32 | JSON | per account:
/// password length u32 | bytes`.
enum BundlePayload {
  static let noPassword: UInt32 = 0xFFFF_FFFF

  struct AccountEntry: Codable, Equatable {
    var scope: String
    var user: String
    var domain: String
    var form: String
    var domainAdmin: Bool
  }

  struct ProfileEntry: Codable, Equatable {
    var name: String
    var host: String
    var port: Int
    var computerName: String
    var kind: String
    var resourceGroup: String
    var subscription: String
    var tags: [String]
    var note: String
    var settings: RDPSettings
    var account: Int
  }

  struct Document: Codable, Equatable {
    var version: Int
    var accounts: [AccountEntry]
    var profiles: [ProfileEntry]
  }

  /// The payload bytes (version 2) in guarded memory. `passwordLength(i)` is the length of
  /// account i's password, nil for none; `writePassword(i, &out)` appends it to `out`.
  static func encode(
    _ document: Document, passwordLength: (Int) -> Int?,
    writePassword: (Int, inout SecretBytes) throws -> Void
  ) throws -> SecretBytes {
    try encode(
      accounts: document.accounts.map(Self.record),
      profiles: try document.profiles.map { (try fields($0), $0.account) },
      passwordLength: passwordLength, writePassword: writePassword)
  }

  /// The same from records already made: each account's `record`, and each profile's
  /// `fields` with the index of its account (written as its last field, 11).
  static func encode(
    accounts: [[UInt8]], profiles: [(fields: [UInt8], account: Int)],
    passwordLength: (Int) -> Int?,
    writePassword: (Int, inout SecretBytes) throws -> Void
  ) throws -> SecretBytes {
    let lengths = accounts.indices.map(passwordLength)
    let capacity =
      8 + accounts.reduce(0) { $0 + 8 + $1.count } + lengths.reduce(0) { $0 + ($1 ?? 0) }
      + profiles.reduce(0) { $0 + 4 + $1.fields.count + accountField }
    var out = try SecretBytes(capacity: capacity)
    try out.appendBigEndian(UInt32(accounts.count))
    for (index, record) in accounts.enumerated() {
      try out.appendBigEndian(UInt32(record.count))
      try Self.append(record, to: &out)
      guard let length = lengths[index] else {
        try out.appendBigEndian(noPassword)
        continue
      }
      try out.appendBigEndian(UInt32(length))
      let before = out.count
      try writePassword(index, &out)
      guard out.count - before == length else {
        throw VaultError.corrupt(detail: "a password changed length")
      }
    }
    try out.appendBigEndian(UInt32(profiles.count))
    for profile in profiles {
      try out.appendBigEndian(UInt32(profile.fields.count + accountField))
      try Self.append(profile.fields, to: &out)
      // RecordEncoder's `add(11, Int64(account))`, in place.
      try out.append(11)
      try out.appendBigEndian(UInt32(8))
      try out.appendBigEndian(Int64(profile.account))
    }
    return out
  }

  /// A profile record's last field, the account index: tag, length and an i64.
  private static let accountField = 1 + 4 + 8

  private static func append(_ bytes: [UInt8], to out: inout SecretBytes) throws {
    try bytes.withUnsafeBytes { try out.append(contentsOf: $0) }
  }

  /// Account record fields: 1 scope, 2 user, 3 domain, 4 sign-in form, 5 domain admin.
  static func record(_ account: AccountEntry) -> [UInt8] {
    var record = RecordEncoder(capacity: 64)
    record.add(1, account.scope)
    record.add(2, account.user)
    record.add(3, account.domain)
    record.add(4, account.form)
    record.add(5, account.domainAdmin)
    return record.bytes
  }

  /// Profile record fields: 1 name, 2 kind, 3 host, 4 port, 5 computer name, 6 resource
  /// group, 7 subscription, 8 tag (repeated), 9 note, 10 settings (JSON, as in the vault),
  /// 11 account index. These are fields 1 to 10: export makes them on every core, before it
  /// knows the order of the accounts, and `encode` adds the index.
  static func fields(_ profile: ProfileEntry) throws -> [UInt8] {
    var record = RecordEncoder(capacity: 256)
    record.add(1, profile.name)
    record.add(2, profile.kind)
    record.add(3, profile.host)
    record.add(4, Int64(profile.port))
    record.add(5, profile.computerName)
    record.add(6, profile.resourceGroup)
    record.add(7, profile.subscription)
    for tag in profile.tags { record.add(8, tag) }
    record.add(9, profile.note)
    record.add(10, try SettingsCoding.encode(profile.settings))
    return record.bytes
  }

  /// The same fields made from a stored record's bytes, with no String made of them (an
  /// export of every VM makes thousands). Settings as this vault writes them are copied
  /// (`StoredSettingsJSON.isSharedEncoding`); any others are decoded, stripped of this
  /// vault's approvals and encoded again, as `fields(_: ProfileEntry)` does.
  static func fields(_ stored: ProfileFields) throws -> [UInt8] {
    var record = RecordEncoder(capacity: stored.byteCount + 16)
    record.add(1, stored.name)
    var kind = stored.kind.rawValue
    kind.withUTF8 { record.add(2, UnsafeRawBufferPointer($0)) }
    record.add(3, stored.host)
    record.add(4, Int64(stored.port))
    record.add(5, stored.computerName)
    record.add(6, stored.resourceGroup)
    record.add(7, stored.subscription)
    stored.forEachTag { record.add(8, $0) }
    record.add(9, stored.note)
    if stored.settings.isEmpty || StoredSettingsJSON.isSharedEncoding(stored.settings) {
      record.add(10, stored.settings)
    } else {
      record.add(
        10, try SettingsCoding.encode(try SettingsCoding.decode(stored.settings).forSharing))
    }
    return record.bytes
  }

  /// The document, and the byte range of each account's password within `payload`, for the
  /// payload version that goes with bundle format `bundleVersion`.
  static func decode(_ payload: borrowing SecretBytes, bundleVersion: UInt8 = BundleFormat.version)
    throws
    -> (Document, [Range<Int>?])
  {
    let (document, ranges) = try payload.withUnsafeBytes { bytes in
      bundleVersion == 1 ? try decodeJSON(bytes) : try decodeRecords(bytes)
    }
    for profile in document.profiles where !document.accounts.indices.contains(profile.account) {
      throw VaultError.bundleMalformed(reason: "a profile points to a missing account")
    }
    return (document, ranges)
  }

  private struct Cursor {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    mutating func u32() throws -> UInt32 {
      guard bytes.count - offset >= 4 else {
        throw VaultError.bundleMalformed(reason: "payload truncated")
      }
      defer { offset += 4 }
      return (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }

    mutating func take(_ length: Int) throws -> Range<Int> {
      guard length >= 0, bytes.count - offset >= length else {
        throw VaultError.bundleMalformed(reason: "payload truncated")
      }
      defer { offset += length }
      return offset..<offset + length
    }

    /// A count of entries each at least `minimum` bytes long: never more than could fit.
    mutating func count(minimum: Int) throws -> Int {
      let count = Int(try u32())
      guard count <= (bytes.count - offset) / minimum else {
        throw VaultError.bundleMalformed(reason: "payload truncated")
      }
      return count
    }

    /// The password after an account record: its range, or nil for none.
    mutating func password() throws -> Range<Int>? {
      let length = try u32()
      return length == noPassword ? nil : try take(Int(length))
    }
  }

  private static func decodeRecords(_ bytes: UnsafeRawBufferPointer) throws -> (
    Document, [Range<Int>?]
  ) {
    var cursor = Cursor(bytes: bytes)
    var document = Document(version: 2, accounts: [], profiles: [])
    var ranges: [Range<Int>?] = []
    func fields(_ range: Range<Int>) throws -> RecordDecoder {
      do {
        return try RecordDecoder(UnsafeRawBufferPointer(rebasing: bytes[range]), table: "bundle")
      } catch {
        throw VaultError.bundleMalformed(reason: "a record cannot be read")
      }
    }
    func readable<T>(_ body: () throws -> T) throws -> T {
      do { return try body() } catch let error as VaultError {
        if case .bundleMalformed = error { throw error }
        throw VaultError.bundleMalformed(reason: "a record cannot be read")
      }
    }
    let accountCount = try cursor.count(minimum: 8)
    document.accounts.reserveCapacity(accountCount)
    for _ in 0..<accountCount {
      let record = try fields(try cursor.take(Int(try cursor.u32())))
      document.accounts.append(
        try readable {
          AccountEntry(
            scope: try record.text(1), user: try record.text(2), domain: try record.text(3),
            form: try record.text(4),
            domainAdmin: try record.bool(5))
        })
      ranges.append(try cursor.password())
    }
    let profileCount = try cursor.count(minimum: 4)
    var profileRanges: [Range<Int>] = []
    profileRanges.reserveCapacity(profileCount)
    for _ in 0..<profileCount { profileRanges.append(try cursor.take(Int(try cursor.u32()))) }
    // Profiles are most of a bundle: read on every core, the first bad one reported.
    document.profiles = try Parallel.map(profileRanges.count) { index in
      let record = try fields(profileRanges[index])
      return try readable {
        guard let port = Int(exactly: try record.integer(4)),
          let account = Int(exactly: try record.integer(11))
        else {
          throw VaultError.bundleMalformed(reason: "a number is out of range")
        }
        return ProfileEntry(
          name: try record.text(1), host: try record.text(3), port: port,
          computerName: try record.text(5),
          kind: try record.text(2), resourceGroup: try record.text(6),
          subscription: try record.text(7),
          tags: try record.texts(8), note: try record.text(9),
          settings: try SettingsCoding.decode(try record.text(10)),
          account: account)
      }
    }
    guard cursor.offset == bytes.count else {
      throw VaultError.bundleMalformed(reason: "payload has extra bytes")
    }
    return (document, ranges)
  }

  private static func decodeJSON(_ bytes: UnsafeRawBufferPointer) throws -> (
    Document, [Range<Int>?]
  ) {
    var cursor = Cursor(bytes: bytes)
    let json = Data(bytes[try cursor.take(Int(try cursor.u32()))])
    let document: Document
    do {
      document = try JSONDecoder().decode(Document.self, from: json)
    } catch {
      throw VaultError.bundleMalformed(reason: "the payload cannot be read")
    }
    guard document.version == 1 else { throw VaultError.bundleUnsupportedVersion(document.version) }
    var ranges: [Range<Int>?] = []
    for _ in document.accounts { ranges.append(try cursor.password()) }
    guard cursor.offset == bytes.count else {
      throw VaultError.bundleMalformed(reason: "payload has extra bytes")
    }
    return (document, ranges)
  }
}
