import Foundation
import VaultCrypto

/// The plaintext of a sealed record (format 2): a version byte, then fields, each
/// `tag (u8) ‖ length (u32 BE) ‖ bytes`, tags ascending. Text is UTF-8, integers are i64 BE,
/// booleans one byte. SECURITY.md lists each table's tags. Hand-written, since `list` decodes
/// 100,000 of these.
struct RecordEncoder {
  static let version: UInt8 = 1
  private(set) var bytes: [UInt8] = [RecordEncoder.version]

  init(capacity: Int = 128) { bytes.reserveCapacity(capacity) }

  mutating func add(_ tag: UInt8, _ text: String) { add(tag, Array(text.utf8)) }

  mutating func add(_ tag: UInt8, _ value: Int64) {
    add(tag, be(value))
  }

  mutating func add(_ tag: UInt8, _ value: Bool) { add(tag, [value ? 1 : 0]) }

  mutating func add(_ tag: UInt8, _ raw: [UInt8]) { raw.withUnsafeBytes { add(tag, $0) } }

  /// A field copied from another record's bytes.
  mutating func add(_ tag: UInt8, _ raw: UnsafeRawBufferPointer) {
    bytes.append(tag)
    bytes.appendBigEndian(UInt32(raw.count))
    bytes.append(contentsOf: raw)
  }
}

/// Reads a record's fields; any malformation is damage. One pass notes where the last field
/// of each tag below 16 starts (every table's tags are), in inline storage: `list` reads
/// 100,000 of these, and an allocation per record showed in its profile.
struct RecordDecoder {
  /// The offset of the last field with each tag (its tag byte), or -1.
  private var last = InlineArray<16, Int32>(repeating: -1)
  let bytes: UnsafeRawBufferPointer
  let table: String

  init(_ bytes: UnsafeRawBufferPointer, table: String) throws {
    self.bytes = bytes
    self.table = table
    guard bytes.first == RecordEncoder.version else {
      throw Self.damage(table, "an unknown record version")
    }
    guard bytes.count <= Int(Int32.max) else { throw Self.damage(table, "an oversized record") }
    var offset = 1
    while offset < bytes.count {
      guard let field = Self.field(at: offset, in: bytes) else {
        throw Self.damage(table, "a truncated record")
      }
      let tag = Int(bytes[offset])
      if tag < last.count { last[tag] = Int32(offset) }
      offset = field.upperBound
    }
  }

  /// The value of the field whose tag byte is at `offset`, or nil when it runs past the end.
  private static func field(at offset: Int, in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
    guard offset + 5 <= bytes.count else { return nil }
    let length =
      Int(bytes[offset + 1]) << 24 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 8
      | Int(bytes[offset + 4])
    guard length <= bytes.count - offset - 5 else { return nil }
    return offset + 5..<offset + 5 + length
  }

  static func damage(_ table: String, _ what: String) -> VaultError {
    .corrupt(detail: "\(table) holds \(what)")
  }

  /// Every field with this tag, in order (a repeated one, like a profile's tags).
  func forEach(_ tag: UInt8, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    var offset = 1
    // The framing was checked by init.
    while offset < bytes.count, let field = Self.field(at: offset, in: bytes) {
      if bytes[offset] == tag { try body(UnsafeRawBufferPointer(rebasing: bytes[field])) }
      offset = field.upperBound
    }
  }

  /// The last field with this tag (a repeated tag's last value, as a writer would mean it).
  func raw(_ tag: UInt8) throws -> UnsafeRawBufferPointer {
    if Int(tag) < last.count {
      let offset = Int(last[Int(tag)])
      if offset >= 0, let field = Self.field(at: offset, in: bytes) {
        return UnsafeRawBufferPointer(rebasing: bytes[field])
      }
    } else {
      var found: UnsafeRawBufferPointer?
      forEach(tag) { found = $0 }
      if let found { return found }
    }
    throw Self.damage(table, "a record without field \(tag)")
  }

  func text(_ tag: UInt8) throws -> String { try Self.text(try raw(tag), table) }

  /// A text field checked as UTF-8 but left in place.
  func checkedText(_ tag: UInt8) throws -> UnsafeRawBufferPointer {
    let raw = try raw(tag)
    guard isValidUTF8(raw) else { throw Self.damage(table, "text that is not UTF-8") }
    return raw
  }

  func texts(_ tag: UInt8) throws -> [String] {
    var texts: [String] = []
    try forEach(tag) { texts.append(try Self.text($0, table)) }
    return texts
  }

  private static func text(_ raw: UnsafeRawBufferPointer, _ table: String) throws -> String {
    guard let text = validUTF8(raw) else { throw damage(table, "text that is not UTF-8") }
    return text
  }

  func integer(_ tag: UInt8) throws -> Int64 {
    let raw = try raw(tag)
    guard raw.count == 8 else { throw Self.damage(table, "an integer of the wrong size") }
    return raw.reduce(Int64(0)) { $0 << 8 | Int64($1) }
  }

  func bool(_ tag: UInt8) throws -> Bool {
    let raw = try raw(tag)
    guard raw.count == 1, raw[0] <= 1 else { throw Self.damage(table, "a flag of the wrong form") }
    return raw[0] == 1
  }

  func bytes(_ tag: UInt8) throws -> [UInt8] { Array(try raw(tag)) }

  /// A secret field, copied straight into guarded memory.
  func secret(_ tag: UInt8) throws -> SecretBytes { try SecretBytes(copying: try raw(tag)) }
}

extension CaseIterable where Self: RawRepresentable, RawValue == String {
  /// The case a record names, from its bytes (no String made of them).
  init?(utf8 bytes: UnsafeRawBufferPointer) {
    guard
      let found = Self.allCases.first(where: {
        var raw = $0.rawValue
        return raw.withUTF8 {
          $0.count == bytes.count
            && ($0.isEmpty || memcmp($0.baseAddress!, bytes.baseAddress!, $0.count) == 0)
        }
      })
    else { return nil }
    self = found
  }
}

/// Whether bytes are UTF-8, without making a String of ASCII (nearly every value).
func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
  var index = 0
  // Eight bytes at a time while they are ASCII.
  while index + 8 <= bytes.count {
    if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 {
      return validUTF8(bytes) != nil
    }
    index += 8
  }
  while index < bytes.count {
    if bytes[index] >= 0x80 { return validUTF8(bytes) != nil }
    index += 1
  }
  return true
}

/// UTF-8 bytes as a String, or nil when they are not valid UTF-8. `String(decoding:)` is the
/// specialised fast path and repairs bad sequences; a repair always changes the bytes, so
/// comparing them back refuses what `String(validating:)` refuses, without its generic cost
/// (most of `list`'s decoding time).
func validUTF8(_ bytes: UnsafeRawBufferPointer) -> String? {
  let buffer = bytes.bindMemory(to: UInt8.self)
  let text = String(decoding: buffer, as: UTF8.self)
  var text8 = text
  let same = text8.withUTF8 {
    $0.count == buffer.count
      && (buffer.isEmpty || memcmp($0.baseAddress!, buffer.baseAddress!, buffer.count) == 0)
  }
  return same ? text : nil
}
