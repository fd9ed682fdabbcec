import Foundation
import VaultCrypto

/// Loads a vector file kept beside the tests.
func vectorData(_ name: String) throws -> Data {
  let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Vectors").appendingPathComponent(name)
  return try Data(contentsOf: url)
}

func hexBytes(_ hex: String) -> [UInt8] {
  var bytes: [UInt8] = []
  var index = hex.startIndex
  while index < hex.endIndex {
    let next = hex.index(index, offsetBy: 2)
    bytes.append(UInt8(hex[index..<next], radix: 16)!)
    index = next
  }
  return bytes
}

func hexString(_ bytes: [UInt8]) -> String {
  bytes.map { String(format: "%02x", $0) }.joined()
}

func secret(_ bytes: [UInt8]) throws -> SecretBytes {
  try SecretBytes(copying: bytes)
}

func bytes(of secret: borrowing SecretBytes) -> [UInt8] {
  secret.withUnsafeBytes { [UInt8]($0) }
}
