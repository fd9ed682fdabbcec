/// Hand-written JSON for the two places that write tens of thousands of objects (`list
/// --json` and the records' settings column), where JSONEncoder costs more than the
/// decryption.
enum JSONText {
  /// A JSON string: quotes, backslashes and control characters escaped; UTF-8 kept.
  static func string(_ value: String, _ out: inout [UInt8]) {
    var value = value
    value.withUTF8 { string(UnsafeRawBufferPointer($0), &out) }
  }

  /// The same from UTF-8 bytes (a record's, checked).
  static func string(_ utf8: UnsafeRawBufferPointer, _ out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    escaped(utf8, &out)
    out.append(UInt8(ascii: "\""))
  }

  /// UTF-8 bytes escaped as inside a JSON string, without the quotes.
  static func escaped(_ utf8: UnsafeRawBufferPointer, _ out: inout [UInt8]) {
    // Nearly every value needs no escape: one scan of its bytes, one copy.
    var start = 0
    for index in utf8.indices {
      let byte = utf8[index]
      guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
        continue
      }
      out.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[start..<index]))
      start = index + 1
      out.append(UInt8(ascii: "\\"))
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
      case 0x0A: out.append(UInt8(ascii: "n"))
      case 0x0D: out.append(UInt8(ascii: "r"))
      case 0x09: out.append(UInt8(ascii: "t"))
      default:
        let hex = Array("0123456789abcdef".utf8)
        out += Array("u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
      }
    }
    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[start...]))
  }

  /// A decimal integer, without making a String of it.
  static func integer(_ value: Int, _ out: inout [UInt8]) {
    if value < 0 { out.append(UInt8(ascii: "-")) }
    // The largest magnitude, 2^63, has 19 digits.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var rest = value.magnitude
      var start = digits.count
      repeat {
        start -= 1
        digits[start] = UInt8(ascii: "0") + UInt8(rest % 10)
        rest /= 10
      } while rest > 0
      out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
    }
  }

  static func array(_ values: [String], _ out: inout [UInt8]) {
    out.append(UInt8(ascii: "["))
    for (index, value) in values.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      string(value, &out)
    }
    out.append(UInt8(ascii: "]"))
  }

  /// Keys sorted, so equal dictionaries give equal bytes.
  static func dictionary(_ values: [String: String], _ out: inout [UInt8]) {
    out.append(UInt8(ascii: "{"))
    for (index, key) in values.keys.sorted().enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      string(key, &out)
      out.append(UInt8(ascii: ":"))
      string(values[key]!, &out)
    }
    out.append(UInt8(ascii: "}"))
  }

  /// An object's fields in the order given: `key` then a writer for the value.
  static func object(_ fields: [(String, (inout [UInt8]) -> Void)], _ out: inout [UInt8]) {
    out.append(UInt8(ascii: "{"))
    for (index, (key, write)) in fields.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      string(key, &out)
      out.append(UInt8(ascii: ":"))
      write(&out)
    }
    out.append(UInt8(ascii: "}"))
  }
}
