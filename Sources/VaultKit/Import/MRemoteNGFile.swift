import ForeignCrypto
import Foundation
import VaultCrypto

/// mRemoteNG's `confCons.xml`, read as mRemoteNG reads it (its source, commit 2e7579cac5b4,
/// in the fixtures README): ConfVersion 2.6 and later encrypt each value with AES-256-GCM
/// under a PBKDF2-HMAC-SHA1 key (the file's `KdfIterations`), base64 of salt(16) ‖ nonce(16) ‖
/// ciphertext ‖ tag(16) with the salt as associated data; older files use AES-CBC under
/// MD5 of the password. Without a password of the user's own, mRemoteNG uses the built-in
/// `mR3m`, which anyone can apply: such a file holds its passwords in the clear in effect.
public enum MRemoteNGFile {
  /// mRemoteNG's built-in password (`RootNodeInfo.DefaultPassword`).
  public static let defaultPassword = "mR3m"
  /// Larger files are not an mRemoteNG connection list anyone keeps.
  public static let maximumSize = 64 << 20
  /// The newest ConfVersion this reader knows (mRemoteNG 1.77 reads up to 2.8).
  static let newestVersion = 2.8
  static let maximumIterations = 1_000_000
  /// PBKDF2 iterations for a whole file: 5,000 passwords at mRemoteNG's 10,000 (about half a
  /// minute here), so a hostile file cannot keep an import busy for hours.
  static let maximumWork = 50_000_000

  /// Each value has its own salt, so each costs a PBKDF2 run: the whole file's work is
  /// bounded before any run is made (`more`: values outside the nodes, such as `Protected`).
  static func checkWork(_ nodes: [StrictXML.Element], scheme: Scheme, more: Int) throws {
    guard scheme.modern else { return }
    let values = countPasswords(nodes) + more
    guard values * scheme.iterations <= maximumWork else {
      throw VaultError.inventory(
        reason:
          "\(values) passwords at \(scheme.iterations) PBKDF2 iterations each is more work than this reader does (\(maximumWork) iterations in all)"
      )
    }
  }

  /// The PBKDF2 runs reading a tree of nodes makes: one per node whose password, its own or
  /// (`InheritPassword`) the folder's above, is not empty. The walk opens an inherited value
  /// again for each node, so a node that inherits counts as one that has its own.
  static func countPasswords(_ nodes: [StrictXML.Element], inherited: String = "") -> Int {
    nodes.reduce(0) { count, node in
      let value =
        (node["InheritPassword"] ?? "").lowercased() == "true"
        ? inherited : node["Password"] ?? ""
      return count + (value.isEmpty ? 0 : 1) + countPasswords(node.children, inherited: value)
    }
  }

  /// One `Node` of type Connection, with inherited values resolved.
  public struct Connection: Equatable, Sendable {
    public var name: String
    /// The names of the folders above it, outermost first.
    public var folders: [String]
    public var protocolName: String
    public var host: String
    public var port: Int?
    public var username: String
    public var domain: String
    public var description: String
    /// `.rdp` properties mapped from mRemoteNG's (console, redirections, CredSSP,
    /// authentication level, gateway).
    public var settings: [(key: String, value: String)]
    /// Whether a password was found for it (in `Reading.passwords`, same index).
    public var hasPassword: Bool

    public static func == (a: Connection, b: Connection) -> Bool {
      a.name == b.name && a.folders == b.folders && a.protocolName == b.protocolName
        && a.host == b.host && a.port == b.port && a.username == b.username
        && a.domain == b.domain && a.description == b.description
        && a.settings.map(\.key) == b.settings.map(\.key)
        && a.settings.map(\.value) == b.settings.map(\.value) && a.hasPassword == b.hasPassword
    }
  }

  public struct Reading: ~Copyable {
    public var version: String
    public var connections: [Connection]
    /// A slot per connection.
    public var passwords: InventoryPasswords
    /// The file opened with mRemoteNG's built-in key.
    public var usedDefaultKey: Bool
    /// Every user with a password in the file (any protocol, folders too), for the audit.
    public var credentials: [ImportAudit.Credential]
  }

