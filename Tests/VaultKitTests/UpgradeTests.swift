import Foundation
import Testing
import VaultCrypto

@testable import VaultKit

struct UpgradeTests {
  @Test func aSchema1VaultUpgradesWithNothingLost() throws {
    let temp = TemporaryDirectory()
    let path = temp.path + "/vault.db"
    try FileManager.default.copyItem(
      atPath: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures/upgrade/vault-schema1.db"
      ).path,
      toPath: path)
    chmod(path, 0o600)
    let before = try VaultInfo.read(at: path)
    #expect(before.schemaMigrations == ["0001_initial"])
    #expect(before.counts == VaultInfo.Counts(profiles: 2, accounts: 2))
    // A wrong passphrase does not migrate anything.
    #expect(throws: VaultError.wrongPassphrase) {
      try Vault.open(at: path, passphrase: try secret("wrong"))
    }
    #expect(try VaultInfo.read(at: path).schemaMigrations == ["0001_initial"])

    let vault = try Vault.open(at: path, passphrase: try secret("schema one passphrase"))
    #expect(try VaultInfo.read(at: path).schemaMigrations == VaultStore.knownMigrations)
    let profiles = try vault.profiles(withSettings: true)
    #expect(profiles.map(\.profile.name) == ["app-01", "web-01"])
    let web = try vault.profile(named: "web-01")
    #expect(web.profile.host == "10.0.0.4")
    #expect(web.profile.tags == ["prod"])
    #expect(web.signInName == "WEB-01\\azureuser")
    #expect(web.profile.settings.values == ["desktopwidth": "1920"])
    #expect(web.profile.settings.options == ["cert-sha256": String(repeating: "ab", count: 32)])
    let app = try vault.profile(named: "app-01")
    #expect(app.profile.port == 3390)
    #expect(app.account.isDomainAdmin)
    #expect(text(of: try vault.password(forProfile: "web-01")) == "Local-Pw-1")
    #expect(text(of: try vault.password(forProfile: "app-01")) == "Domain-Pw-2")
    expectVaultError({ _ = try vault.profile(named: "dc-01") }) {
      if case .profileNotFound = $0 { true } else { false }
    }
    // The new tables work: the vault gets an identity on first use.
    #expect(try vault.identity().fingerprint.count == 19)
  }
}
