import Foundation
import Testing

@testable import VaultCrypto

struct Argon2idVector: Decodable {
  var password: String
  var salt: String
  var outlen: Int
  var opslimit: UInt64
  var memlimit: UInt64
  var expected: String
}

struct Argon2idTests {
  static let vectors: [Argon2idVector] = {
    struct File: Decodable { var tests: [Argon2idVector] }
    let data = try! vectorData("libsodium_argon2id.json")
    return try! JSONDecoder().decode(File.self, from: data).tests
  }()

  @Test("libsodium's published Argon2id known answers", arguments: vectors.indices)
  func knownAnswer(index: Int) throws {
    let vector = Self.vectors[index]
    let password = try secret(hexBytes(vector.password))
    let key = try KeyDerivation.argon2idUnchecked(
      passphrase: password, salt: hexBytes(vector.salt), opsLimit: vector.opslimit,
      memLimit: vector.memlimit, length: vector.outlen)
    #expect(hexString(bytes(of: key)) == vector.expected)
  }

  @Test func presetsAreLibsodiums() {
    #expect(KDFParameters.interactive.opsLimit == 2)
    #expect(KDFParameters.interactive.memLimit == 64 << 20)
    #expect(KDFParameters.moderate.opsLimit == 3)
    #expect(KDFParameters.moderate.memLimit == 256 << 20)
    #expect(KDFParameters.sensitive.opsLimit == 4)
    #expect(KDFParameters.sensitive.memLimit == 1 << 30)
  }

  static let outOfRangeCases: [(UInt64, UInt64)] = [
    (1, 64 << 20), (5, 64 << 20), (2, (64 << 20) - 1), (2, (1 << 30) + 1), (3, 100 << 30),
    (0, 0), (UInt64.max, UInt64.max),
  ]

  @Test("parameters outside INTERACTIVE…SENSITIVE are refused", arguments: outOfRangeCases)
  func outOfRange(ops: UInt64, mem: UInt64) {
    #expect(throws: CryptoError.kdfParametersOutOfRange(opsLimit: ops, memLimit: mem)) {
      try KDFParameters(opsLimit: ops, memLimit: mem)
    }
  }

  @Test func inRangeIsAccepted() throws {
    let parameters = try KDFParameters(opsLimit: 3, memLimit: 128 << 20)
    #expect(parameters.presetName == nil)
    #expect(try KDFParameters(opsLimit: 3, memLimit: 256 << 20).presetName == "moderate")
  }

  @Test func wrongSaltLengthIsATypedError() throws {
    let password = try secret(Array("pw".utf8))
    #expect(throws: CryptoError.invalidLength(what: "salt", expected: 16, actual: 3)) {
      _ = try KeyDerivation.argon2id(
        passphrase: password, salt: [1, 2, 3], parameters: .interactive)
    }
  }
}