  /// Whether the bytes are an mRemoteNG connection file: its root is `Connections`, or (full-
  /// file encryption before 2.6) the whole file is one base64 value of an IV and AES-CBC
  /// blocks, which nothing else rdpvault reads is.
  public static func looksLikeMRemoteNG(_ bytes: [UInt8]) -> Bool {
    StrictXML.rootName(of: bytes) == "Connections" || looksLikeLegacyEncrypted(bytes)
  }

  static func looksLikeLegacyEncrypted(_ bytes: [UInt8]) -> Bool {
    // The first bytes first: every .rdp file of an import is sniffed, and is not decoded.
    // They may be the whitespace `text` trims, then base64.
    func isBase64(_ byte: UInt8) -> Bool {
      Validation.isASCIIAlnum(byte) || "+/=".utf8.contains(byte)
    }
    func mayLead(_ byte: UInt8) -> Bool {
      isBase64(byte) || " \t\n\u{0B}\u{0C}\r".utf8.contains(byte)
    }
    guard bytes.prefix(64).allSatisfy(mayLead), bytes.count <= maximumSize,
      let body = try? text(bytes), body.utf8.count >= 44, body.utf8.allSatisfy(isBase64),
      let data = Data(base64Encoded: body)
    else { return false }
    return data.count >= 32 && data.count % 16 == 0
  }

  /// Reads the file. `askPassword` is called when the built-in key does not open it (and
  /// returns nil to give up); a password that does not open it either is an error.
  public static func read(_ bytes: [UInt8], askPassword: () throws -> SecretBytes?) throws
    -> Reading
  {
    guard bytes.count <= maximumSize else {
      throw VaultError.inventory(
        reason:
          "the file is \(bytes.count >> 20) MiB; an mRemoteNG file is read up to \(maximumSize >> 20) MiB"
      )
    }
    var key = Key(password: try SecretBytes(copying: Array(defaultPassword.utf8)))
    var document = bytes
    // Before 2.6, full-file encryption made the whole file one base64 value (no XML at all).
    if !looksLikeXML(bytes) {
      let body = try text(bytes)
      // A wrong key passes CBC's padding check one time in 256: the plaintext must be XML.
      func opened(_ password: borrowing SecretBytes) -> [UInt8]? {
        guard let plaintext = try? legacyDecrypt(body, password: password) else { return nil }
        let document = plaintext.withUnsafeBytes { [UInt8]($0) }
        return looksLikeXML(document) ? document : nil
      }
      if let plain = opened(key.password) {
        document = plain
      } else {
        key = try askedKey(askPassword)
        guard let plain = opened(key.password) else {
          throw VaultError.sourcePasswordWrong(tool: "mRemoteNG")
        }
        document = plain
      }
    }
    let root = try parse(document)
    guard root.localName == "Connections" else {
      throw VaultError.inventory(
        reason: "not an mRemoteNG file (its root is <\(Validation.escapedForDisplay(root.name))>)")
    }
    let versionText = root["ConfVersion"] ?? ""
    guard let version = Double(versionText), version >= 2.0 else {
      throw VaultError.inventory(
        reason: "mRemoteNG file version \(quoted(versionText)) is not read (2.0 to 2.8 are)")
    }
    guard version <= newestVersion else {
      throw VaultError.inventory(
        reason:
          "mRemoteNG file version \(Validation.escapedForDisplay(versionText)) is newer than this reader knows (up to 2.8)"
      )
    }
    let scheme = try Scheme(root, version: version)
    guard ForeignCiphers.isAvailable else {
      throw VaultError.inventory(reason: ForeignCiphers.unavailableReason)
    }
    try checkWork(root.children("Node"), scheme: scheme, more: 1)
    // The `Protected` value tells a default key from the user's own password: it opens to
    // one of two known words (a wrong CBC key can pass the padding check by chance).
    if let protected = root["Protected"], !protected.isEmpty {
      func opens(_ password: borrowing SecretBytes) -> Bool {
        guard let plain = try? scheme.decrypt(protected, password: password) else { return false }
        let word = plain.withUnsafeBytes { [UInt8]($0) }
        return word == Array("ThisIsNotProtected".utf8) || word == Array("ThisIsProtected".utf8)
      }
      if !opens(key.password) {
        key = try askedKey(askPassword)
        guard opens(key.password) else { throw VaultError.sourcePasswordWrong(tool: "mRemoteNG") }
      }
    }
    var nodes = root.children("Node")
    if scheme.modern, (root["FullFileEncryption"] ?? "").lowercased() == "true" {
      let inner = try scheme.decrypt(
        root.text.trimmingCharacters(in: .whitespacesAndNewlines), password: key.password)
      let fragment = inner.withUnsafeBytes { [UInt8]($0) }
      nodes = try parse(Array("<Nodes>".utf8) + fragment + Array("</Nodes>".utf8)).children("Node")
    }
    try checkWork(nodes, scheme: scheme, more: 0)
    var walker = try Walker(scheme: scheme, key: key)
    try walker.walk(nodes, folders: [], parent: [:])
    return Reading(
      version: versionText, connections: walker.connections, passwords: walker.passwords,
      usedDefaultKey: walker.key.isDefault, credentials: walker.exposed.list)
  }

