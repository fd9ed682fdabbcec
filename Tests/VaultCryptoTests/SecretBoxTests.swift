import Foundation
import Testing

@testable import VaultCrypto

struct WycheproofAEADFile: Decodable {
  struct Group: Decodable {
    var ivSize: Int
    var keySize: Int
    var tests: [Case]
  }
  struct Case: Decodable {
    var tcId: Int
    var comment: String
    var key: String
    var iv: String
    var aad: String
    var msg: String
    var ct: String
    var tag: String
    var result: String
  }
  var testGroups: [Group]
}

struct SecretBoxTests {
  static let cases: [WycheproofAEADFile.Case] = {
    let data = try! vectorData("xchacha20_poly1305_test.json")
    return try! JSONDecoder().decode(WycheproofAEADFile.self, from: data).testGroups
      .flatMap(\.tests)
  }()

  @Test func loadsEveryWycheproofCase() {
    #expect(Self.cases.count == 315)
  }

  /// The draft-irtf-cfrg-xchacha A.3.1 vector, spelled out.
  @Test func draftVector() throws {
    let key = try secret(
      hexBytes("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"))
    let nonce = hexBytes("404142434445464748494a4b4c4d4e4f5051525354555657")
    let aad = hexBytes("50515253c0c1c2c3c4c5c6c7")
    let message = Array(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."
        .utf8)
    let box = try message.withUnsafeBytes {
      try SecretBox.seal($0, additionalData: aad, key: key, nonce: nonce)
    }
    let expected =
      "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39"
      + "ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
      + "21f9664c97637da9768812f615c68b13b52e" + "c0875924c1c7987947deafd8780acf49"
    #expect(hexString(Array(box.dropFirst(24))) == expected)
    #expect(try SecretBox.open(box, additionalData: aad, key: key) == message)
  }

  /// Every Wycheproof case: valid ones encrypt to the published bytes and decrypt; invalid
  /// ones (bad tags, wrong nonce sizes) are refused with a typed error.
  @Test func wycheproof() throws {
    for test in Self.cases {
      let key = try secret(hexBytes(test.key))
      let nonce = hexBytes(test.iv)
      let aad = hexBytes(test.aad)
      let message = hexBytes(test.msg)
      let box = nonce + hexBytes(test.ct) + hexBytes(test.tag)
      switch test.result {
      case "valid":
        let sealed = try message.withUnsafeBytes {
          try SecretBox.seal($0, additionalData: aad, key: key, nonce: nonce)
        }
        #expect(sealed == box, "case \(test.tcId)")
        #expect(
          try SecretBox.open(box, additionalData: aad, key: key) == message, "case \(test.tcId)")
        let opened = try SecretBox.openSecret(box, additionalData: aad, key: key)
        #expect(bytes(of: opened) == message, "case \(test.tcId)")
      default:
        if nonce.count != SecretBox.nonceLength {
          #expect(throws: CryptoError.self, "case \(test.tcId)") {
            try message.withUnsafeBytes {
              try SecretBox.seal($0, additionalData: aad, key: key, nonce: nonce)
            }
          }
        } else {
          #expect(throws: CryptoError.authenticationFailed, "case \(test.tcId)") {
            try SecretBox.open(box, additionalData: aad, key: key)
          }
        }
      }
    }
  }

  @Test func wrongKeyOrAssociatedDataFails() throws {
    let key = try SecretBytes.random(count: 32)
    let other = try SecretBytes.random(count: 32)
    let box = try SecretBox.seal(Array("hello".utf8), additionalData: [1], key: key)
    #expect(box.count == 5 + SecretBox.overhead)
    #expect(throws: CryptoError.authenticationFailed) {
      try SecretBox.open(box, additionalData: [2], key: key)
    }
    #expect(throws: CryptoError.authenticationFailed) {
      try SecretBox.open(box, additionalData: [1], key: other)
    }
    #expect(throws: CryptoError.authenticationFailed) {
      try SecretBox.open(Array(box.prefix(39)), additionalData: [1], key: key)
    }
  }

  @Test func shortKeyIsATypedError() throws {
    let key = try SecretBytes.random(count: 16)
    #expect(throws: CryptoError.invalidLength(what: "key", expected: 32, actual: 16)) {
      try SecretBox.seal([1], additionalData: [], key: key)
    }
  }

  @Test func randomNoncesDiffer() throws {
    let key = try SecretBytes.random(count: 32)
    let a = try SecretBox.seal([1, 2, 3], additionalData: [], key: key)
    let b = try SecretBox.seal([1, 2, 3], additionalData: [], key: key)
    #expect(a != b)
  }
}
