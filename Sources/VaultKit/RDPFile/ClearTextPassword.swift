import VaultCrypto

/// Some tools save a password in the clear in an .rdp file (`password:s:…`, `clear
/// password:s:…`). Such a line never becomes text: before the file is decoded, its value is
/// copied into guarded memory and the line in the caller's buffer is overwritten with
/// spaces, so the reader, `show`, `rdp` and `export` never see it.
public enum ClearTextPassword {
  static let names: Set<String> = ["password", "clear password"]

  /// Takes every clear-text password line out of `bytes` (UTF-8, or UTF-16LE with its
  /// byte-order mark). Returns the last one's value; `lines` gets the numbers of the lines
  /// taken.
  public static func extract(from bytes: inout [UInt8], lines: inout [Int]) throws -> SecretBytes? {
    let utf16 = bytes.starts(with: [0xFF, 0xFE])
    let width = utf16 ? 2 : 1
    var start = utf16 ? 2 : (bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0)
    guard bytes.count - start <= RDPFileReader.maximumFileSize else { return nil }
    func unit(_ index: Int) -> UInt32 {
      utf16 ? UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 : UInt32(bytes[index])
    }
    var found: SecretBytes? = nil
    var number = 1
    let end = bytes.count - (bytes.count - start) % width
    while start < end {
      var stop = start
      while stop < end, unit(stop) != 0x0A, unit(stop) != 0x0D { stop += width }
      if let valueStart = valueStart(in: start..<stop, width: width, unit: unit) {
        // An empty value is "not set": the line goes, and no password is found.
        if valueStart < stop {
          var value = try SecretBytes(capacity: (stop - valueStart) / width * 3)
          if utf16 {
            try appendUTF8(fromUTF16LE: bytes, range: valueStart..<stop, to: &value)
          } else {
            try bytes.withUnsafeBytes {
              try value.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[valueStart..<stop]))
            }
          }
          found = .some(consume value)
          lines.append(number)
        }
        var index = start
        while index < stop {
          bytes[index] = 0x20
          if utf16 { bytes[index + 1] = 0 }
          index += width
        }
      }
      // One line ending: CRLF, LF or CR.
      if stop < end, unit(stop) == 0x0D, stop + width < end, unit(stop + width) == 0x0A {
        stop += width
      }
      start = stop + width
      number += 1
    }
    return found
  }

  /// Where the value starts, when the line is `<name>:s:` for a clear-text password name
  /// (any case, any Unicode whitespace around the name, as the reader trims it).
  private static func valueStart(in range: Range<Int>, width: Int, unit: (Int) -> UInt32) -> Int? {
    var units: [UInt32] = []
    var index = range.lowerBound
    while index < range.upperBound, unit(index) != 0x3A {
      guard units.count < 1024 else { return nil }
      units.append(unit(index))
      index += width
    }
    guard index < range.upperBound else { return nil }
    let name =
      width == 1
      ? String(decoding: units.map { UInt8($0) }, as: UTF8.self)
      : String(decoding: units.map { UInt16($0) }, as: UTF16.self)
    guard names.contains(name.trimmingCharacters(in: .whitespaces).lowercased()) else { return nil }
    let type = index + width
    let colon = index + 2 * width
    guard colon < range.upperBound, unit(type) | 0x20 == 0x73, unit(colon) == 0x3A else {
      return nil
    }
    return colon + width
  }

  private static func appendUTF8(
    fromUTF16LE bytes: [UInt8], range: Range<Int>, to out: inout SecretBytes
  ) throws {
    var index = range.lowerBound
    while index + 1 < range.upperBound {
      var scalar = UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8
      index += 2
      if (0xD800..<0xDC00).contains(scalar), index + 1 < range.upperBound {
        let low = UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8
        if (0xDC00..<0xE000).contains(low) {
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          index += 2
        }
      }
      switch scalar {
      case 0..<0x80:
        try out.append(UInt8(scalar))
      case 0x80..<0x800:
        try out.append(UInt8(0xC0 | scalar >> 6))
        try out.append(UInt8(0x80 | scalar & 0x3F))
      case 0x800..<0x10000:
        try out.append(UInt8(0xE0 | scalar >> 12))
        try out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        try out.append(UInt8(0x80 | scalar & 0x3F))
      default:
        try out.append(UInt8(0xF0 | scalar >> 18))
        try out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
        try out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        try out.append(UInt8(0x80 | scalar & 0x3F))
      }
    }
  }
}