  // MARK: Keys and ciphers

  /// The password that opens the file, and whether it is mRemoteNG's built-in one.
  struct Key: ~Copyable {
    var password: SecretBytes
    var isDefault = true
  }

  private static func askedKey(_ askPassword: () throws -> SecretBytes?) throws -> Key {
    guard let password = try askPassword() else {
      throw VaultError.sourcePasswordNeeded(tool: "mRemoteNG")
    }
    return Key(password: password, isDefault: false)
  }

  struct Scheme {
    var modern: Bool
    var iterations: Int

    init(_ root: StrictXML.Element, version: Double) throws {
      modern = version >= 2.6
      iterations = 1000
      guard modern else { return }
      let engine = root["EncryptionEngine"] ?? "AES"
      let mode = root["BlockCipherMode"] ?? "GCM"
      guard engine == "AES", mode == "GCM" else {
        let (engine, mode) = (
          Validation.escapedForDisplay(engine), Validation.escapedForDisplay(mode)
        )
        throw VaultError.inventory(
          reason:
            "mRemoteNG encryption \(engine)-\(mode) is not read (AES-GCM, mRemoteNG's default, is); choose AES and GCM in mRemoteNG's security options and save again"
        )
      }
      let text = root["KdfIterations"] ?? "1000"
      guard let count = Int(text), (1...MRemoteNGFile.maximumIterations).contains(count) else {
        throw VaultError.inventory(
          reason:
            "KdfIterations \(quoted(text)) is not a count this reader accepts (1 to 1,000,000)")
      }
      iterations = count
    }

    func decrypt(_ value: String, password: borrowing SecretBytes) throws -> SecretBytes {
      modern
        ? try MRemoteNGFile.aeadDecrypt(value, password: password, iterations: iterations)
        : try MRemoteNGFile.legacyDecrypt(value, password: password)
    }
  }

  static func aeadDecrypt(_ value: String, password: borrowing SecretBytes, iterations: Int)
    throws -> SecretBytes
  {
    guard let data = Data(base64Encoded: value), data.count >= 48 else {
      throw ForeignCryptoError.badLength("an mRemoteNG value")
    }
    let bytes = [UInt8](data)
    let key = try ForeignCiphers.pbkdf2SHA1(
      password: try bouncyCastleBytes(password), salt: Array(bytes[0..<16]),
      iterations: iterations, length: 32)
    return try ForeignCiphers.aes256GCMOpen(
      key: key, nonce: bytes[16..<32], associatedData: bytes[0..<16],
      ciphertext: bytes[32..<bytes.count - 16], tag: bytes[(bytes.count - 16)...])
  }

  static func legacyDecrypt(_ value: String, password: borrowing SecretBytes) throws
    -> SecretBytes
  {
    guard let data = Data(base64Encoded: value), data.count >= 32 else {
      throw ForeignCryptoError.badLength("an mRemoteNG value")
    }
    let bytes = [UInt8](data)
    return try ForeignCiphers.aesCBCDecrypt(
      key: try ForeignCiphers.md5(password), iv: bytes[0..<16], ciphertext: bytes[16...])
  }

