import VaultCrypto

/// Passwords that meet Azure's rules for Windows VMs: 12-123 characters with at least three
/// of the four classes (lower, upper, digit, special). Ours always have all four.
public enum PasswordGenerator {
  static let classes: [[UInt8]] = [
    Array("abcdefghijkmnopqrstuvwxyz".utf8),
    Array("ABCDEFGHJKLMNPQRSTUVWXYZ".utf8),
    Array("23456789".utf8),
    Array("!#%+-.:=?@^_~".utf8),
  ]

  public static func generate(length: Int = 24) throws -> SecretBytes {
    precondition((12...123).contains(length))
    let all = classes.flatMap { $0 }
    while true {
      var password = try SecretBytes(capacity: length)
      var seen = [false, false, false, false]
      for _ in 0..<length {
        let byte = all[Int(Random.uniform(UInt32(all.count)))]
        for (index, members) in classes.enumerated() where members.contains(byte) {
          seen[index] = true
        }
        try password.append(byte)
      }
      if seen.allSatisfy({ $0 }) { return password }
    }
  }

  /// How many of the four character classes `password` uses.
  public static func classCount(_ password: borrowing SecretBytes) -> Int {
    password.withUnsafeBytes { bytes in
      var lower = false
      var upper = false
      var digit = false
      var other = false
      for byte in bytes {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): lower = true
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): upper = true
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = true
        default: other = true
        }
      }
      return [lower, upper, digit, other].filter { $0 }.count
    }
  }
}
