import Foundation
import Testing

@testable import VaultCrypto

struct SharingPrimitiveTests {
  struct X25519File: Decodable {
    struct Group: Decodable { var tests: [Case] }
    struct Case: Decodable {
      var tcId: Int
      var `public`: String
      var `private`: String
      var shared: String
      var result: String
      var flags: [String]
    }
    var testGroups: [Group]
  }

  struct Ed25519File: Decodable {
    struct Group: Decodable {
      struct Key: Decodable { var pk: String }
      var publicKey: Key
      var tests: [Case]
    }
    struct Case: Decodable {
      var tcId: Int
      var msg: String
      var sig: String
      var result: String
    }
    var testGroups: [Group]
  }

  /// Every valid case agrees with Wycheproof. The "acceptable" cases are decided this way:
  /// libsodium refuses an all-zero shared secret (low-order public keys), which a bundle
  /// must never be sealed to, and computes every other one (twist points, non-canonical
  /// encodings), which must then match.
  @Test func x25519() throws {
    let file = try JSONDecoder().decode(X25519File.self, from: try vectorData("x25519_test.json"))
    let cases = file.testGroups.flatMap(\.tests)
    #expect(cases.count == 518)
    for test in cases {
      let secretKey = try secret(hexBytes(test.private))
      let zero = test.shared == String(repeating: "0", count: 64)
      do {
        let shared = try Sealing.sharedSecret(
          secretKey: secretKey, publicKey: hexBytes(test.public))
        #expect(!zero, "case \(test.tcId): an all-zero secret was accepted")
        #expect(hexString(bytes(of: shared)) == test.shared, "case \(test.tcId)")
      } catch {
        #expect(zero && test.result != "valid", "case \(test.tcId) refused: \(error)")
      }
    }
  }

  /// Valid signatures verify; every invalid one (malleable, non-canonical, wrong length) is
  /// rejected.
  @Test func ed25519() throws {
    let file = try JSONDecoder().decode(Ed25519File.self, from: try vectorData("ed25519_test.json"))
    var count = 0
    for group in file.testGroups {
      for test in group.tests {
        count += 1
        let ok = Signing.verify(
          hexBytes(test.sig), message: hexBytes(test.msg), publicKey: hexBytes(group.publicKey.pk))
        #expect(ok == (test.result == "valid"), "case \(test.tcId)")
      }
    }
    #expect(count == 151)
  }

  @Test func sealedBoxesOpenOnlyForTheRecipient() throws {
    let alice = try Sealing.keyPair()
    let bob = try Sealing.keyPair()
    let message = try secret(Array("file key".utf8))
    let sealed = try Sealing.seal(message, to: alice.publicKey)
    #expect(
      bytes(of: try Sealing.open(sealed, publicKey: alice.publicKey, secretKey: alice.secretKey))
        == Array("file key".utf8))
    #expect(throws: CryptoError.authenticationFailed) {
      _ = try Sealing.open(sealed, publicKey: bob.publicKey, secretKey: bob.secretKey)
    }
    #expect(try Sealing.publicKey(of: alice.secretKey) == alice.publicKey)
  }

  /// RFC 8032, section 7.3, test vector "TEST abc": Ed25519ph (SHA-512 prehash, empty
  /// context). The signature is deterministic, so the known answer is checked byte for byte;
  /// pure Ed25519 must not accept it, nor Ed25519ph a changed message.
  @Test func ed25519phMatchesRFC8032() throws {
    let seed = try secret(
      hexBytes("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42"))
    let pair = try Signing.keyPair(seed: seed)
    #expect(
      pair.publicKey
        == hexBytes("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf"))
    let expected = hexBytes(
      "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41"
        + "31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406")
    let message = Array("abc".utf8)
    #expect(try Signing.signPrehashed(message, secretKey: pair.secretKey) == expected)
    #expect(
      message.withUnsafeBytes {
        Signing.verifyPrehashed(expected, message: $0, publicKey: pair.publicKey)
      })
    #expect(!Signing.verify(expected, message: message, publicKey: pair.publicKey))
    let other = Array("abd".utf8)
    #expect(
      !other.withUnsafeBytes {
        Signing.verifyPrehashed(expected, message: $0, publicKey: pair.publicKey)
      })
    let pure = try Signing.sign(message, secretKey: pair.secretKey)
    #expect(
      !message.withUnsafeBytes {
        Signing.verifyPrehashed(pure, message: $0, publicKey: pair.publicKey)
      })
  }

  @Test func signaturesCoverEveryByte() throws {
    let pair = try Signing.keyPair()
    let message = Array("header and ciphertext".utf8)
    let signature = try Signing.sign(message, secretKey: pair.secretKey)
    #expect(Signing.verify(signature, message: message, publicKey: pair.publicKey))
    var altered = message
    altered[0] ^= 1
    #expect(!Signing.verify(signature, message: altered, publicKey: pair.publicKey))
  }

  @Test func secretStreamDetectsTruncationAndReordering() throws {
    let key = try SecretBytes.random(count: SecretStream.keyLength)
    let plaintext = try secret((0..<1000).map { UInt8($0 % 251) })
    let (header, chunks) = try SecretStream.encrypt(
      plaintext, key: key, chunkSize: 300, associatedData: [1, 2])
    #expect(chunks.count == 4)
    #expect(
      bytes(
        of: try SecretStream.decrypt(
          header: header, chunks: chunks, key: key, associatedData: [1, 2])) == bytes(of: plaintext)
    )
    #expect(throws: CryptoError.self) {
      _ = try SecretStream.decrypt(
        header: header, chunks: Array(chunks.dropLast()), key: key, associatedData: [1, 2])
    }
    #expect(throws: CryptoError.self) {
      _ = try SecretStream.decrypt(
        header: header, chunks: [chunks[1], chunks[0]] + chunks[2...], key: key,
        associatedData: [1, 2])
    }
    #expect(throws: CryptoError.self) {
      _ = try SecretStream.decrypt(
        header: header, chunks: chunks, key: key, associatedData: [1, 3])
    }
  }
}