  /// BouncyCastle's `PKCS5PasswordToBytes`: one byte per UTF-16 code unit (its low byte),
  /// made from the UTF-8 password inside guarded memory.
  static func bouncyCastleBytes(_ password: borrowing SecretBytes) throws -> SecretBytes {
    var result = try SecretBytes(capacity: password.count * 2)
    var index = 0
    while index < password.count {
      let lead = password[index]
      let length = lead < 0x80 ? 1 : lead >> 5 == 0b110 ? 2 : lead >> 4 == 0b1110 ? 3 : 4
      guard index + length <= password.count else { break }
      var scalar = UInt32(length == 1 ? lead : lead & (0xFF >> (length + 1)))
      for offset in 1..<max(length, 1) where length > 1 {
        scalar = scalar << 6 | UInt32(password[index + offset] & 0x3F)
      }
      if scalar > 0xFFFF {
        let value = scalar - 0x10000
        try result.append(UInt8(truncatingIfNeeded: 0xD800 + (value >> 10)))
        try result.append(UInt8(truncatingIfNeeded: 0xDC00 + (value & 0x3FF)))
      } else {
        try result.append(UInt8(truncatingIfNeeded: scalar))
      }
      scalar = 0
      index += length
    }
    return result
  }

  // MARK: The tree

  /// The mRemoteNG attributes read, each with the `Inherit…` flag that takes it from the
  /// folder above (2.6 writes `Descr` and `ConnectToConsole`; later versions `Description`
  /// and `UseConsoleSession`).
  static let fields: [(field: String, attributes: [String], inherit: String)] = [
    ("Username", ["Username"], "InheritUsername"),
    ("Domain", ["Domain"], "InheritDomain"),
    ("Password", ["Password"], "InheritPassword"),
    ("Protocol", ["Protocol"], "InheritProtocol"),
    ("Port", ["Port"], "InheritPort"),
    ("Description", ["Description", "Descr"], "InheritDescription"),
    ("Console", ["UseConsoleSession", "ConnectToConsole"], "InheritUseConsoleSession"),
    ("UseCredSsp", ["UseCredSsp"], "InheritUseCredSsp"),
    ("AuthenticationLevel", ["RDPAuthenticationLevel"], "InheritRDPAuthenticationLevel"),
    ("RedirectDiskDrives", ["RedirectDiskDrives"], "InheritRedirectDiskDrives"),
    ("RedirectPrinters", ["RedirectPrinters"], "InheritRedirectPrinters"),
    ("RedirectClipboard", ["RedirectClipboard"], "InheritRedirectClipboard"),
    ("RedirectSound", ["RedirectSound"], "InheritRedirectSound"),
    ("GatewayUsage", ["RDGatewayUsageMethod"], "InheritRDGatewayUsageMethod"),
    ("GatewayHost", ["RDGatewayHostname"], "InheritRDGatewayHostname"),
  ]

  struct Walker: ~Copyable {
    let scheme: Scheme
    var key: Key
    var connections: [Connection] = []
    var passwords: InventoryPasswords
    var exposed = ExposedCredentials()

    init(scheme: Scheme, key: consuming Key) throws {
      self.scheme = scheme
      self.key = key
      passwords = try InventoryPasswords(capacity: 4096)
    }

    mutating func walk(_ nodes: [StrictXML.Element], folders: [String], parent: [String: String])
      throws
    {
      for node in nodes where node.localName == "Node" {
        let name = node["Name"] ?? ""
        var values: [String: String] = [:]
        for field in MRemoteNGFile.fields {
          let inherits = (node[field.inherit] ?? "").lowercased() == "true"
          values[field.field] =
            inherits
            ? parent[field.field] ?? ""
            : field.attributes.lazy.compactMap { node[$0] }.first ?? ""
        }
        let type = (node["Type"] ?? "Connection").lowercased()
        var hasPassword = false
        let opened = try open(values["Password"] ?? "", of: name)
        switch consume opened {
        case .some(let secret):
          hasPassword = true
          if type != "container" { try passwords.append(secret) }
        case .none:
          if type != "container" { passwords.appendNone() }
        }
        if hasPassword {
          note(signIn: values["Username"] ?? "", domain: values["Domain"] ?? "", usedBy: name)
        }
        if type == "container" {
          try walk(node.children, folders: folders + [name], parent: values)
          continue
        }
        var connection = connection(node, name: name, folders: folders, values: values)
        connection.hasPassword = hasPassword
        connections.append(connection)
      }
    }

