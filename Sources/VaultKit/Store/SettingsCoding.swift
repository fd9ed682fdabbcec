import Foundation

/// The settings column: JSON with sorted keys, so equal settings give equal plaintext.
enum SettingsCoding {
  static func encode(_ settings: RDPSettings) throws -> String {
    if settings.isEmpty { return "" }
    // By hand, as JSONEncoder would with sorted keys: bulk adds and imports write thousands.
    var out: [UInt8] = []
    // `signedLines` only when there are any: the encoding of every other profile is unchanged.
    var fields: [(String, (inout [UInt8]) -> Void)] = [
      ("extraLines", { JSONText.array(settings.extraLines, &$0) }),
      ("options", { JSONText.dictionary(settings.options, &$0) }),
    ]
    if !settings.signedLines.isEmpty {
      fields.append(("signedLines", { JSONText.array(settings.signedLines, &$0) }))
    }
    fields.append(("values", { JSONText.dictionary(settings.values, &$0) }))
    JSONText.object(fields, &out)
    return String(decoding: out, as: UTF8.self)
  }

  static func decode(_ text: String) throws -> RDPSettings {
    var text = text
    return try text.withUTF8 { try decode(UnsafeRawBufferPointer($0)) }
  }

  /// The settings of a record, from its bytes (UTF-8, checked by the caller).
  static func decode(_ bytes: UnsafeRawBufferPointer) throws -> RDPSettings {
    if bytes.isEmpty { return RDPSettings() }
    if let settings = SettingsJSONReader.read(bytes.assumingMemoryBound(to: UInt8.self)) {
      return settings
    }
    // Anything the fast reader does not expect (an older writer's spacing or key) goes to
    // Foundation's decoder, which decides.
    do {
      return try JSONDecoder().decode(RDPSettings.self, from: Data(bytes))
    } catch {
      throw VaultError.corrupt(detail: "profile settings cannot be read")
    }
  }
}

/// A reader for exactly what `SettingsCoding.encode` writes: an object whose `values` and
/// `options` are objects of strings and whose `extraLines` is an array of strings. It answers
/// nil for anything else, never a guess. `list --json` decodes 100,000 of these, and
/// JSONDecoder costs more than the decryption.
enum SettingsJSONReader {
  static func read(_ bytes: UnsafeBufferPointer<UInt8>) -> RDPSettings? {
    var reader = Cursor(bytes: bytes)
    var settings = RDPSettings()
    var seen: [String] = []
    guard reader.consume(UInt8(ascii: "{")) else { return nil }
    if !reader.consume(UInt8(ascii: "}")) {
      repeat {
        guard let key = reader.string(), !seen.contains(key), reader.consume(UInt8(ascii: ":"))
        else { return nil }
        seen.append(key)
        switch key {
        case "values":
          guard let values = reader.stringObject() else { return nil }
          settings.values = values
        case "options":
          guard let options = reader.stringObject() else { return nil }
          settings.options = options
        case "extraLines":
          guard let lines = reader.stringArray() else { return nil }
          settings.extraLines = lines
        case "signedLines":
          guard let lines = reader.stringArray() else { return nil }
          settings.signedLines = lines
        default: return nil
        }
      } while reader.consume(UInt8(ascii: ","))
      guard reader.consume(UInt8(ascii: "}")) else { return nil }
    }
    reader.skipSpace()
    return reader.offset == bytes.count ? settings : nil
  }

  private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0

    mutating func skipSpace() {
      while offset < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[offset]) { offset += 1 }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
      skipSpace()
      guard offset < bytes.count, bytes[offset] == byte else { return false }
      offset += 1
      return true
    }

    mutating func stringObject() -> [String: String]? {
      var object: [String: String] = [:]
      guard consume(UInt8(ascii: "{")) else { return nil }
      if consume(UInt8(ascii: "}")) { return object }
      repeat {
        guard let key = string(), consume(UInt8(ascii: ":")), let value = string(),
          object.updateValue(value, forKey: key) == nil
        else { return nil }
      } while consume(UInt8(ascii: ","))
      return consume(UInt8(ascii: "}")) ? object : nil
    }

    mutating func stringArray() -> [String]? {
      var array: [String] = []
      guard consume(UInt8(ascii: "[")) else { return nil }
      if consume(UInt8(ascii: "]")) { return array }
      repeat {
        guard let value = string() else { return nil }
        array.append(value)
      } while consume(UInt8(ascii: ","))
      return consume(UInt8(ascii: "]")) ? array : nil
    }

    /// A JSON string. Strings without escapes (nearly all) are one slice; `\uXXXX` outside
    /// the basic plane, or anything unusual, gives nil and the fallback decides.
    mutating func string() -> String? {
      guard consume(UInt8(ascii: "\"")) else { return nil }
      let start = offset
      while offset < bytes.count, bytes[offset] != UInt8(ascii: "\""),
        bytes[offset] != UInt8(ascii: "\\")
      {
        guard bytes[offset] >= 0x20 else { return nil }
        offset += 1
      }
      guard offset < bytes.count else { return nil }
      if bytes[offset] == UInt8(ascii: "\"") {
        offset += 1
        return validUTF8(
          UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<offset - 1])))
      }
      var utf8 = Array(bytes[start..<offset])
      while bytes[offset] == UInt8(ascii: "\\") {
        guard offset + 1 < bytes.count else { return nil }
        let escape = bytes[offset + 1]
        offset += 2
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "u"):
          guard offset + 4 <= bytes.count,
            bytes[offset..<offset + 4].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
            let code = UInt32(
              String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16),
            let scalar = Unicode.Scalar(code)
          else { return nil }
          offset += 4
          utf8.append(contentsOf: String(Character(scalar)).utf8)
        default: return nil
        }
        while offset < bytes.count, bytes[offset] != UInt8(ascii: "\""),
          bytes[offset] != UInt8(ascii: "\\")
        {
          guard bytes[offset] >= 0x20 else { return nil }
          utf8.append(bytes[offset])
          offset += 1
        }
        guard offset < bytes.count else { return nil }
      }
      offset += 1
      return utf8.withUnsafeBytes { validUTF8($0) }
    }
  }
}
