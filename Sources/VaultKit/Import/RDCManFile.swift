import Foundation
import VaultCrypto

/// Remote Desktop Connection Manager's `.rdg` files, schema 1 (RDCMan 2.2) and schema 3
/// (2.7 and later), as mRemoteNG's importer reads them (fixtures README): groups become a
/// tag, each `server` a VM, and settings blocks with `inherit="FromParent"` (or none) take
/// the group's. Passwords are Windows DPAPI blobs that only the user who wrote them can
/// open on that machine: they are dropped with a warning. A schema-1 password marked
/// `storeAsClearText="True"` is in the clear, and is kept (and audited).
public enum RDCManFile {
  public static let maximumSize = 64 << 20

  public static func looksLikeRDCMan(_ bytes: [UInt8]) -> Bool {
    StrictXML.rootName(of: bytes) == "RDCMan"
  }

  /// The settings blocks a group or server can carry, by element name.
  static let blocks = [
    "logonCredentials", "connectionSettings", "gatewaySettings", "localResources",
    "securitySettings",
  ]

  public static func read(_ bytes: [UInt8]) throws -> ForeignInventory {
    guard bytes.count <= maximumSize else {
      throw VaultError.inventory(
        reason:
          "the file is \(bytes.count >> 20) MiB; an RDCMan file is read up to \(maximumSize >> 20) MiB"
      )
    }
    let root = try MRemoteNGFile.parse(bytes, raw: ["password"])
    guard root.localName == "RDCMan" else {
      throw VaultError.inventory(
        reason: "not an RDCMan file (its root is <\(Validation.escapedForDisplay(root.name))>)")
    }
    let schema = root["schemaVersion"] ?? ""
    guard schema == "1" || schema == "3" else {
      throw VaultError.inventory(
        reason: "RDCMan schema version \(quoted(schema)) is not read (1 and 3 are)")
    }
    guard let file = root.child("file") else {
      throw VaultError.inventory(reason: "the RDCMan file has no <file> element")
    }
    var reader = Reader(schemaOne: schema == "1", profiles: credentialProfiles(file))
    reader.passwords = try InventoryPasswords(capacity: 256)
    try reader.walk(file, groups: [], inherited: [:], isFile: true, source: bytes)
    var audit: ImportAudit?
    if !reader.clearText.list.isEmpty {
      audit = ImportAudit(
        protection: .clearText(tool: "RDCMan"), credentials: reader.clearText.list)
    }
    return ForeignInventory(
      items: reader.items, passwords: reader.passwords, skipped: [], audit: audit)
  }

  /// `credentialsProfiles`: named user and domain pairs that servers refer to.
  static func credentialProfiles(_ file: StrictXML.Element) -> [String: StrictXML.Element] {
    var result: [String: StrictXML.Element] = [:]
    for profile in file.child("credentialsProfiles")?.children("credentialsProfile") ?? [] {
      if let name = profile.child("profileName")?.text { result[name] = profile }
    }
    return result
  }

  struct Reader: ~Copyable {
    let schemaOne: Bool
    let profiles: [String: StrictXML.Element]
    var items: [InventoryItem] = []
    var passwords: InventoryPasswords
    var clearText = ExposedCredentials()

    init(schemaOne: Bool, profiles: [String: StrictXML.Element]) {
      self.schemaOne = schemaOne
      self.profiles = profiles
      passwords = try! InventoryPasswords(capacity: 0)
    }

    /// The node's own settings blocks: under `properties` for a schema-1 group or file,
    /// directly inside otherwise.
    func ownBlocks(_ node: StrictXML.Element, isServer: Bool) -> [String: StrictXML.Element] {
      let holder = schemaOne && !isServer ? node.child("properties") ?? node : node
      var result: [String: StrictXML.Element] = [:]
      for name in RDCManFile.blocks {
        if let block = holder.child(name), (block["inherit"] ?? "FromParent") == "None" {
          result[name] = block
        }
      }
      return result
    }

    mutating func walk(
      _ node: StrictXML.Element, groups: [String], inherited: [String: StrictXML.Element],
      isFile: Bool, source: [UInt8]
    ) throws {
      let settings = inherited.merging(ownBlocks(node, isServer: false)) { $1 }
      for child in node.children {
        switch child.localName {
        case "group":
          let name = child.child("properties")?.child("name")?.text ?? ""
          try walk(
            child, groups: groups + [name], inherited: settings, isFile: false, source: source)
        case "server":
          try server(
            child, groups: groups,
            settings: settings.merging(ownBlocks(child, isServer: true)) { $1 }, source: source)
        default: continue
        }
      }
    }

