import Foundation
import GRDB
import Testing
import VaultCrypto

@testable import VaultKit

struct ProfileStoreTests {
  @Test func namesAreCaseInsensitive() throws {
    let (vault, _) = try memoryVault()
    try vault.addLocal("Web-01", password: "x")
    #expect(try vault.profile(named: "WEB-01").profile.name == "Web-01")
    #expect(throws: VaultError.profileExists(name: "web-01")) {
      try vault.addLocal("web-01", password: "y")
    }
  }

  @Test func unknownNamesGetSuggestions() throws {
    let (vault, _) = try memoryVault()
    try vault.addLocal("web-01", password: "x")
    try vault.addLocal("web-02", password: "x")
    try vault.addLocal("database", password: "x")
    #expect(throws: VaultError.profileNotFound(name: "web-03", suggestions: ["web-01", "web-02"])) {
      try vault.profile(named: "web-03")
    }
  }

  @Test func aSharedDomainAccountServesManyVMs() throws {
    let (vault, _) = try memoryVault()
    try vault.addDomain("app-01", user: "CONTOSO\\alice", password: "old")
    try vault.addDomain("app-02", user: "contoso\\ALICE", password: nil)
    try vault.setAccountPassword("Contoso\\Alice", password: try secret("new"))
    #expect(text(of: try vault.password(forProfile: "app-01")) == "new")
    #expect(text(of: try vault.password(forProfile: "app-02")) == "new")
    let accounts = try vault.accounts()
    #expect(accounts.count == 1)
    #expect(accounts[0].profiles == ["app-01", "app-02"])
  }

  @Test func aNewAccountNeedsAPassword() throws {
    let (vault, queue) = try memoryVault()
    expectInvalid("password") {
      try vault.addDomain("app-01", user: "CONTOSO\\alice", password: nil)
    }
    #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM accounts") } == 0)
  }

  @Test func domainControllersNeedADomainAdmin() throws {
    let (vault, _) = try memoryVault()
    expectVaultError({
      try vault.addDomain("dc-01", kind: .dc, user: "CONTOSO\\bob", password: "x")
    }) { if case .kindMismatch = $0 { true } else { false } }
    try vault.addDomain("app-01", user: "CONTOSO\\bob", password: "x")
    expectVaultError({
      try vault.addDomain("dc-01", kind: .dc, user: "CONTOSO\\bob", password: nil)
    }) { if case .kindMismatch = $0 { true } else { false } }
    try vault.setDomainAdmin("CONTOSO\\bob", true)
    let dc = try vault.addDomain("dc-01", kind: .dc, user: "CONTOSO\\bob", password: nil)
    #expect(dc.signInName == "CONTOSO\\bob")
    #expect(throws: VaultError.adminNeeded(name: "CONTOSO\\bob", controllers: ["dc-01"])) {
      try vault.setDomainAdmin("CONTOSO\\bob", false)
    }
  }

  @Test func anAccountInUseCannotBeRemoved() throws {
    let (vault, _) = try memoryVault()
    try vault.addDomain("app-01", user: "CONTOSO\\alice", password: "x")
    try vault.addDomain("app-02", user: "CONTOSO\\alice", password: nil)
    #expect(
      throws: VaultError.accountInUse(name: "CONTOSO\\alice", profiles: ["app-01", "app-02"])
    ) {
      try vault.removeAccount("CONTOSO\\alice")
    }
    try vault.removeProfile(named: "app-01")
    try vault.removeProfile(named: "app-02")
    try vault.removeAccount("CONTOSO\\alice")
    #expect(try vault.accounts().isEmpty)
  }

  @Test func removingAVMRemovesItsLocalAccount() throws {
    let (vault, queue) = try memoryVault()
    try vault.addLocal("web-01", password: "x")
    try vault.removeProfile(named: "web-01")
    #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM accounts") } == 0)
    #expect(
      try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM account_secrets") } == 0)
  }

  @Test func editingTheComputerNameMovesTheLocalSignIn() throws {
    let (vault, _) = try memoryVault()
    try vault.addLocal("web-01", password: "x")
    let entry = try vault.editProfile(
      named: "web-01", changes: ProfileChanges(computerName: "WEBSRV"), account: nil, admin: nil,
      password: nil)
    #expect(entry.signInName == "WEBSRV\\azureuser")
    try vault.setAccountPassword("websrv\\azureuser", password: try secret("y"))
    #expect(text(of: try vault.password(forProfile: "web-01")) == "y")
  }

  @Test func editingToADomainAccountDropsTheLocalOne() throws {
    let (vault, _) = try memoryVault()
    try vault.addLocal("web-01", password: "x")
    try vault.editProfile(
      named: "web-01", changes: ProfileChanges(kind: .domain),
      account: try AccountName.parse(user: "CONTOSO\\alice", domain: nil),
      admin: nil, password: try secret("dom"))
    let accounts = try vault.accounts()
    #expect(accounts.map(\.signInName) == ["CONTOSO\\alice"])
    #expect(text(of: try vault.password(forProfile: "web-01")) == "dom")
  }

  @Test func aFailedEditChangesNothing() throws {
    let (vault, queue) = try memoryVault()
    try vault.addLocal("web-01", password: "x")
    let before = try vault.profiles(withSettings: true)
    let rows = try SharingTests.snapshot(queue)
    expectInvalid("host") {
      try vault.editProfile(
        named: "web-01", changes: ProfileChanges(host: "bad host"), account: nil, admin: nil,
        password: try secret("new"))
    }
    #expect(try vault.profiles(withSettings: true) == before)
    #expect(
      try SharingTests.snapshot(queue) == rows, "every row, the header included, is as it was")
    #expect(text(of: try vault.password(forProfile: "web-01")) == "x")
  }

  @Test func renameKeepsEverything() throws {
    let (vault, _) = try memoryVault()
    try vault.addLocal("web-01", password: "x")
    try vault.addLocal("web-02", password: "y")
    #expect(throws: VaultError.profileExists(name: "WEB-02")) {
      try vault.renameProfile("web-01", to: "WEB-02")
    }
    try vault.renameProfile("web-01", to: "frontend")
    #expect(text(of: try vault.password(forProfile: "frontend")) == "x")
    expectVaultError({ _ = try vault.profile(named: "web-01") }) {
      if case .profileNotFound = $0 { true } else { false }
    }
  }

  @Test func passwordsRoundTripByteForByte() throws {
    let (vault, _) = try memoryVault()
    let password = "sp ace \"quote\" 'single' back\\slash colon: ünïcødé ß € 🚀"
    try vault.addLocal("web-01", password: password)
    #expect(text(of: try vault.password(forProfile: "web-01")) == password)
  }

  /// Every change keeps the row-set digests in step: after adds, edits, renames, password
  /// changes and removals the vault is still sound.
  @Test func aRemovedVMLeavesTheVaultSound() throws {
    let (vault, _) = try memoryVault()
    try vault.addLocal("web-01", password: "a")
    try vault.addDomain("app-01", user: "CONTOSO\\alice", password: "b")
    try vault.addDomain("app-02", user: "CONTOSO\\alice", password: nil)
    try vault.renameProfile("app-02", to: "app-03")
    try vault.setAccountPassword("CONTOSO\\alice", password: try secret("c"))
    try vault.removeProfile(named: "web-01")
    try vault.removeProfile(named: "app-03")
    #expect(try vault.verify().isSound)
    #expect(try vault.profiles().map(\.profile.name) == ["app-01"])
  }
}
