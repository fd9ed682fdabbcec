import ForeignCrypto
import Foundation
import VaultCrypto

/// Remmina's `.remmina` profiles (GLib key files, group `[remmina]`), as Remmina reads them
/// (fixtures README: FreeRDP/Remmina at bb33690d870e). A saved password is 3DES-CBC under the
/// `secret` of the user's `remmina.pref` (key = its bytes 0-23, IV = 24-31, NUL padding):
/// a key kept beside the data, which the audit says. `.` means "in the desktop keyring",
/// which this reader cannot reach.
public enum RemminaFile {
  public static let maximumSize = 1 << 20

  /// What a profile's `password=` held.
  public enum PasswordState: Equatable, Sendable {
    case none
    /// Decrypted with the pref's secret.
    case decrypted
    /// `.`: kept in the desktop keyring.
    case inKeyring
    /// Encrypted, and no `remmina.pref` was given.
    case needsPref
    /// Not a ciphertext at all: Remmina uses such a value as the password itself.
    case clearText
    /// Did not decrypt into text with the pref given.
    case undecryptable
  }

  public static func looksLikeRemmina(_ bytes: [UInt8]) -> Bool {
    // On bytes, never a String: the head of a profile may hold a clear-text password.
    for line in lines(Array(bytes.prefix(4096))) {
      let trimmed = trim(bytes, line)
      if trimmed.isEmpty || bytes[trimmed.lowerBound] == UInt8(ascii: "#") { continue }
      return bytes[trimmed].elementsEqual("[remmina]".utf8)
    }
    return false
  }

  /// A GLib key file read as bytes: each group's keys with the place of their raw value
  /// (GLib's escapes not yet undone). Localised keys (`key[de]`) are left out. Values become
  /// text only through `text(_:_:)`, and secrets go to guarded memory through `secret`.
  struct KeyFile {
    let bytes: [UInt8]
    var groups: [String: [String: Range<Int>]] = [:]

    func text(_ group: String, _ key: String) -> String? {
      groups[group]?[key].map { String(decoding: RemminaFile.unescape(bytes, $0), as: UTF8.self) }
    }

    func raw(_ group: String, _ key: String) -> Range<Int>? { groups[group]?[key] }
  }

  static func lines(_ bytes: [UInt8]) -> [Range<Int>] {
    var result: [Range<Int>] = []
    var start = 0
    for index in bytes.indices where bytes[index] == 0x0A {
      result.append(start..<index)
      start = index + 1
    }
    if start < bytes.count { result.append(start..<bytes.count) }
    return result
  }

  /// A line without surrounding spaces, tabs and a CR.
  static func trim(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
    var (low, high) = (range.lowerBound, range.upperBound)
    while low < high, [0x20, 0x09, 0x0D].contains(bytes[low]) { low += 1 }
    while high > low, [0x20, 0x09, 0x0D].contains(bytes[high - 1]) { high -= 1 }
    return low..<high
  }

  static func keyFile(_ bytes: [UInt8]) throws -> KeyFile {
    guard bytes.count <= maximumSize else {
      throw VaultError.inventory(
        reason: "the file is \(bytes.count >> 10) KiB; a Remmina profile is read up to 1 MiB")
    }
    var file = KeyFile(bytes: bytes)
    var group: String?
    for (number, line) in lines(bytes).enumerated() {
      let trimmed = trim(bytes, line)
      if trimmed.isEmpty || bytes[trimmed.lowerBound] == UInt8(ascii: "#") { continue }
      if bytes[trimmed.lowerBound] == UInt8(ascii: "[") {
        guard bytes[trimmed.upperBound - 1] == UInt8(ascii: "]"), trimmed.count >= 2,
          let name = String(
            bytes: bytes[(trimmed.lowerBound + 1)..<(trimmed.upperBound - 1)], encoding: .utf8)
        else {
          throw VaultError.inventory(reason: "line \(number + 1): a malformed group header")
        }
        group = name
        continue
      }
      guard let group, let equals = bytes[trimmed].firstIndex(of: UInt8(ascii: "=")) else {
        throw VaultError.inventory(reason: "line \(number + 1): neither a group nor key=value")
      }
      let keyRange = trim(bytes, trimmed.lowerBound..<equals)
      guard let key = String(bytes: bytes[keyRange], encoding: .utf8), !key.contains("[") else {
        continue
      }
      var value = equals + 1
      while value < trimmed.upperBound, bytes[value] == 0x20 { value += 1 }
      file.groups[group, default: [:]][key] = value..<trimmed.upperBound
    }
    return file
  }

