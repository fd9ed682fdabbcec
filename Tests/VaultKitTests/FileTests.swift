import Foundation
import GRDB
import Testing
import VaultCrypto

@testable import VaultKit

struct FileTests {
  func mode(_ path: String) -> UInt32 {
    var info = stat()
    stat(path, &info)
    return UInt32(info.st_mode) & 0o7777
  }

  @Test func vaultFileIs0600InA0700Directory() throws {
    let temp = TemporaryDirectory()
    let path = temp.path + "/a/b/vault.db"
    let vault = try Vault.create(at: path, passphrase: try secret("pp"), kdf: testKDF)
    try vault.addLocal("web-01", password: "x")
    #expect(mode(path) == 0o600)
    #expect(mode(temp.path + "/a/b") == 0o700)
    #expect(mode(temp.path + "/a") == 0o700)
  }

  @Test func anExistingVaultIsNotOverwritten() throws {
    let temp = TemporaryDirectory()
    let path = temp.path + "/vault.db"
    _ = try Vault.create(at: path, passphrase: try secret("pp"), kdf: testKDF)
    #expect(throws: VaultError.vaultExists(path: path)) {
      try Vault.create(at: path, passphrase: try secret("other"), kdf: testKDF)
    }
    _ = try Vault.open(at: path, passphrase: try secret("pp"))
  }

  /// Any group or other bit, read or write, is refused.
  @Test(arguments: [0o644, 0o640, 0o604, 0o620, 0o602, 0o610])
  func aVaultOthersCanReadIsRefused(_ mode: Int) throws {
    let temp = TemporaryDirectory()
    let path = temp.path + "/vault.db"
    _ = try Vault.create(at: path, passphrase: try secret("pp"), kdf: testKDF)
    chmod(path, mode_t(mode))
    #expect(throws: VaultError.insecurePermissions(path: path, mode: UInt32(mode))) {
      try Vault.open(at: path, passphrase: try secret("pp"))
    }
  }

  @Test func garbageIsNotAVault() throws {
    let temp = TemporaryDirectory()
    let path = temp.path + "/vault.db"
    _ = FileManager.default.createFile(
      atPath: path, contents: Data(repeating: 0x41, count: 4096),
      attributes: [.posixPermissions: 0o600])
    #expect(throws: VaultError.notAVault(path: path)) {
      try Vault.open(at: path, passphrase: try secret("pp"))
    }
  }

  @Test func anUnrelatedSQLiteFileIsNotAVault() throws {
    let temp = TemporaryDirectory()
    let path = temp.path + "/other.db"
    let queue = try DatabaseQueue(path: path)
    try queue.write { try $0.execute(sql: "CREATE TABLE t (x)") }
    try queue.close()
    chmod(path, 0o600)
    #expect(throws: VaultError.notAVault(path: path)) {
      try Vault.open(at: path, passphrase: try secret("pp"))
    }
  }

  /// None of the strings a user typed appears in the file or its sidecars, in UTF-8 or
  /// UTF-16, before or after a delete.
  @Test func noCanaryReachesTheDisk() throws {
    let temp = TemporaryDirectory()
    let path = temp.path + "/vault.db"
    let canaries = [
      "canaryvm1", "canary-host.example.net", "CanaryUser1", "CANARYDOM", "canary note text",
      "CanaryPassw0rd!", "canarytag", "canary-rg", "canary-sub", "CANARYVM2", "198.51.100.77",
    ]
    let vault = try Vault.create(at: path, passphrase: try secret("pp"), kdf: testKDF)
    let first = Profile(
      name: "canaryvm1", host: "canary-host.example.net", computerName: "CANARYVM1", kind: .local,
      resourceGroup: "canary-rg", subscription: "canary-sub", tags: ["canarytag"],
      note: "canary note text")
    try vault.addProfile(
      first, account: try AccountName.parse(user: "CanaryUser1", domain: nil),
      password: try secret("CanaryPassw0rd!"))
    let second = Profile(
      name: "canaryvm2", host: "198.51.100.77", computerName: "CANARYVM2", kind: .domain)
    try vault.addProfile(
      second, account: try AccountName.parse(user: "CANARYDOM\\CanaryUser1", domain: nil),
      password: try secret("CanaryPassw0rd!"))
    try Self.expectNoCanary(canaries, near: path)
    try vault.removeProfile(named: "canaryvm1")
    try vault.setAccountPassword("CANARYDOM\\CanaryUser1", password: try secret("another"))
    try Self.expectNoCanary(canaries, near: path)
    // And the deleted profile is really gone.
    expectVaultError({ _ = try vault.profile(named: "canaryvm1") }) {
      if case .profileNotFound = $0 { true } else { false }
    }
  }

  static func expectNoCanary(_ canaries: [String], near path: String) throws {
    for suffix in ["", "-journal", "-wal", "-shm"] {
      guard let data = FileManager.default.contents(atPath: path + suffix) else { continue }
      let bytes = [UInt8](data)
      for canary in canaries {
        let utf8 = Array(canary.utf8)
        let utf16: [UInt8] = utf8.flatMap { [$0, 0] }
        for needle in [utf8, utf16, Array(canary.lowercased().utf8)] {
          #expect(!contains(bytes, needle), "\(canary) found in \(path + suffix)")
        }
      }
    }
  }
}

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
  guard !needle.isEmpty, haystack.count >= needle.count else { return false }
  let first = needle[0]
  var index = 0
  while index <= haystack.count - needle.count {
    if haystack[index] == first, Array(haystack[index..<index + needle.count]) == needle {
      return true
    }
    index += 1
  }
  return false
}
