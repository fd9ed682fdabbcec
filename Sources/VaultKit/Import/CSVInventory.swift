import Foundation

/// A VM inventory as CSV (RFC 4180: commas, `"` quoting with `""` inside, CRLF or LF, an
/// optional UTF-8 byte-order mark), with a header naming its columns in any order:
/// `name,host,port,kind,user,domain,computer_name,tags,resource_group,subscription,note`.
/// `name`, `host` and `user` are required; `tags` are separated by `;`. `list --format csv`
/// writes the same columns, so a list round-trips. A password column is refused: a password
/// in a spreadsheet is in the clear, and rdpvault does not take it from there.
public enum CSVInventory {
  public static let columns = [
    "name", "host", "port", "kind", "user", "domain", "computer_name", "tags", "resource_group",
    "subscription", "note",
  ]
  static let required = ["name", "host", "user"]
  public static let maximumSize = 64 << 20

  /// Whether `bytes` look like such a file: a header line that names `name` and `host`.
  public static func looksLikeCSV(_ bytes: [UInt8]) -> Bool {
    let head = String(decoding: bytes.prefix(4096), as: UTF8.self)
    let firstLine = head.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).first ?? ""
    let names = firstLine.lowercased().split(separator: ",").map {
      $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"\u{FEFF}\r"))
    }
    return names.contains("name") && names.contains("host")
  }

  public static func read(_ bytes: [UInt8]) throws -> [InventoryItem] {
    guard bytes.count <= maximumSize else {
      throw VaultError.inventory(reason: "it is larger than \(maximumSize >> 20) MiB")
    }
    guard var text = String(validating: bytes, as: UTF8.self) else {
      throw VaultError.inventory(reason: "it is not UTF-8 text")
    }
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    let rows = try records(text)
    guard let header = rows.first else { throw VaultError.inventory(reason: "it is empty") }
    let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    for name in names where !columns.contains(name) {
      if name == "password" { throw VaultError.inventoryHasPasswords }
      let guess = closest(to: name, in: columns).first.map { " (did you mean \($0)?)" } ?? ""
      throw VaultError.inventory(
        reason:
          "its header has an unknown column \(quoted(name))\(guess); the columns are \(columns.joined(separator: ","))"
      )
    }
    for name in required where !names.contains(name) {
      throw VaultError.inventory(reason: "its header has no \(name) column")
    }
    if Set(names).count != names.count {
      throw VaultError.inventory(reason: "its header names a column twice")
    }
    var items: [InventoryItem] = []
    for (index, row) in rows.dropFirst().enumerated() {
      let line = index + 2
      if row.count == 1 && row[0].isEmpty { continue }
      guard row.count == names.count else {
        throw VaultError.inventory(
          reason: "record \(line) has \(row.count) fields, the header \(names.count)")
      }
      var field: [String: String] = [:]
      for (name, value) in zip(names, row) { field[name] = value }
      let portText = field["port", default: ""]
      guard let port = portText.isEmpty ? 3389 : Int(portText) else {
        throw VaultError.inventory(
          reason: "record \(line): port \(quoted(portText)) is not a number")
      }
      let kindText = field["kind", default: ""].lowercased()
      guard let kind = kindText.isEmpty ? .local : AccountKind(rawValue: kindText) else {
        throw VaultError.inventory(
          reason: "record \(line): kind \(quoted(kindText)) is not local, domain or dc")
      }
      let tags = field["tags", default: ""].split(separator: ";").map {
        $0.trimmingCharacters(in: .whitespaces)
      }.filter { !$0.isEmpty }
      let domain = field["domain", default: ""]
      let computerName = field["computer_name", default: ""]
      items.append(
        InventoryItem(
          name: field["name", default: ""], host: field["host", default: ""], port: port,
          kind: kind, user: field["user", default: ""], domain: domain.isEmpty ? nil : domain,
          computerName: computerName.isEmpty ? nil : computerName, tags: tags,
          resourceGroup: field["resource_group", default: ""],
          subscription: field["subscription", default: ""], note: field["note", default: ""]))
    }
    return items
  }

  /// The records of RFC 4180 text: quoted fields may hold commas, quotes (doubled) and line
  /// breaks; a quote inside an unquoted field, or an unclosed one, is an error.
  static func records(_ text: String) throws -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var quotedField = false
    var inQuotes = false
    var scalars = text.unicodeScalars.makeIterator()
    var pending: Unicode.Scalar? = nil
    var record = 1
    func next() -> Unicode.Scalar? {
      if let scalar = pending {
        pending = nil
        return scalar
      }
      return scalars.next()
    }
    while let scalar = next() {
      if inQuotes {
        if scalar == "\"" {
          if let following = next() {
            if following == "\"" {
              field.unicodeScalars.append("\"")
            } else {
              inQuotes = false
              pending = following
            }
          } else {
            inQuotes = false
          }
        } else {
          field.unicodeScalars.append(scalar)
        }
        continue
      }
      switch scalar {
      case ",":
        row.append(field)
        field = ""
        quotedField = false
      case "\r", "\n":
        if scalar == "\r", let following = next(), following != "\n" { pending = following }
        row.append(field)
        rows.append(row)
        row = []
        field = ""
        quotedField = false
        record += 1
      case "\"":
        guard field.isEmpty, !quotedField else {
          throw VaultError.inventory(reason: "record \(record): a quote inside an unquoted field")
        }
        inQuotes = true
        quotedField = true
      default:
        if quotedField {
          throw VaultError.inventory(reason: "record \(record): text after a closing quote")
        }
        field.unicodeScalars.append(scalar)
      }
    }
    if inQuotes { throw VaultError.inventory(reason: "record \(record): a quote is never closed") }
    if !field.isEmpty || !row.isEmpty {
      row.append(field)
      rows.append(row)
    }
    return rows
  }

  /// One CSV field: quoted when it holds a comma, a quote, a line break or outer spaces.
  public static func field(_ value: String) -> String {
    let needsQuotes =
      value.contains { ",\"\r\n".contains($0) } || value.hasPrefix(" ") || value.hasSuffix(" ")
    return needsQuotes ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
  }
}
