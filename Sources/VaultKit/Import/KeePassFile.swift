import Foundation
import VaultCrypto

/// KeePass 2.x XML, as `keepassxc-cli export --format xml` and KeePass's own export write it
/// (fixtures README). An entry is an RDP connection when its URL is `rdp://host[:port]` or a
/// `cmd://mstsc /v:host[:port]` override, or when a custom field `RDP Host` (or `Host`) names
/// the host. Entries in the recycle bin and old versions (`History`) are never VMs. The
/// password goes from the XML's bytes straight into guarded memory.
public enum KeePassFile {
  public static let maximumSize = 64 << 20
  /// The first eight bytes of every KDBX file (KeePass 2 and KeePassXC).
  public static let kdbxSignature: [UInt8] = [0x03, 0xD9, 0xA2, 0x9A, 0x67, 0xFB, 0x4B, 0xB5]

  public static func looksLikeKeePassXML(_ bytes: [UInt8]) -> Bool {
    StrictXML.rootName(of: bytes) == "KeePassFile"
  }

  public static func isKDBX(_ bytes: [UInt8]) -> Bool { bytes.starts(with: kdbxSignature) }

  /// Reads the XML (in guarded memory, or an array's bytes).
  public static func read(_ xml: UnsafeRawBufferPointer) throws -> ForeignInventory {
    guard xml.count <= maximumSize else {
      throw VaultError.inventory(
        reason:
          "the file is \(xml.count >> 20) MiB; a KeePass export is read up to \(maximumSize >> 20) MiB"
      )
    }
    let root: StrictXML.Element
    // Values (passwords among them) stay bytes. (Meta's attachment data is decoded into
    // text: `Binary` also names an entry's reference element, which has children.)
    do { root = try StrictXML.parse(xml, raw: ["Value"]) } catch {
      throw VaultError.inventory(reason: "line \(error.line): \(error.reason)")
    }
    guard root.localName == "KeePassFile", let top = root.child("Root")?.child("Group") else {
      throw VaultError.inventory(reason: "not a KeePass XML export (no KeePassFile/Root/Group)")
    }
    let recycleBin = root.child("Meta")?.child("RecycleBinUUID")?.text
    var reader = Reader(xml: xml, recycleBin: recycleBin?.isEmpty == false ? recycleBin : nil)
    reader.passwords = try InventoryPasswords(capacity: 256)
    // The top group is the database itself: its name is no folder.
    try reader.walk(top, path: [])
    return ForeignInventory(
      items: reader.items, passwords: reader.passwords, skipped: reader.skipped, audit: nil,
      remedies: reader.remedies)
  }

  /// `rdp://host[:port]/…`, `cmd://mstsc[.exe] … /v:host[:port] …`, or nil.
  static func rdpTarget(url: String) -> String? {
    let trimmed = url.trimmingCharacters(in: .whitespaces)
    let lower = trimmed.lowercased()
    if lower.hasPrefix("rdp://") {
      return String(
        trimmed.dropFirst(6).prefix { $0 != "/" && $0 != "?" && $0 != "#" })
    }
    if lower.hasPrefix("cmd://") {
      let words = trimmed.dropFirst(6).split(separator: " ").map(String.init)
      guard let program = words.first?.split(separator: "\\").last?.lowercased(),
        program == "mstsc" || program == "mstsc.exe"
      else { return nil }
      return words.first { $0.lowercased().hasPrefix("/v:") }.map { String($0.dropFirst(3)) }
    }
    return nil
  }

