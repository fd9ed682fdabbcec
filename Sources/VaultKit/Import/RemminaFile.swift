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
    guard let text = String(bytes: bytes.prefix(4096), encoding: .utf8) else { return false }
    let first = text.split(whereSeparator: \.isNewline).map {
      $0.trimmingCharacters(in: .whitespaces)
    }.first { !$0.isEmpty && !$0.hasPrefix("#") }
    return first == "[remmina]"
  }

  /// A GLib key file's groups (`[name]`) of `key=value` lines, with GLib's escapes undone
  /// (`\s`, `\n`, `\t`, `\r`, `\\`). Localised keys (`key[de]`) are left out.
  static func keyFile(_ bytes: [UInt8]) throws -> [String: [String: String]] {
    guard bytes.count <= maximumSize else {
      throw VaultError.inventory(
        reason: "the file is \(bytes.count >> 10) KiB; a Remmina profile is read up to 1 MiB")
    }
    guard let text = String(bytes: bytes, encoding: .utf8) else {
      throw VaultError.inventory(reason: "the Remmina file is not UTF-8")
    }
    var groups: [String: [String: String]] = [:]
    var group: String?
    for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    {
      let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      if trimmed.hasPrefix("[") {
        guard trimmed.hasSuffix("]") else {
          throw VaultError.inventory(reason: "line \(number + 1): a malformed group header")
        }
        group = String(trimmed.dropFirst().dropLast())
        continue
      }
      guard let group, let equals = line.firstIndex(of: "=") else {
        throw VaultError.inventory(reason: "line \(number + 1): neither a group nor key=value")
      }
      let key = line[..<equals].trimmingCharacters(in: .whitespaces)
      if key.contains("[") { continue }
      groups[group, default: [:]][key] = unescape(
        String(line[line.index(after: equals)...].drop { $0 == " " }))
    }
    return groups
  }

  static func unescape(_ value: String) -> String {
    guard value.contains("\\") else { return value }
    var result = ""
    var escaping = false
    for character in value {
      if escaping {
        switch character {
        case "s": result.append(" ")
        case "n": result.append("\n")
        case "t": result.append("\t")
        case "r": result.append("\r")
        default: result.append(character)
        }
        escaping = false
      } else if character == "\\" {
        escaping = true
      } else {
        result.append(character)
      }
    }
    return result
  }

  /// The `secret` of a `remmina.pref`, in guarded memory: at least 32 bytes.
  public static func prefSecret(_ bytes: [UInt8]) throws -> SecretBytes {
    let pref = try keyFile(bytes)
    guard let encoded = pref["remmina_pref"]?["secret"], let data = Data(base64Encoded: encoded),
      data.count >= 32
    else {
      throw VaultError.inventory(
        reason: "the remmina.pref has no secret of 32 bytes ([remmina_pref] secret=)")
    }
    var bytes = [UInt8](data)
    defer { for index in bytes.indices { bytes[index] = 0 } }
    return try SecretBytes(copying: bytes)
  }

  /// Remmina's decryption: 3DES-CBC, key and IV from the secret, text up to the first NUL.
  static func decrypt(_ value: String, secret: borrowing SecretBytes) throws -> SecretBytes? {
    guard let data = Data(base64Encoded: value), !data.isEmpty, data.count % 8 == 0 else {
      return nil
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
    guard let profile = try keyFile(bytes)["remmina"] else {
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
      do { try settings.set(key, value) } catch {
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
    let value = profile["password"] ?? ""
    var audit: ImportAudit?
    if value == "." {
      state = .inKeyring
      warnings.append("its password is kept in the desktop keyring and was not imported")
    } else if !value.isEmpty {
      switch secret {
      case .some(let key):
        let decrypted = try decrypt(value, secret: key)
        switch consume decrypted {
        case .some(let password):
          try passwords.append(password)
          state = .decrypted
          let signIn = domain.isEmpty ? user : "\(domain)\\\(user)"
          audit = ImportAudit(
            protection: .remminaKeyBesideData,
            credentials: [ImportAudit.Credential(signIn: signIn, usedBy: [label])])
        case .none:
          state =
            Data(base64Encoded: value).map { $0.count % 8 == 0 } == true
            ? .undecryptable : .clearText
        }
      case .none:
        state =
          Data(base64Encoded: value).map { $0.count % 8 == 0 && !$0.isEmpty } == true
          ? .needsPref : .clearText
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
        try passwords.append(try SecretBytes(copying: Array(value.utf8)))
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
