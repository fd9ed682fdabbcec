import Foundation

/// Every VM of a vault, packed for the agent's socket (in a frame's binary section): `list` at
/// 10,000 VMs through JSON (`Codable`) took half a second; this takes milliseconds. Strings
/// are `u32 BE length ‖ UTF-8`, integers `u64 BE`, booleans a byte; settings as the vault
/// stores them (sorted JSON). No password is in it. Both ends are this file.
enum EntryPacking {
  static func pack(_ entries: [ProfileEntry]) throws -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(entries.count * 160)
    out.appendBigEndian(UInt64(entries.count))
    func text(_ value: String) {
      out.appendBigEndian(UInt32(value.utf8.count))
      out.append(contentsOf: value.utf8)
    }
    for entry in entries {
      let profile = entry.profile
      let account = entry.account
      text(profile.name)
      text(profile.host)
      out.appendBigEndian(UInt64(profile.port))
      text(profile.computerName)
      text(profile.kind.rawValue)
      text(profile.resourceGroup)
      text(profile.subscription)
      out.appendBigEndian(UInt32(profile.tags.count))
      for tag in profile.tags { text(tag) }
      text(profile.note)
      text(try SettingsCoding.encode(profile.settings))
      text(account.scope.rawValue)
      text(account.userName)
      text(account.domain)
      text(account.form.rawValue)
      out.append(account.isDomainAdmin ? 1 : 0)
      out.append(account.linksByName ? 1 : 0)
    }
    return out
  }

  static func unpack(_ raw: UnsafeRawBufferPointer) throws -> [ProfileEntry] {
    do {
      var reader = Reader(bytes: raw)
      let count = try reader.integer()
      guard count <= raw.count else { throw damaged }
      var entries: [ProfileEntry] = []
      entries.reserveCapacity(count)
      for _ in 0..<count {
        let name = try reader.text()
        let host = try reader.text()
        let port = try reader.integer()
        let computerName = try reader.text()
        guard let kind = AccountKind(rawValue: try reader.text()) else { throw damaged }
        let resourceGroup = try reader.text()
        let subscription = try reader.text()
        let tagCount = Int(try reader.u32())
        guard tagCount <= raw.count else { throw damaged }
        var tags: [String] = []
        for _ in 0..<tagCount { tags.append(try reader.text()) }
        let note = try reader.text()
        let settings = try SettingsCoding.decode(try reader.text())
        guard let scope = Account.Scope(rawValue: try reader.text()) else { throw damaged }
        let userName = try reader.text()
        let domain = try reader.text()
        guard let form = Account.SignInForm(rawValue: try reader.text()) else { throw damaged }
        let isDomainAdmin = try reader.byte() == 1
        let linksByName = try reader.byte() == 1
        entries.append(
          ProfileEntry(
            profile: Profile(
              name: name, host: host, port: port, computerName: computerName, kind: kind,
              resourceGroup: resourceGroup, subscription: subscription, tags: tags, note: note,
              settings: settings),
            account: Account(
              scope: scope, userName: userName, domain: domain, form: form,
              isDomainAdmin: isDomainAdmin, linksByName: linksByName)))
      }
      guard reader.offset == raw.count else { throw damaged }
      return entries
    }
  }

  static let damaged = VaultError.agentFailed(reason: "a list it could not read")

  private struct Reader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    mutating func take(_ count: Int) throws -> UnsafeRawBufferPointer {
      guard count >= 0, count <= bytes.count - offset else { throw EntryPacking.damaged }
      defer { offset += count }
      return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    mutating func byte() throws -> UInt8 { try take(1)[0] }

    mutating func u32() throws -> UInt32 {
      try take(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func integer() throws -> Int {
      let value = try take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
      guard value <= UInt64(Int.max) else { throw EntryPacking.damaged }
      return Int(value)
    }

    mutating func text() throws -> String {
      let length = Int(try u32())
      let slice = try take(length)
      guard let text = String(validating: slice, as: UTF8.self) else { throw EntryPacking.damaged }
      return text
    }
  }
}
