import Testing
import VaultCrypto

@testable import VaultKit

struct ModelTests {
  @Test func signInNamesByKind() throws {
    let local = try AccountName.parse(user: "azureuser", domain: nil)
      .account(kind: .local, computerName: "WEB-01", admin: false)
    #expect(local.signInName(computerName: "WEB-01") == "WEB-01\\azureuser")
    #expect(local.clientCredentials(computerName: "WEB-01") == ("azureuser", "WEB-01"))

    let downLevel = try AccountName.parse(user: "alice", domain: "CONTOSO")
      .account(kind: .domain, computerName: "APP-01", admin: false)
    #expect(downLevel.signInName(computerName: "APP-01") == "CONTOSO\\alice")
    #expect(downLevel.clientCredentials(computerName: "APP-01") == ("alice", "CONTOSO"))

    let upn = try AccountName.parse(user: "alice@contoso.com", domain: nil)
      .account(kind: .dc, computerName: "DC-01", admin: true)
    #expect(upn.signInName(computerName: "DC-01") == "alice@contoso.com")
    #expect(upn.clientCredentials(computerName: "DC-01") == ("alice@contoso.com", ""))
  }

  @Test func userForms() throws {
    #expect(
      try AccountName.parse(user: "CONTOSO\\alice", domain: nil)
        == AccountName(userName: "alice", domain: "CONTOSO", form: .downLevel))
    #expect(
      try AccountName.parse(user: "alice@contoso.com", domain: nil)
        == AccountName(userName: "alice", domain: "contoso.com", form: .upn))
    #expect(
      try AccountName.parse(user: "alice", domain: "contoso")
        == AccountName(userName: "alice", domain: "contoso", form: .downLevel))
    #expect(
      throws: VaultError.domainConflict(given: "FABRIKAM", written: "CONTOSO", form: .downLevel)
    ) {
      _ = try AccountName.parse(user: "CONTOSO\\alice", domain: "FABRIKAM")
    }
    #expect(
      throws: VaultError.domainConflict(given: "fabrikam.com", written: "contoso.com", form: .upn)
    ) {
      _ = try AccountName.parse(user: "alice@contoso.com", domain: "fabrikam.com")
    }
  }

  @Test func localAccountsRefuseAForeignDomain() throws {
    let name = try AccountName.parse(user: "CONTOSO\\alice", domain: nil)
    expectVaultError({ _ = try name.account(kind: .local, computerName: "WEB-01", admin: false) }) {
      if case .kindMismatch(let detail) = $0 {
        detail.contains("is not the computer name")
      } else {
        false
      }
    }
    let own = try AccountName.parse(user: "web-01\\admin", domain: nil)
    #expect(try own.account(kind: .local, computerName: "WEB-01", admin: false).scope == .local)
  }

  @Test func domainKindsNeedADomain() throws {
    let name = try AccountName.parse(user: "alice", domain: nil)
    #expect(throws: VaultError.domainNeeded(kind: .domain)) {
      try name.account(kind: .domain, computerName: "APP-01", admin: false)
    }
    #expect(throws: VaultError.domainNeeded(kind: .dc)) {
      try name.account(kind: .dc, computerName: "DC-01", admin: true)
    }
  }

  static let validUsers = [
    "azureuser", "a", "Ünïcødé", "first.last", "x-y_z", String(repeating: "u", count: 20),
    "with space",
  ]
  static let invalidUsers = [
    "", String(repeating: "u", count: 21), "a\"b", "a/b", "a[b", "a]b", "a:b", "a;b", "a|b", "a=b",
    "a,b", "a+b", "a*b", "a?b", "a<b", "a>b", "...", ". .", "tab\there",
  ]

  @Test(arguments: validUsers) func validUserNames(_ user: String) throws {
    try Validation.samAccountName(user)
  }

  @Test(arguments: invalidUsers) func invalidUserNames(_ user: String) {
    expectInvalid("user") { try Validation.samAccountName(user) }
  }

  @Test(arguments: [
    "CONTOSO", "contoso.com", "corp.contoso.com", "A-B_C", String(repeating: "D", count: 15),
  ])
  func validDomains(_ domain: String) throws {
    try Validation.domain(domain)
  }

  @Test(arguments: ["", String(repeating: "D", count: 16), "bad domain", "-lead", "a..b", "x/y"])
  func invalidDomains(_ domain: String) {
    expectInvalid("domain") { try Validation.domain(domain) }
  }

  @Test(arguments: [
    "10.0.0.4", "::1", "fe80::1", "2001:db8::42", "vm.westeurope.cloudapp.azure.com", "localhost",
    "a-b.c",
  ])
  func validHosts(_ host: String) throws {
    try Validation.host(host)
  }

  @Test(arguments: [
    "", "10.0.0.256", "1.2.3", "[::1]", "host:3389", "bad_host", "-x.com", "a b", "x..y", "::g",
  ])
  func invalidHosts(_ host: String) {
    expectInvalid("host") { try Validation.host(host) }
  }

  @Test func ports() throws {
    try Validation.port(1)
    try Validation.port(65535)
    expectInvalid("port") { try Validation.port(0) }
    expectInvalid("port") { try Validation.port(65536) }
  }

  @Test func computerNames() throws {
    #expect(Profile.defaultComputerName(for: "web-01") == "WEB-01")
    #expect(Profile.defaultComputerName(for: "a-very-long-vm-name") == nil)
    #expect(Profile.defaultComputerName(for: "with.dot") == nil)
    expectInvalid("computer name") { try Validation.computerName("12345") }
    try Validation.computerName(".")
    for bad in ["..", ".web", "web.", "a.b"] {
      expectInvalid("computer name") { try Validation.computerName(bad) }
    }
  }

  /// `.\user` is a local account of the VM itself: it signs in as `.\user` (FreeRDP gets
  /// `/d:.`), it cannot be a domain account, and a computer name given wins over it. A VM
  /// whose name cannot be a computer name (Azure allows 64 characters) gets `.`, with a note,
  /// never a guessed name.
  @Test func theVMItselfIsDot() throws {
    let dot = try AccountName.parse(user: ".\\eve", domain: nil)
    #expect(dot == AccountName(userName: "eve", domain: ".", form: .downLevel))
    let local = try dot.account(kind: .local, computerName: ".", admin: false)
    #expect(local.signInName(computerName: ".") == ".\\eve")
    #expect(local.clientCredentials(computerName: ".") == (user: "eve", domain: "."))
    #expect(
      try dot.account(kind: .local, computerName: "WEB-01", admin: false).signInName(
        computerName: "WEB-01") == "WEB-01\\eve")
    #expect(throws: VaultError.self) {
      try dot.account(kind: .domain, computerName: ".", admin: false)
    }
    #expect(Profile.computerName(given: nil, vmName: "web-01", user: dot) == (".", false))
    #expect(Profile.computerName(given: "WEB-01", vmName: "web-01", user: dot) == ("WEB-01", false))
    let bare = try AccountName.parse(user: "eve", domain: nil)
    #expect(Profile.computerName(given: nil, vmName: "web-01", user: bare) == ("WEB-01", false))
    let long = Profile.computerName(given: nil, vmName: "web-frontend-prod-01", user: bare)
    #expect(long == (".", true))
  }

  @Test(arguments: ["web-01", "A", "x_y.z", String(repeating: "n", count: 64)])
  func validProfileNames(_ name: String) throws {
    try Validation.profileName(name)
  }

  @Test(arguments: ["", "-x", ".x", "a/b", "a b", "ü", String(repeating: "n", count: 65)])
  func invalidProfileNames(_ name: String) {
    expectInvalid("VM name") { try Validation.profileName(name) }
  }

  @Test func generatedPasswordsMeetAzuresRules() throws {
    for _ in 0..<200 {
      let password = try PasswordGenerator.generate()
      #expect((12...123).contains(password.count))
      #expect(PasswordGenerator.classCount(password) == 4)
    }
  }
}
