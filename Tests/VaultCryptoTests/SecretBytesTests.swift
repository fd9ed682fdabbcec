import Testing

@testable import VaultCrypto

struct SecretBytesTests {
  @Test func appendStopsAtCapacity() throws {
    var secret = try SecretBytes(capacity: 2)
    try secret.append(1)
    try secret.append(2)
    #expect(throws: CryptoError.capacityExceeded(limit: 2)) { try secret.append(3) }
    #expect(secret.count == 2)
  }

  @Test func removeLastShortens() throws {
    var secret = try secret(Array("abc\n".utf8))
    secret.removeLast()
    #expect(bytes(of: secret) == Array("abc".utf8))
  }

  @Test func equalityComparesContentAndLength() throws {
    let a = try secret([1, 2, 3])
    let b = try secret([1, 2, 3])
    let c = try secret([1, 2, 4])
    let d = try secret([1, 2])
    #expect((equal(a, b) as Bool))
    #expect(!(equal(a, c) as Bool))
    #expect(!(equal(a, d) as Bool))
  }

  @Test func randomIsRandom() throws {
    let a = try SecretBytes.random(count: 32)
    let b = try SecretBytes.random(count: 32)
    #expect(!(equal(a, b) as Bool))
  }

  @Test func subkeysDifferByIDAndAreDeterministic() throws {
    let master = try secret([UInt8](repeating: 7, count: 32))
    let one = try KeyDerivation.subkey(of: master, id: 1, context: "rdpvault")
    let again = try KeyDerivation.subkey(of: master, id: 1, context: "rdpvault")
    let two = try KeyDerivation.subkey(of: master, id: 2, context: "rdpvault")
    #expect((equal(one, again) as Bool))
    #expect(!(equal(one, two) as Bool))
  }
}

private func equal(_ a: borrowing SecretBytes, _ b: borrowing SecretBytes) -> Bool {
  a.isEqual(to: b)
}
