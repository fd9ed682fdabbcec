/// Hand-written JSON for the two places that write tens of thousands of objects (`list
/// --json`, bundle payloads), where JSONEncoder costs more than the decryption.
public enum JSONText {
  /// A JSON string: quotes, backslashes and control characters escaped; UTF-8 kept.
  public static func string(_ value: String, _ out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    // Nearly every value needs no escape: one scan of its bytes, one copy.
    var value = value
    let plain = value.withUTF8 { bytes in
      guard
        !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        )
      else { return false }
      out.append(contentsOf: bytes)
      return true
    }
    if plain {
      out.append(UInt8(ascii: "\""))
      return
    }
    for byte in value.utf8 {
      switch byte {
      case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
      case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
      case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
      case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
      case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
      case 0..<0x20:
        let hex = Array("0123456789abcdef".utf8)
        out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
      default: out.append(byte)
      }
    }
    out.append(UInt8(ascii: "\""))
  }

  public static func array(_ values: [String], _ out: inout [UInt8]) {
    out.append(UInt8(ascii: "["))
    for (index, value) in values.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      string(value, &out)
    }
    out.append(UInt8(ascii: "]"))
  }

  /// Keys sorted, so equal dictionaries give equal bytes.
  public static func dictionary(_ values: [String: String], _ out: inout [UInt8]) {
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
  public static func object(_ fields: [(String, (inout [UInt8]) -> Void)], _ out: inout [UInt8]) {
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
