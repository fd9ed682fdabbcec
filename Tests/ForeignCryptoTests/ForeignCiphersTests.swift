import Foundation
import Testing
import VaultCrypto

@testable import ForeignCrypto

private func vector(_ name: String) throws -> Data {
  try Data(
    contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Vectors/\(name)"))
}

private func hex(_ text: String) -> [UInt8] {
  var bytes: [UInt8] = []
  var index = text.startIndex
  while index < text.endIndex {
    let next = text.index(index, offsetBy: 2)
    bytes.append(UInt8(text[index..<next], radix: 16)!)
    index = next
  }
  return bytes
}

private func bytes(_ secret: borrowing SecretBytes) -> [UInt8] {
  secret.withUnsafeBytes { [UInt8]($0) }
}

private struct Wycheproof<Case: Decodable>: Decodable {
  struct Group: Decodable { var tests: [Case] }
  var numberOfTests: Int
  var testGroups: [Group]
  var cases: [Case] { testGroups.flatMap(\.tests) }
}

private struct PBKDF2Case: Decodable {
  var tcId: Int
  var password: String
  var salt: String
  var iterationCount: Int
  var dkLen: Int
  var dk: String
  var result: String
}

private struct CipherCase: Decodable {
  var tcId: Int
  var key: String
  var iv: String
  var aad: String?
  var msg: String
  var ct: String
  var tag: String?
  var result: String
}

struct ForeignCiphersTests {
  @Test func pbkdf2HMACSHA1MatchesWycheproof() throws {
    let file = try JSONDecoder().decode(
      Wycheproof<PBKDF2Case>.self, from: try vector("pbkdf2_hmacsha1_test.json"))
    #expect(file.cases.count == file.numberOfTests && file.numberOfTests == 64)
    for test in file.cases {
      let password = try SecretBytes(copying: hex(test.password))
      let key = try ForeignCiphers.pbkdf2SHA1(
        password: password, salt: hex(test.salt), iterations: test.iterationCount,
        length: test.dkLen)
      #expect(bytes(key) == hex(test.dk), "case \(test.tcId)")
      #expect(test.result == "valid")
    }
  }

  @Test func aesGCMWithSixteenByteNoncesMatchesWycheproof() throws {
    let file = try JSONDecoder().decode(
      Wycheproof<CipherCase>.self, from: try vector("aes_gcm_256_iv128_test.json"))
    #expect(file.cases.count == 19)
    for test in file.cases {
      let key = try SecretBytes(copying: hex(test.key))
      do {
        let plaintext = try ForeignCiphers.aes256GCMOpen(
          key: key, nonce: ArraySlice(hex(test.iv)), associatedData: ArraySlice(hex(test.aad!)),
          ciphertext: ArraySlice(hex(test.ct)), tag: ArraySlice(hex(test.tag!)))
        #expect(test.result == "valid", "case \(test.tcId) opened")
        #expect(bytes(plaintext) == hex(test.msg), "case \(test.tcId)")
      } catch let error as ForeignCryptoError {
        #expect(test.result == "invalid", "case \(test.tcId): \(error)")
        #expect(error == .wrongKeyOrDamaged)
      }
    }
    // This group has only valid cases, none with associated data: every bit of one case's
    // nonce, ciphertext and tag flipped in turn, or associated data added, must be refused.
    let test = file.cases.first { !$0.ct.isEmpty }!
    let key = try SecretBytes(copying: hex(test.key))
    let parts = [hex(test.iv), hex(test.aad!), hex(test.ct), hex(test.tag!)]
    #expect(throws: ForeignCryptoError.wrongKeyOrDamaged) {
      _ = try ForeignCiphers.aes256GCMOpen(
        key: key, nonce: ArraySlice(parts[0]), associatedData: [0],
        ciphertext: ArraySlice(parts[2]),
        tag: ArraySlice(parts[3]))
    }
    for part in parts.indices {
      for bit in 0..<(parts[part].count * 8) {
        var changed = parts
        changed[part][bit / 8] ^= UInt8(1 << (bit % 8))
        #expect(throws: ForeignCryptoError.wrongKeyOrDamaged) {
          _ = try ForeignCiphers.aes256GCMOpen(
            key: key, nonce: ArraySlice(changed[0]), associatedData: ArraySlice(changed[1]),
            ciphertext: ArraySlice(changed[2]), tag: ArraySlice(changed[3]))
        }
      }
    }
  }

  @Test func aesCBCWithPKCS7PaddingMatchesWycheproof() throws {
    let file = try JSONDecoder().decode(
      Wycheproof<CipherCase>.self, from: try vector("aes_cbc_pkcs5_test.json"))
    #expect(file.cases.count == 216)
    var refused = 0
    for test in file.cases {
      let key = try SecretBytes(copying: hex(test.key))
      do {
        let plaintext = try ForeignCiphers.aesCBCDecrypt(
          key: key, iv: ArraySlice(hex(test.iv)), ciphertext: ArraySlice(hex(test.ct)))
        #expect(test.result == "valid", "case \(test.tcId) opened")
        #expect(bytes(plaintext) == hex(test.msg), "case \(test.tcId)")
      } catch is ForeignCryptoError {
        #expect(test.result == "invalid", "case \(test.tcId)")
        refused += 1
      }
    }
    #expect(refused > 0)
  }

  @Test func tripleDESCBCWithoutPadding() throws {
    let key = try SecretBytes(copying: hex("0123456789abcdeff1e0d3c2b5a49786fedcba9876543210"))
    let plaintext = try ForeignCiphers.tripleDESCBCDecrypt(
      key: key, iv: ArraySlice(hex("1032547698badcfe")),
      ciphertext: ArraySlice(hex("7e571d9022ec20e0b557268225c78cf8")))
    #expect(bytes(plaintext) == Array("Sup3r Sécret!".utf8) + [0, 0])
    #expect(throws: ForeignCryptoError.self) {
      _ = try ForeignCiphers.tripleDESCBCDecrypt(
        key: key, iv: ArraySlice(hex("1032547698badcfe")), ciphertext: ArraySlice(hex("7e571d90")))
    }
  }

  @Test func md5KnownAnswer() throws {
    // RFC 1321, appendix A.5.
    let digest = try ForeignCiphers.md5(try SecretBytes(copying: Array("abc".utf8)))
    #expect(bytes(digest) == hex("900150983cd24fb0d6963f7d28e17f72"))
  }

  @Test func refusesSizesBeforeCallingTheLibrary() throws {
    let key = try SecretBytes(copying: [UInt8](repeating: 1, count: 31))
    #expect(throws: ForeignCryptoError.self) {
      _ = try ForeignCiphers.aes256GCMOpen(
        key: key, nonce: ArraySlice([UInt8](repeating: 0, count: 16)), associatedData: [],
        ciphertext: [], tag: ArraySlice([UInt8](repeating: 0, count: 16)))
    }
    let password = try SecretBytes(copying: Array("p".utf8))
    #expect(throws: ForeignCryptoError.self) {
      _ = try ForeignCiphers.pbkdf2SHA1(password: password, salt: [1], iterations: 0, length: 32)
    }
  }
}
