import Foundation

/// Hex text for bytes (certificate pins, test vectors, fixtures).
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
