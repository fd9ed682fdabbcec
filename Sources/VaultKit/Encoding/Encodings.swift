import Foundation
import VaultCrypto

// Every byte encoding the vault library writes or reads, in one place: hex (certificate
// pins, fixtures), base32 (identities), big-endian integers (headers, records, bundles,
// associated data) and UTF-16LE (.rdp files, PowerShell's -EncodedCommand).

/// Hex text for bytes, lower-case.
func hexEncode(_ bytes: [UInt8]) -> String {
  bytes.map { String(format: "%02x", $0) }.joined()
}

func hexDecode(_ text: String) throws -> [UInt8] {
  var bytes: [UInt8] = []
  var index = text.startIndex
  while index < text.endIndex {
    guard let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex),
      let byte = UInt8(text[index..<next], radix: 16)
    else { throw VaultError.corrupt(detail: "bad hex") }
    bytes.append(byte)
    index = next
  }
  return bytes
}

/// RFC 4648 base32, lower-case, without padding.
enum Base32 {
  static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

  static func encode(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    var buffer = 0
    var bits = 0
    for byte in bytes {
      buffer = (buffer << 8) | Int(byte)
      bits += 8
      while bits >= 5 {
        out.append(alphabet[(buffer >> (bits - 5)) & 31])
        bits -= 5
      }
    }
    if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
    return String(decoding: out, as: UTF8.self)
  }

  static func decode(_ text: String) -> [UInt8]? {
    var out: [UInt8] = []
    var buffer = 0
    var bits = 0
    for character in text.lowercased().utf8 {
      guard let value = alphabet.firstIndex(of: character) else { return nil }
      buffer = ((buffer << 5) | value) & 0xFFFF
      bits += 5
      if bits >= 8 {
        out.append(UInt8((buffer >> (bits - 8)) & 0xFF))
        bits -= 8
      }
    }
    return out
  }
}

/// An integer's bytes, most significant first.
func be<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
  withUnsafeBytes(of: value.bigEndian) { Array($0) }
}

extension Array where Element == UInt8 {
  /// Appends `value` big-endian, without a temporary array.
  mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
    Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
  }
}

extension SecretBytes {
  /// Appends `value` big-endian, without a temporary array (a bundle payload's lengths).
  mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) throws {
    try Swift.withUnsafeBytes(of: value.bigEndian) { try append(contentsOf: $0) }
  }
}

/// Text as UTF-16LE code units, as mstsc writes .rdp files and PowerShell reads
/// `-EncodedCommand`; `byteOrderMark` puts FF FE first.
func utf16LittleEndian(_ text: String, byteOrderMark: Bool = false) -> [UInt8] {
  var bytes: [UInt8] = byteOrderMark ? [0xFF, 0xFE] : []
  bytes.reserveCapacity(bytes.count + text.utf16.count * 2)
  for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
  return bytes
}