    mutating func server(
      _ node: StrictXML.Element, groups: [String], settings blocks: [String: StrictXML.Element],
      source: [UInt8]
    ) throws {
      let properties = schemaOne ? node : node.child("properties") ?? node
      let host = text(properties.child("name"))
      let display = text(properties.child("displayName"))
      let name = display.isEmpty ? host : display
      var warnings: [String] = []
      var user = ""
      var domain = ""
      var password: SecretBytes?
      if var logon = blocks["logonCredentials"] {
        if let profileName = logon.child("profileName")?.text, profileName != "Custom",
          let profile = profiles[profileName]
        {
          logon = profile
        }
        user = text(logon.child("userName"))
        domain = text(logon.child("domain"))
        if let stored = logon.child("password"), let range = stored.rawText, !range.isEmpty {
          if (stored["storeAsClearText"] ?? "").lowercased() == "true" {
            var secret = try SecretBytes(capacity: range.count)
            try source.withUnsafeBytes { source in
              try StrictXML.decode(source, range) { try secret.append($0) }
            }
            password = consume secret
            note(user: user, domain: domain, usedBy: name)
          } else {
            warnings.append(
              "its password is protected by Windows (DPAPI: only the user who saved it, on that machine, can open it) and was not imported"
            )
          }
        }
      }
      var settings = RDPSettings()
      var port = 3389
      func set(_ key: String, _ value: String) {
        do { try settings.setUnapproved(key, value) } catch {
          warnings.append("setting \(key) was not kept: \(Validation.escapedForDisplay(value))")
        }
      }
      if let connection = blocks["connectionSettings"] {
        if text(connection.child("connectToConsole")).lowercased() == "true" {
          set("administrative session", "1")
        }
        let program = text(connection.child("startProgram"))
        if !program.isEmpty { set("alternate shell", program) }
        let portText = text(connection.child("port"))
        if !portText.isEmpty {
          if let value = Int(portText), (1...65535).contains(value) {
            port = value
          } else {
            warnings.append("port \(Validation.escapedForDisplay(portText)) was not kept")
          }
        }
      }
      if let gateway = blocks["gatewaySettings"],
        text(gateway.child("enabled")).lowercased() == "true"
      {
        let gatewayHost = text(gateway.child("hostName"))
        if !gatewayHost.isEmpty {
          set("gatewayhostname", gatewayHost)
          set("gatewayusagemethod", "1")
        }
      }
      if let resources = blocks["localResources"] {
        if text(resources.child("redirectClipboard")).lowercased() == "false" {
          set("redirectclipboard", "0")
        }
        if text(resources.child("redirectPrinters")).lowercased() == "false" {
          set("redirectprinters", "0")
        }
        if text(resources.child("redirectDrives")).lowercased() == "true" {
          set("drivestoredirect", "*")
        }
        let audio = ["client": "0", "0": "0", "remote": "1", "1": "1", "nosound": "2", "2": "2"]
        if let mode = audio[text(resources.child("audioRedirection")).lowercased()], mode != "0" {
          set("audiomode", mode)
        }
      }
      if let security = blocks["securitySettings"] {
        let levels = [
          "connect": "0", "0": "0", "donotconnect": "1", "1": "1", "warn": "2", "2": "2",
        ]
        if let level = levels[text(security.child("authentication")).lowercased()] {
          set("authentication level", level)
        }
      }
      let tag = ForeignInventory.folderTag(groups.filter { !$0.isEmpty })
      if tag == nil && !groups.filter({ !$0.isEmpty }).isEmpty {
        warnings.append(
          "group \(Validation.escapedForDisplay(groups.joined(separator: "/"))) is not a valid tag and was not kept"
        )
      }
      let account = ForeignInventory.account(user: user, domain: domain, host: host)
      items.append(
        InventoryItem(
          name: ForeignInventory.vmName(name), host: host, port: port, kind: account.kind,
          user: user.isEmpty ? nil : user,
          domain: account.kind == .domain && !domain.isEmpty ? domain : nil,
          computerName: account.computerName, tags: tag.map { [$0] } ?? [],
          note: text(properties.child("comment")), settings: settings, warnings: warnings))
      switch consume password {
      case .some(let secret): try passwords.append(secret)
      case .none: passwords.appendNone()
      }
    }

    mutating func note(user: String, domain: String, usedBy name: String) {
      let signIn = domain.isEmpty ? user : "\(domain)\\\(user)"
      clearText.note(signIn, usedBy: name)
    }

    func text(_ element: StrictXML.Element?) -> String {
      element?.text.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }
  }
}