  /// GLib's escapes undone (`\s`, `\n`, `\t`, `\r`, `\\`), byte by byte.
  static func unescape(_ bytes: [UInt8], _ range: Range<Int>, into sink: (UInt8) throws -> Void)
    rethrows
  {
    var escaping = false
    for byte in bytes[range] {
      if escaping {
        switch byte {
        case UInt8(ascii: "s"): try sink(0x20)
        case UInt8(ascii: "n"): try sink(0x0A)
        case UInt8(ascii: "t"): try sink(0x09)
        case UInt8(ascii: "r"): try sink(0x0D)
        default: try sink(byte)
        }
        escaping = false
      } else if byte == UInt8(ascii: "\\") {
        escaping = true
      } else {
        try sink(byte)
      }
    }
  }

  static func unescape(_ bytes: [UInt8], _ range: Range<Int>) -> [UInt8] {
    var result: [UInt8] = []
    unescape(bytes, range) { result.append($0) }
    return result
  }

  /// For tests: a value's text.
  static func unescape(_ value: String) -> String {
    let bytes = Array(value.utf8)
    return String(decoding: unescape(bytes, 0..<bytes.count), as: UTF8.self)
  }

  /// The `secret` of a `remmina.pref`, in guarded memory: at least 32 bytes.
  public static func prefSecret(_ bytes: [UInt8]) throws -> SecretBytes {
    let pref = try keyFile(bytes)
    let refused = VaultError.inventory(
      reason: "the remmina.pref has no secret of 32 bytes ([remmina_pref] secret=)")
    guard let range = pref.raw("remmina_pref", "secret") else { throw refused }
    guard var decoded = bytes[range].withUnsafeBytes({ base64Decoded($0) }), decoded.count >= 32
    else { throw refused }
    defer { for index in decoded.indices { decoded[index] = 0 } }
    return try SecretBytes(copying: decoded)
  }

  /// Remmina's decryption: 3DES-CBC, key and IV from the secret, text up to the first NUL.
  static func decrypt(_ data: [UInt8], secret: borrowing SecretBytes) throws -> SecretBytes? {
    guard !data.isEmpty, data.count % 8 == 0 else { return nil }
    guard ForeignCiphers.isAvailable else {
      throw VaultError.inventory(reason: ForeignCiphers.unavailableReason)
    }
    let key = try secret.withUnsafeBytes {
      try SecretBytes(copying: UnsafeRawBufferPointer(rebasing: $0[0..<24]))
    }
    let iv = secret.withUnsafeBytes { Array($0[24..<32]) }
    let padded = try ForeignCiphers.tripleDESCBCDecrypt(
      key: key, iv: iv[...], ciphertext: [UInt8](data)[...])
    var length = 0
    while length < padded.count && padded[length] != 0 { length += 1 }
    // A wrong key gives bytes that are not text.
    let valid = padded.withUnsafeBytes { all -> Bool in
      var iterator = all[0..<length].makeIterator()
      var utf8 = UTF8()
      while true {
        switch utf8.decode(&iterator) {
        case .scalarValue(let scalar): if scalar.value < 0x20 { return false }
        case .emptyInput: return length < padded.count
        case .error: return false
        }
      }
    }
    guard valid, length > 0 else { return nil }
    return try padded.withUnsafeBytes {
      try SecretBytes(copying: UnsafeRawBufferPointer(rebasing: $0[0..<length]))
    }
  }

