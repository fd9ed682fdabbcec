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

  mutating func add(_ tag: UInt8, _ raw: [UInt8]) {
    bytes.append(tag)
    bytes.appendBigEndian(UInt32(raw.count))
    bytes.append(contentsOf: raw)
  }
}

/// Reads a record's fields; any malformation is damage. The fields sit in one small array
/// searched linearly (records have about a dozen): `list` builds 100,000 of these.
struct RecordDecoder {
  private var fields: [(tag: UInt8, range: Range<Int>)] = []
  let bytes: UnsafeRawBufferPointer
  let table: String

  init(_ bytes: UnsafeRawBufferPointer, table: String) throws {
    self.bytes = bytes
    self.table = table
    guard bytes.first == RecordEncoder.version else {
      throw Self.damage(table, "an unknown record version")
    }
    fields.reserveCapacity(16)
    var offset = 1
    while offset < bytes.count {
      guard offset + 5 <= bytes.count else { throw Self.damage(table, "a truncated record") }
      let tag = bytes[offset]
      let length =
        Int(bytes[offset + 1]) << 24 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 8
        | Int(bytes[offset + 4])
      offset += 5
      guard length <= bytes.count - offset else { throw Self.damage(table, "a truncated record") }
      fields.append((tag, offset..<offset + length))
      offset += length
    }
  }

  static func damage(_ table: String, _ what: String) -> VaultError {
    .corrupt(detail: "\(table) holds \(what)")
  }

  /// The last field with this tag (a repeated tag's last value, as a writer would mean it).
  func raw(_ tag: UInt8) throws -> UnsafeRawBufferPointer {
    guard let field = fields.last(where: { $0.tag == tag }) else {
      throw Self.damage(table, "a record without field \(tag)")
    }
    return UnsafeRawBufferPointer(rebasing: bytes[field.range])
  }

  func text(_ tag: UInt8) throws -> String { try Self.text(try raw(tag), table) }

  func texts(_ tag: UInt8) throws -> [String] {
    var texts: [String] = []
    for field in fields where field.tag == tag {
      texts.append(try Self.text(UnsafeRawBufferPointer(rebasing: bytes[field.range]), table))
    }
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