  /// `host`, `host:port`, `[v6]` or `[v6]:port`.
  static func hostAndPort(_ target: String) -> (host: String, port: Int?)? {
    if target.hasPrefix("[") {
      guard let close = target.firstIndex(of: "]") else { return nil }
      let host = String(target[target.index(after: target.startIndex)..<close])
      let rest = target[target.index(after: close)...]
      if rest.isEmpty { return (host, nil) }
      guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()) else { return nil }
      return (host, port)
    }
    let parts = target.split(separator: ":", omittingEmptySubsequences: false)
    if parts.count == 2 {
      guard let port = Int(parts[1]) else { return nil }
      return (String(parts[0]), port)
    }
    return (target, nil)
  }

  struct Reader: ~Copyable {
    let xml: UnsafeRawBufferPointer
    let recycleBin: String?
    var items: [InventoryItem] = []
    var passwords: InventoryPasswords
    var skipped: [(name: String, reason: String)] = []
    var remedies: Set<ImportRemedy> = []

    init(xml: UnsafeRawBufferPointer, recycleBin: String?) {
      self.xml = xml
      self.recycleBin = recycleBin
      passwords = try! InventoryPasswords(capacity: 0)
    }

    mutating func walk(_ group: StrictXML.Element, path: [String]) throws {
      for entry in group.children("Entry") { try self.entry(entry, path: path) }
      for child in group.children("Group") {
        if let recycleBin, child.child("UUID")?.text == recycleBin { continue }
        try walk(child, path: path + [child.child("Name")?.text ?? ""])
      }
    }

    /// A field's value as text (never the password's).
    static func value(_ field: StrictXML.Element?, in xml: UnsafeRawBufferPointer) -> String {
      guard let value = field?.child("Value") else { return "" }
      return value.rawText.map { StrictXML.decodedText(xml, $0) } ?? value.text
    }

    mutating func entry(_ entry: StrictXML.Element, path: [String]) throws {
      var fields: [String: StrictXML.Element] = [:]
      for field in entry.children("String") {
        if let key = field.child("Key")?.text { fields[key] = field }
      }
      let xml = self.xml
      let title = Self.value(fields["Title"], in: xml)
      let label = title.isEmpty ? "(untitled entry)" : title
      // A custom field names the host, by any of the usual spellings.
      let custom = fields.first { key, _ in
        let folded = key.lowercased().filter { $0.isLetter }
        return folded == "rdphost" || folded == "host"
      }
      guard
        let target = rdpTarget(url: Self.value(fields["URL"], in: xml))
          ?? custom.map({ Self.value($0.value, in: xml) }),
        !target.isEmpty
      else {
        skipped.append((label, "not an RDP entry"))
        return
      }
      guard !target.contains("{") else {
        skipped.append((label, "its address is a KeePass placeholder"))
        return
      }
      guard let address = hostAndPort(target) else {
        skipped.append(
          (label, "its address \(Validation.escapedForDisplay(target)) is not host[:port]"))
        return
      }
      var warnings: [String] = []
      let user = Self.value(fields["UserName"], in: xml)
      var note = Self.value(fields["Notes"], in: xml).split(whereSeparator: \.isNewline)
        .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        .joined(separator: " / ")
      if note.count > 256 {
        note = String(note.prefix(255)) + "…"
        warnings.append("its notes were cut to 256 characters")
      }
      let tag = ForeignInventory.folderTag(path)
      if tag == nil && !path.isEmpty {
        warnings.append(
          "group \(Validation.escapedForDisplay(path.joined(separator: "/"))) is not a valid tag and was not kept"
        )
      }
      let (host, port) = address
      let account = ForeignInventory.account(user: user, domain: "", host: host)
      items.append(
        InventoryItem(
          name: ForeignInventory.vmName(title.isEmpty ? host : title), host: host,
          port: port ?? 3389, kind: account.kind, user: user.isEmpty ? nil : user,
          computerName: account.computerName, tags: tag.map { [$0] } ?? [], note: note,
          warnings: warnings))
      guard let password = fields["Password"]?.child("Value"), let range = password.rawText,
        !range.isEmpty
      else {
        passwords.appendNone()
        return
      }
      if (password["Protected"] ?? "").lowercased() == "true" {
        // Encrypted with the inner stream of a KDBX: only KeePass itself can open it.
        items[items.count - 1].warnings.append(
          "its password is encrypted with the database's inner stream and was not imported")
        remedies.insert(.exportWithKeePassXC)
        passwords.appendNone()
        return
      }
      var secret = try SecretBytes(capacity: range.count)
      try StrictXML.decode(xml, range) { try secret.append($0) }
      try passwords.append(secret)
    }
  }
}
