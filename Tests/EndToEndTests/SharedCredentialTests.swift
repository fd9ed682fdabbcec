import Foundation
import Testing

/// A template credential (issue 16): VMs made from one template share one local user and
/// password. Each signs in as its own COMPUTER\user; the password is stored, and changed,
/// once (`rdpvault account passwd template:NAME`).
@Suite struct SharedCredentialTests {
  static let azure = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent(
      "VaultKitTests/Fixtures/imports/azure-cli/az-vm-list-show-details-2018-linux-windows.json"
    ).path

  @Test func vmsOfOneTemplateShareOnePassword() throws {
    let box = Sandbox()
    box.initVault()
    let first = box.run(
      [
        "add", "web-01", "--host", "10.0.0.1", "--user", "azureuser", "--shared-credential",
        "web-tier", "--password-stdin",
      ], stdin: "Tpl-pw-1\n")
    #expect(first.status == 0, "\(first.stderr)")
    // The second VM needs no password: it joins the credential.
    let second = box.run(
      [
        "add", "web-02", "--host", "10.0.0.2", "--user", "azureuser", "--shared-credential",
        "web-tier",
      ])
    #expect(second.status == 0, "\(second.stderr)")
    #expect(box.run(["password", "web-02"]).stdout == "Tpl-pw-1\n")
    let shown = box.run(["show", "web-02"]).stdout
    #expect(shown.contains("sign-in name:  WEB-02\\azureuser"), "\(shown)")
    #expect(shown.contains("account:       shared credential template:web-tier"), "\(shown)")
    #expect(box.run(["show", "web-01"]).stdout.contains("sign-in name:  WEB-01\\azureuser"))
    let dry = box.run(["connect", "web-02", "--dry-run", "--client", "xfreerdp"])
    #expect(
      dry.stdout.contains("/u:azureuser") && dry.stdout.contains("/d:WEB-02"), "\(dry.output)")
    let accounts = box.run(["account", "list"]).stdout
    #expect(accounts.contains("template:web-tier"), "\(accounts)")
    #expect(!accounts.contains("WEB-01\\azureuser"), "\(accounts)")
    // One change, every VM.
    let changed = box.run(
      ["account", "passwd", "template:web-tier", "--password-stdin"], stdin: "Tpl-pw-2\n")
    #expect(changed.status == 0, "\(changed.stderr)")
    #expect(box.run(["password", "web-01"]).stdout == "Tpl-pw-2\n")
    #expect(box.run(["password", "web-02"]).stdout == "Tpl-pw-2\n")
    // Removing one VM keeps the credential for the others.
    #expect(box.run(["rm", "web-01", "--yes"]).status == 0)
    #expect(box.run(["password", "web-02"]).stdout == "Tpl-pw-2\n")
  }

  @Test func aCredentialIsOneLocalUser() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "web-01", "--host", "10.0.0.1", "--user", "azureuser", "--shared-credential",
          "web-tier", "--password-stdin",
        ], stdin: "Tpl-pw-1\n"
      ).status == 0)
    let before = box.snapshot()
    let other = box.run(
      [
        "add", "web-03", "--host", "10.0.0.3", "--user", "bob", "--shared-credential", "web-tier",
        "--password-stdin",
      ], stdin: "x\n")
    #expect(other.status == 1)
    #expect(
      other.stderr.contains(
        "rdpvault: error: the shared credential \"web-tier\" is the user \"azureuser\", not \"bob\""
      ),
      "\(other.stderr)")
    let domain = box.run(
      [
        "add", "app-01", "--host", "10.0.0.4", "--kind", "domain", "--user", "CONTOSO\\alice",
        "--shared-credential", "web-tier", "--password-stdin",
      ], stdin: "x\n")
    #expect(domain.status == 64, "refused before the passphrase")
    #expect(domain.stderr.contains("is a local user of each VM"), "\(domain.stderr)")
    for (arguments, expected) in [
      (["--shared-credential", "web tier", "--user", "u"], "invalid shared credential name"),
      (["--shared-credential", "web-tier"], "missing --user"),
    ] {
      let refused = box.run(["add", "web-09", "--host", "10.0.0.9"] + arguments)
      #expect(refused.status == 64, "\(refused.stderr)")
      #expect(refused.stderr.contains(expected), "\(refused.stderr)")
    }
    let edit = box.run(["edit", "web-01", "--shared-credential", "other"])
    #expect(edit.status == 64)
    #expect(edit.stderr.contains("--shared-credential goes with --user"), "\(edit.stderr)")
    #expect(box.snapshot() == before)
  }

  /// The offer counts the VMs the import adds: not one that fails, nor one that exists.
  @Test func theOfferCountsOnlyTheVMsAdded() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "web-04", "--host", "10.0.0.4", "--kind", "local", "--user", "azureuser",
          "--password-stdin",
        ],
        stdin: "pw\n"
      ).status == 0)
    let rows = [
      "web-01,10.0.0.1,azureuser", "web-02,-bad,azureuser", "web-03,10.0.0.3,azureuser",
      "web-04,10.0.0.44,azureuser", "app-01,10.0.1.1,admin", "app-02,-worse,admin",
    ]
    let csv = box.write(
      (["name,host,user"] + rows).joined(separator: "\r\n") + "\r\n", to: "vms.csv")
    for extra in [["--dry-run"], ["--update"]] {
      let run = box.run(["import", csv] + extra)
      // web-02 and app-02 fail; web-04 exists (refused, or with --update given its address).
      #expect(run.status == 1, "\(run.stderr)")
      #expect(
        run.stderr.contains("hint: 2 VMs sign in as the local user azureuser;"), "\(run.stderr)")
      #expect(!run.stderr.contains("the local user admin;"), "one admin VM failed: \(run.stderr)")
    }
  }

  @Test func importsOfferItAndUseIt() throws {
    let box = Sandbox()
    box.initVault()
    let csv = box.write(
      "name,host,user\r\nweb-01,10.0.0.1,azureuser\r\nweb-02,10.0.0.2,azureuser\r\nweb-03,10.0.0.3,other\r\n",
      to: "vms.csv")
    let offered = box.run(["import", csv, "--dry-run"])
    #expect(offered.status == 0, "\(offered.stderr)")
    #expect(
      offered.stderr.contains(
        "hint: 2 VMs sign in as the local user azureuser; if they come from one template with one password, keep it once: --shared-credential NAME"
      ), "\(offered.stderr)")
    let imported = box.run(["import", csv, "--shared-credential", "web-tier"])
    #expect(imported.status == 1, "web-03 is another user: \(imported.stderr)")
    #expect(imported.stderr.contains("is the user \"azureuser\", not \"other\""))
    #expect(imported.stderr.contains("account: the shared credential template:web-tier"))
    #expect(imported.stderr.contains("rdpvault account passwd template:web-tier"))
    #expect(
      box.run(["account", "passwd", "template:web-tier", "--password-stdin"], stdin: "Tpl-3\n")
        .status == 0)
    #expect(box.run(["password", "web-01"]).stdout == "Tpl-3\n")
    #expect(box.run(["password", "web-02"]).stdout == "Tpl-3\n")
    // A stored credential with a password reaches the VMs of a file only with consent.
    let more = box.write("name,host,user\r\nweb-04,10.0.0.4,azureuser\r\n", to: "more.csv")
    let before = box.snapshot()
    let refused = box.run(["import", more, "--shared-credential", "web-tier"])
    #expect(refused.status == 1)
    #expect(
      refused.stderr.contains(
        "the shared credential template:web-tier holds a password; the import would hand it to these VMs"
      ), "\(refused.stderr)")
    #expect(box.snapshot() == before)
    let linked = box.run(["import", more, "--shared-credential", "web-tier", "--link-existing"])
    #expect(linked.status == 0, "\(linked.stderr)")
    #expect(linked.stderr.contains("template:web-tier, linked with its stored password"))
    #expect(box.run(["password", "web-04"]).stdout == "Tpl-3\n")
    // Azure: the admin user of a VM made from the image joins the credential by name.
    let azure = box.run(["import", Self.azure, "--shared-credential", "lab"])
    #expect(azure.status == 0, "\(azure.stderr)")
    #expect(box.run(["show", "windows"]).stdout.contains("shared credential template:lab"))
  }

  /// A bundle carries the credential as one account: the teammate's VMs share it too.
  @Test func aBundleKeepsVMsOnOneCredential() throws {
    let alice = Sandbox()
    alice.initVault()
    let bob = Sandbox()
    bob.initVault()
    #expect(
      alice.run(
        [
          "add", "web-01", "--host", "10.0.0.1", "--user", "azureuser", "--shared-credential",
          "web", "--password-stdin",
        ], stdin: "Tpl-pw-1\n"
      ).status == 0)
    // A password for a credential that exists is refused: it is changed with account passwd.
    let again = alice.run(
      [
        "add", "web-02", "--host", "10.0.0.2", "--user", "azureuser", "--shared-credential", "web",
        "--password-stdin",
      ], stdin: "other\n")
    #expect(again.status == 1)
    #expect(again.stderr.contains("template:web is already in the vault"), "\(again.stderr)")
    #expect(again.stderr.contains("rdpvault account passwd template:web"), "\(again.stderr)")
    #expect(
      alice.run(
        [
          "add", "web-02", "--host", "10.0.0.2", "--user", "azureuser", "--shared-credential",
          "web",
        ]
      ).status == 0)
    let bobID = bob.run(["identity"]).stdout.split(separator: "\n")[0]
    let aliceID = alice.run(["identity"]).stdout.split(separator: "\n")[0]
    #expect(alice.run(["teammate", "add", "bob", String(bobID)]).status == 0)
    #expect(bob.run(["teammate", "add", "alice", String(aliceID)]).status == 0)
    let bundle = alice.root + "/web.rdpv"
    #expect(alice.run(["export", "--all", "--to", "bob", "-o", bundle]).status == 0)
    let imported = bob.run(["import", bundle])
    #expect(imported.status == 0, "\(imported.stderr)")
    let accounts = bob.run(["account", "list"]).stdout
    #expect(accounts.contains("template:web"), "\(accounts)")
    #expect(accounts.contains("web-01,web-02"), "one account for both: \(accounts)")
    #expect(bob.run(["password", "web-02"]).stdout == "Tpl-pw-1\n")
    #expect(bob.run(["show", "web-02"]).stdout.contains("sign-in name:  WEB-02\\azureuser"))
  }
}