    /// A value's plaintext, nil when empty; a value that does not open is damage.
    mutating func open(_ value: String, of node: String) throws -> SecretBytes? {
      guard !value.isEmpty else { return nil }
      do {
        let secret = try scheme.decrypt(value, password: key.password)
        if secret.isEmpty { return nil }
        return secret
      } catch {
        throw VaultError.inventory(
          reason: "the password of \(quoted(node)) does not open: the file is damaged")
      }
    }

    mutating func note(signIn user: String, domain: String, usedBy name: String) {
      let signIn =
        user.isEmpty
        ? "(no user)"
        : domain.isEmpty || user.contains("\\") || user.contains("@")
          ? user : "\(domain)\\\(user)"
      exposed.note(signIn, usedBy: name)
    }

    func connection(
      _ node: StrictXML.Element, name: String, folders: [String], values: [String: String]
    ) -> Connection {
      var settings: [(String, String)] = []
      // A flag becomes a setting only where it differs from what mstsc does without one.
      func flag(_ field: String, _ key: String, unlessDefault: Bool) {
        switch (values[field] ?? "").lowercased() {
        case "true" where !unlessDefault: settings.append((key, "1"))
        case "false" where unlessDefault: settings.append((key, "0"))
        default: break
        }
      }
      flag("Console", "administrative session", unlessDefault: false)
      flag("UseCredSsp", "enablecredsspsupport", unlessDefault: true)
      flag("RedirectClipboard", "redirectclipboard", unlessDefault: true)
      flag("RedirectPrinters", "redirectprinters", unlessDefault: true)
      if (values["RedirectDiskDrives"] ?? "").lowercased() == "true" {
        settings.append(("drivestoredirect", "*"))
      }
      let sound = ["bringtothiscomputer": "0", "leaveatremotecomputer": "1", "donotplay": "2"]
      if let mode = sound[(values["RedirectSound"] ?? "").lowercased()], mode != "0" {
        settings.append(("audiomode", mode))
      }
      let levels = ["noauth": "0", "authrequired": "1", "warnonfailedauth": "2"]
      if let level = levels[(values["AuthenticationLevel"] ?? "").lowercased()] {
        settings.append(("authentication level", level))
      }
      let usage = ["always": "1", "detect": "2"]
      let gateway = values["GatewayHost"] ?? ""
      if let method = usage[(values["GatewayUsage"] ?? "").lowercased()], !gateway.isEmpty {
        settings.append(("gatewayhostname", gateway))
        settings.append(("gatewayusagemethod", method))
      }
      return Connection(
        name: name, folders: folders, protocolName: values["Protocol"] ?? "",
        host: node["Hostname"] ?? "", port: Int(values["Port"] ?? ""),
        username: values["Username"] ?? "", domain: values["Domain"] ?? "",
        description: values["Description"] ?? "", settings: settings, hasPassword: false)
    }
  }

  // MARK: Text

  private static func looksLikeXML(_ bytes: [UInt8]) -> Bool {
    let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    return bytes[start...].first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "<")
  }

  private static func text(_ bytes: [UInt8]) throws -> String {
    guard let text = String(bytes: bytes, encoding: .utf8) else {
      throw VaultError.inventory(reason: "neither XML nor an encrypted mRemoteNG file")
    }
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  static func parse(_ bytes: [UInt8], raw: Set<String> = []) throws -> StrictXML.Element {
    do { return try StrictXML.parse(bytes, raw: raw) } catch {
      throw VaultError.inventory(reason: "line \(error.line): \(error.reason)")
    }
  }
}
