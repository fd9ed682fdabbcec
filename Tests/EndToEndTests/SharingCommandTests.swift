import Foundation
import Testing

/// identity, teammate, export and import of bundles through the real binary.
@Suite(.serialized) struct SharingCommandTests {
  func identity(_ box: Sandbox) throws -> (String, String) {
    let result = box.run(["identity", "--json"])
    #expect(result.status == 0)
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String])
    return (json["identity"]!, json["fingerprint"]!)
  }

  @Test func aTeamSharesProfilesAndPasswords() throws {
    let alice = Sandbox()
    let bob = Sandbox()
    let carol = Sandbox()
    for box in [alice, bob, carol] { box.initVault() }
    let (aliceID, aliceFingerprint) = try identity(alice)
    let (bobID, bobFingerprint) = try identity(bob)
    let plain = alice.run(["identity"])
    #expect(plain.stdout == "\(aliceID)\nfingerprint: \(aliceFingerprint)\n")
    #expect(aliceID.hasPrefix("rdpv1-"))

    let pinned = alice.run(["teammate", "add", "bob", bobID])
    #expect(pinned.stderr == "rdpvault: pinned bob (fingerprint \(bobFingerprint))\n")
    #expect(bob.run(["teammate", "add", "alice", aliceID]).status == 0)
    let twice = alice.run(["teammate", "add", "robert", bobID])
    #expect(twice.status == 1)
    #expect(twice.stderr.hasPrefix("rdpvault: error: this identity is already pinned as \"bob\"\n"))
    var typo = Array(bobID)
    typo[30] = typo[30] == "q" ? "r" : "q"
    // A mistyped identity is a usage error, found before the vault is opened.
    let mistyped = alice.run(["teammate", "add", "bobby", String(typo)])
    #expect(mistyped.status == 64)
    #expect(mistyped.stderr.contains("the checksum does not match: a character was mistyped"))
    #expect(
      alice.run(["teammate", "list"]).stdout == "NAME  FINGERPRINT\nbob   \(bobFingerprint)\n")

    #expect(
      alice.run(
        [
          "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "azureuser", "--tag",
          "prod", "--password-stdin",
        ], stdin: "Team-Secret-1\n"
      ).status == 0)
    #expect(alice.run(["set", "web-01", "desktopwidth", "1600"]).status == 0)
    let bundle = alice.root + "/team.rdpv"
    let export = alice.run(["export", "--all", "--to", "bob", "-o", bundle])
    #expect(export.status == 0, "\(export.stderr)")
    #expect(
      (try FileManager.default.attributesOfItem(atPath: bundle)[.posixPermissions] as? Int) == 0o600
    )
    let again = alice.run(["export", "--all", "--to", "bob", "-o", bundle])
    #expect(again.status == 1)
    #expect(again.stderr.contains("already exists"))
    let data = try Data(contentsOf: URL(fileURLWithPath: bundle))
    for canary in ["web-01", "10.0.0.4", "azureuser", "Team-Secret-1"] {
      #expect(data.range(of: Data(canary.utf8)) == nil, "\(canary)")
    }

    // import tells a bundle by its content, whatever its name.
    let disguised = bob.root + "/looks-like.rdp"
    try FileManager.default.copyItem(atPath: bundle, toPath: disguised)
    let imported = bob.run(["import", disguised])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(
      imported.stderr.contains(
        "rdpvault: added web-01: 10.0.0.4:3389 (local, signs in as WEB-01\\azureuser)\n"))
    #expect(
      imported.stderr.hasSuffix(
        "imported \(disguised): 1 added, 0 replaced, 0 renamed, 0 skipped\n"))
    #expect(bob.run(["password", "web-01"]).stdout == "Team-Secret-1\n")
    #expect(bob.run(["rdp", "web-01"]).stdout == alice.run(["rdp", "web-01"]).stdout)
    let replay = bob.run(["import", bundle])
    #expect(replay.status == 1)
    #expect(replay.stderr.hasPrefix("rdpvault: error: this bundle was already imported\n"))

    // Carol is not a recipient; with --trust she still cannot read it.
    let notForCarol = carol.run(["import", bundle, "--trust"])
    #expect(notForCarol.status == 1)
    #expect(
      notForCarol.stderr.hasPrefix(
        "rdpvault: error: this vault is not one of the bundle's recipients\n"))
    #expect(carol.run(["list", "--json"]).stdout == "[]\n")
  }

  @Test func unknownSendersNeedTrustAndSecretsCanStayHome() throws {
    let alice = Sandbox()
    let bob = Sandbox()
    for box in [alice, bob] { box.initVault() }
    let (bobID, _) = try identity(bob)
    let (_, aliceFingerprint) = try identity(alice)
    #expect(alice.run(["teammate", "add", "bob", bobID]).status == 0)
    #expect(
      alice.run(
        [
          "add", "app-01", "--host", "10.0.0.5", "--kind", "domain", "--user", "CONTOSO\\alice",
          "--password-stdin",
        ], stdin: "Never-Shared\n"
      ).status == 0)
    let bundle = alice.root + "/no-secrets.rdpv"
    #expect(
      alice.run(["export", "app-01", "--to", "bob", "--no-secrets", "-o", bundle]).status == 0)
    let before = bob.snapshot()
    let unknown = bob.run(["import", bundle])
    #expect(unknown.status == 1)
    #expect(
      unknown.stderr.hasPrefix(
        "rdpvault: error: the bundle's sender (\(aliceFingerprint)) is not a pinned teammate\n"))
    #expect(bob.snapshot() == before)
    // Importing it back where it came from is told as that, --trust or not, and changes
    // nothing. (A vault cannot pin its own identity, so it cannot export to itself.)
    let aliceBefore = alice.snapshot()
    for arguments in [["import", bundle], ["import", bundle, "--trust"]] {
      let own = alice.run(arguments)
      #expect(own.status == 1)
      #expect(
        own.stderr.hasPrefix(
          "rdpvault: error: this bundle was exported by this vault\n"
            + "rdpvault: hint: import it in the vault of a teammate it was exported --to\n"))
    }
    #expect(alice.snapshot() == aliceBefore)
    let (aliceID, _) = try identity(alice)
    #expect(alice.run(["teammate", "add", "me", aliceID]).status == 1)

    let trusted = bob.run(["import", bundle, "--trust"])
    #expect(trusted.status == 0)
    #expect(
      trusted.stderr.contains(
        "pinned the sender as sender-\(aliceFingerprint.prefix(4)), fingerprint \(aliceFingerprint)"
      ))
    #expect(trusted.stderr.contains("app-01 has no password yet"))
    let password = bob.run(["password", "app-01"])
    #expect(password.status == 1)
    #expect(password.stderr.contains("no password is stored for CONTOSO\\alice"))
    #expect(
      try Data(contentsOf: URL(fileURLWithPath: bundle)).range(of: Data("Never-Shared".utf8)) == nil
    )
  }

  @Test func aTamperedBundleChangesNothing() throws {
    let alice = Sandbox()
    let bob = Sandbox()
    for box in [alice, bob] { box.initVault() }
    let (bobID, _) = try identity(bob)
    let (aliceID, _) = try identity(alice)
    #expect(alice.run(["teammate", "add", "bob", bobID]).status == 0)
    #expect(bob.run(["teammate", "add", "alice", aliceID]).status == 0)
    #expect(
      alice.run(
        ["add", "vm", "--host", "10.0.0.6", "--kind", "local", "--user", "u", "--password-stdin"],
        stdin: "pw\n"
      ).status == 0)
    let bundle = alice.root + "/b.rdpv"
    #expect(alice.run(["export", "vm", "--to", "bob", "-o", bundle]).status == 0)
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: bundle)))
    let before = bob.snapshot()
    let cases: [(String, [UInt8], String)] = [
      (
        "flipped",
        {
          var b = bytes
          b[b.count / 2] ^= 0x20
          return b
        }(), "rdpvault: error: the bundle's signature does not verify"
      ),
      (
        "truncated", Array(bytes.prefix(bytes.count - 10)),
        "rdpvault: error: the bundle is truncated"
      ),
      (
        "trailing", bytes + [0x0A],
        "rdpvault: error: the bundle has 1 unexpected byte after its signature"
      ),
      (
        "version",
        {
          var b = bytes
          b[8] = 9
          return b
        }(), "rdpvault: error: unsupported bundle version 9"
      ),
    ]
    for (label, altered, message) in cases {
      let path = bob.writeBytes(altered, to: "\(label).rdpv")
      let result = bob.run(["import", path])
      #expect(result.status == 1, "\(label)")
      #expect(result.stderr.hasPrefix(message), "\(label): \(result.stderr)")
      if label == "version" {
        #expect(result.stderr.contains("rdpvault: hint: a newer rdpvault made it: upgrade"))
      }
      #expect(bob.snapshot() == before, "\(label) changed the vault")
    }
    bytes = []
  }
}