  /// One profile as a VM (or a reason to skip it), its password decrypted with `secret`
  /// when given.
  public static func read(
    _ bytes: [UInt8], fileName: String, secret: borrowing SecretBytes?,
    storeClearText: Bool
  ) throws -> ForeignInventory {
    let file = try keyFile(bytes)
    // Every value as text but the secrets (passwords, passphrases, PINs), which stay bytes.
    var profile: [String: String] = [:]
    for key in file.groups["remmina"]?.keys ?? [:].keys
    where !["password", "passphrase", "pin"].contains(where: { key.lowercased().contains($0) }) {
      profile[key] = file.text("remmina", key)
    }
    guard file.groups["remmina"] != nil else {
      throw VaultError.inventory(reason: "no [remmina] group: not a Remmina profile")
    }
    let label = profile["name"].flatMap { $0.isEmpty ? nil : $0 } ?? fileName
    var passwords = try InventoryPasswords(capacity: 64)
    guard (profile["protocol"] ?? "").uppercased() == "RDP" else {
      return ForeignInventory(
        items: [], passwords: passwords,
        skipped: [(label, "\(profile["protocol"] ?? "no protocol"), not RDP")], audit: nil)
    }
    let server = profile["server"] ?? ""
    guard !server.isEmpty, let address = KeePassFile.hostAndPort(server) else {
      return ForeignInventory(
        items: [], passwords: passwords, skipped: [(label, "no host")], audit: nil)
    }
    var warnings: [String] = []
    var settings = RDPSettings()
    func set(_ key: String, _ value: String) {
      do { try settings.setUnapproved(key, value) } catch {
        warnings.append("setting \(key) was not kept: \(Validation.escapedForDisplay(value))")
      }
    }
    // Resolution: the old `resolution=WxH`, or mode 0 (Remmina's RES_USE_CUSTOM) with a
    // width and a height.
    var size: (String, String)?
    if let old = profile["resolution"], old.contains("x") {
      let parts = old.split(separator: "x").map(String.init)
      if parts.count == 2 { size = (parts[0], parts[1]) }
    } else if profile["resolution_mode"] == "0", let width = profile["resolution_width"],
      let height = profile["resolution_height"]
    {
      size = (width, height)
    }
    if let (width, height) = size, width != "0", height != "0" {
      set("desktopwidth", width)
      set("desktopheight", height)
    }
    switch profile["sound"] ?? "" {
    case "remote": set("audiomode", "1")
    case "off": set("audiomode", "2")
    default: break
    }
    if profile["shareprinter"] == "1" { set("redirectprinters", "1") }
    if profile["multimon"] == "1" { set("use multimon", "1") }
    if let monitors = profile["monitorids"], !monitors.isEmpty {
      do { try settings.addExtraLine("selectedmonitors:s:\(monitors)") } catch {
        warnings.append("monitorids \(Validation.escapedForDisplay(monitors)) was not kept")
      }
    }
    if let gateway = profile["gateway_server"], !gateway.isEmpty {
      let host = KeePassFile.hostAndPort(gateway)?.host ?? gateway
      set("gatewayhostname", host)
      set("gatewayusagemethod", "1")
    }
    if let exec = profile["exec"], !exec.isEmpty {
      set("remoteapplicationmode", "1")
      set("remoteapplicationprogram", exec)
    }
    if let folder = profile["sharefolder"], !folder.isEmpty {
      warnings.append(
        "the shared folder \(Validation.escapedForDisplay(folder)) was not kept (rdpvault shares drives with: set NAME drivestoredirect)"
      )
    }
    let user = profile["username"] ?? ""
    let domain = profile["domain"] ?? ""
    let account = ForeignInventory.account(user: user, domain: domain, host: address.host)
    let group = profile["group"] ?? ""
    let tag = ForeignInventory.folderTag(
      group.isEmpty ? [] : group.split(separator: "/").map(String.init))
    if tag == nil && !group.isEmpty {
      warnings.append(
        "group \(Validation.escapedForDisplay(group)) is not a valid tag and was not kept")
    }
    // Remmina's notes keep their line breaks; a VM's note is one line.
    let note = (profile["notes_text"] ?? "").split(whereSeparator: \.isNewline)
      .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      .joined(separator: " / ")
    var state = PasswordState.none
    var remedies: Set<ImportRemedy> = []
    var raw = file.raw("remmina", "password").map { unescape(bytes, $0) } ?? []
    defer { for index in raw.indices { raw[index] = 0 } }
    let ciphertext = raw.withUnsafeBytes { base64Decoded($0) }.flatMap {
      $0.isEmpty || $0.count % 8 != 0 ? nil : $0
    }
    var audit: ImportAudit?
    if raw == [UInt8(ascii: ".")] {
      state = .inKeyring
      warnings.append("its password is kept in the desktop keyring and was not imported")
    } else if !raw.isEmpty {
      switch secret {
      case .some(let key):
        var decrypted: SecretBytes? = nil
        if let ciphertext { decrypted = try decrypt(ciphertext, secret: key) }
        switch consume decrypted {
        case .some(let password):
          try passwords.append(password)
          state = .decrypted
          let signIn = domain.isEmpty ? user : "\(domain)\\\(user)"
          audit = ImportAudit(
            protection: .remminaKeyBesideData,
            credentials: [ImportAudit.Credential(signIn: signIn, usedBy: [label])])
        case .none:
          state = ciphertext != nil ? .undecryptable : .clearText
        }
      case .none:
        state = ciphertext != nil ? .needsPref : .clearText
      }
      switch state {
      case .needsPref:
        warnings.append(
          "its password is encrypted with the secret of a remmina.pref and was not imported")
        remedies.insert(.remminaPref)
      case .undecryptable:
        warnings.append(
          "its password does not decrypt with the remmina.pref given, and was not imported")
      case .clearText where storeClearText:
        try passwords.append(try SecretBytes(copying: raw))
      case .clearText:
        warnings.append(
          "its password is written in the clear and was not imported")
        remedies.insert(.storeClearPassword)
      default: break
      }
    }
    if passwords.count == 0 { passwords.appendNone() }
    let item = InventoryItem(
      name: ForeignInventory.vmName(label), host: address.host, port: address.port ?? 3389,
      kind: account.kind, user: user.isEmpty ? nil : user,
      domain: account.kind == .domain && !domain.isEmpty ? domain : nil,
      computerName: account.computerName, tags: tag.map { [$0] } ?? [], note: note,
      settings: settings, warnings: warnings)
    return ForeignInventory(
      items: [item], passwords: passwords, skipped: [], audit: audit, remedies: remedies)
  }
}
