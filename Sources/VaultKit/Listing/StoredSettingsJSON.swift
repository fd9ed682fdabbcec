import Foundation

/// The parts of a settings column that `list --json` prints (`extra_lines`, `options` and
/// `settings`), found in place: what `SettingsCoding.encode` writes is already the JSON that
/// decoding and writing it again would give, so it is copied as it is. Only that exact
/// form is taken: canonical escapes (those `JSONText` writes), keys in plain ASCII without
/// escapes and strictly ascending (as `JSONText.dictionary` sorts them), and no approval among
/// the options (`shownOptions` leaves those out). For anything else `init` answers nil, and
/// the settings are decoded and written field by field.
struct StoredSettingsJSON {
  let extraLines: UnsafeRawBufferPointer
  let options: UnsafeRawBufferPointer
  let values: UnsafeRawBufferPointer

  /// Nil when the settings have none (`SettingsCoding.encode` then leaves the key out).
  let signedLines: UnsafeRawBufferPointer?

  init?(_ bytes: UnsafeRawBufferPointer) {
    var cursor = Cursor(bytes: bytes)
    guard cursor.literal(#"{"extraLines":"#), let extraLines = cursor.array(),
      cursor.literal(#","options":"#), let options = cursor.object(refusing: Self.approvals)
    else { return nil }
    var signedLines: UnsafeRawBufferPointer?
    if cursor.literal(#","signedLines":"#) {
      guard let lines = cursor.array() else { return nil }
      signedLines = lines
    }
    guard cursor.literal(#","values":"#), let values = cursor.object(refusing: []),
      cursor.literal("}"), cursor.offset == bytes.count
    else { return nil }
    (self.extraLines, self.options, self.values) = (extraLines, options, values)
    self.signedLines = signedLines
  }

  /// Whether `bytes` are exactly what `SettingsCoding.encode` writes for the settings they
  /// hold, none of them an approval: then they are also the encoding of the settings'
  /// `forSharing`, and export copies them as they are. Two forms this reader takes are not:
  /// an empty `signedLines` (left out when written) and settings with nothing in them
  /// (written as no bytes at all).
  static func isSharedEncoding(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let stored = StoredSettingsJSON(bytes) else { return false }
    let empty = { (part: UnsafeRawBufferPointer) in part.count == 2 }
    guard let signed = stored.signedLines else {
      return !(empty(stored.extraLines) && empty(stored.options) && empty(stored.values))
    }
    return !empty(signed)
  }

  private static let approvals = ConnectOption.approvals.map { Array($0.utf8) }

  private struct Cursor {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    mutating func literal(_ text: StaticString) -> Bool {
      let count = text.utf8CodeUnitCount
      guard bytes.count - offset >= count,
        memcmp(bytes.baseAddress! + offset, text.utf8Start, count) == 0
      else { return false }
      offset += count
      return true
    }

    mutating func byte(_ expected: UInt8) -> Bool {
      guard offset < bytes.count, bytes[offset] == expected else { return false }
      offset += 1
      return true
    }

    /// `[` canonical strings `]`, brackets included.
    mutating func array() -> UnsafeRawBufferPointer? {
      let start = offset
      guard byte(UInt8(ascii: "[")) else { return nil }
      if !byte(UInt8(ascii: "]")) {
        repeat { guard string() != nil else { return nil } } while byte(UInt8(ascii: ","))
        guard byte(UInt8(ascii: "]")) else { return nil }
      }
      return UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
    }

    /// `{` plain keys in ascending order, each with a canonical string `}`, braces included.
    mutating func object(refusing refused: [[UInt8]]) -> UnsafeRawBufferPointer? {
      let start = offset
      guard byte(UInt8(ascii: "{")) else { return nil }
      if !byte(UInt8(ascii: "}")) {
        var previous: UnsafeRawBufferPointer?
        repeat {
          guard let key = string(), Self.isPlain(key),
            previous.map({ $0.lexicographicallyPrecedes(key) }) ?? true,
            !refused.contains(where: { $0.elementsEqual(key) }),
            byte(UInt8(ascii: ":")), string() != nil
          else { return nil }
          previous = key
        } while byte(UInt8(ascii: ","))
        guard byte(UInt8(ascii: "}")) else { return nil }
      }
      return UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
    }

    /// A string exactly as `JSONText.escaped` writes one: `"`, `\` and the control
    /// characters escaped (`\n`, `\r`, `\t`, else `\u00xx` in lower case), nothing else. Its
    /// contents, between the quotes.
    mutating func string() -> UnsafeRawBufferPointer? {
      guard byte(UInt8(ascii: "\"")) else { return nil }
      let start = offset
      while offset < bytes.count {
        let byte = bytes[offset]
        if byte == UInt8(ascii: "\"") {
          offset += 1
          return UnsafeRawBufferPointer(rebasing: bytes[start..<offset - 1])
        }
        guard byte >= 0x20 else { return nil }
        if byte != UInt8(ascii: "\\") {
          offset += 1
          continue
        }
        guard offset + 1 < bytes.count else { return nil }
        switch bytes[offset + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "n"), UInt8(ascii: "r"),
          UInt8(ascii: "t"):
          offset += 2
        case UInt8(ascii: "u"):
          guard offset + 6 <= bytes.count, bytes[offset + 2] == UInt8(ascii: "0"),
            bytes[offset + 3] == UInt8(ascii: "0"),
            let high = Self.hexDigit(bytes[offset + 4]), high <= 1,
            let low = Self.hexDigit(bytes[offset + 5])
          else { return nil }
          // \n, \r and \t have their short forms.
          guard ![0x0A, 0x0D, 0x09].contains(high << 4 | low) else { return nil }
          offset += 6
        default:
          return nil
        }
      }
      return nil
    }

    /// A lower-case hex digit's value (`JSONText` writes no upper case).
    private static func hexDigit(_ byte: UInt8) -> UInt8? {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
      default: nil
      }
    }

    /// ASCII without escapes: its bytes sort as Swift sorts the string.
    private static func isPlain(_ key: UnsafeRawBufferPointer) -> Bool {
      key.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "\\") }
    }
  }
}
