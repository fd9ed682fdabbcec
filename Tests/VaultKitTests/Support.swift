import Foundation
import GRDB
import Testing
import VaultCrypto

@testable import VaultKit

func secret(_ text: String) throws -> SecretBytes {
  try SecretBytes(copying: Array(text.utf8))
}

func text(of secret: borrowing SecretBytes) -> String {
  secret.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
}

/// Vaults in tests use the INTERACTIVE preset, the floor the vault accepts: it is fast
/// (tens of milliseconds) and still the real Argon2id path.
let testKDF = KDFParameters.interactive

func memoryVault(passphrase: String = "correct horse") throws -> (Vault, DatabaseQueue) {
  let queue = try DatabaseQueue()
  let vault = try Vault.create(in: queue, passphrase: try secret(passphrase), kdf: testKDF)
  return (vault, queue)
}

/// A fresh private directory, removed when the test's scope ends.
final class TemporaryDirectory {
  let path: String

  init() {
    var template = Array((NSTemporaryDirectory() + "/rdpvault-test-XXXXXX").utf8CString)
    path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }
}

extension Vault {
  @discardableResult
  func addLocal(
    _ name: String, host: String = "10.0.0.4", user: String = "azureuser", password: String
  ) throws -> ProfileEntry {
    let profile = Profile(
      name: name, host: host, computerName: Profile.defaultComputerName(for: name) ?? "VM",
      kind: .local)
    return try addProfile(
      profile, account: try AccountName.parse(user: user, domain: nil),
      password: try secret(password))
  }

  @discardableResult
  func addDomain(
    _ name: String, kind: AccountKind = .domain, user: String, admin: Bool = false,
    password: String?
  ) throws -> ProfileEntry {
    let profile = Profile(
      name: name, host: "\(name).contoso.com",
      computerName: Profile.defaultComputerName(for: name) ?? "VM", kind: kind)
    let account = try AccountName.parse(user: user, domain: nil)
    if let password {
      return try addProfile(profile, account: account, admin: admin, password: try secret(password))
    }
    return try addProfile(profile, account: account, admin: admin, password: nil)
  }
}

/// The body fails with `invalidField` or `missingField` for `field`: the specific error, not
/// any error.
func expectInvalid(
  _ field: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
  #expect(sourceLocation: sourceLocation) {
    try body()
  } throws: { error in
    switch error as? VaultError {
    case .invalidField(let name, _, _)?, .missingField(let name, _)?: name == field
    case .inputRequired(let input)?: input.rawValue == field
    case .hostWithPort?: field == "host"
    case .settingIsConnectionProperty?, .unknownSetting?: field == "setting"
    case .extraLineIsModelled?: field == "extra line"
    default: false
    }
  }
}

/// The body fails with a VaultError that `matches` accepts.
func expectVaultError(
  sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void,
  matching matches: (VaultError) -> Bool
) {
  #expect(sourceLocation: sourceLocation) {
    try body()
  } throws: { error in
    (error as? VaultError).map(matches) ?? false
  }
}

/// A TCP socket bound to a free port on 127.0.0.1, listening with `backlog` when given; the
/// caller closes it (once: tests run in parallel, and a second close could hit another
/// test's descriptor).
func loopbackSocket(backlog: Int32?) -> (fd: Int32, address: sockaddr_in, port: Int) {
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  _ = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
  }
  if let backlog { _ = listen(fd, backlog) }
  _ = withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
  }
  return (fd, address, Int(UInt16(bigEndian: address.sin_port)))
}
