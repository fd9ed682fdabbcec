import Foundation
import Testing

/// `list --format csv` and `import` of it: a vault's VMs go to another vault and come back
/// the same (no password travels); a CSV from elsewhere passes the same checks as `add`.
@Suite struct CSVImportTests {
  func listed(_ box: Sandbox) -> [[String: String]] {
    let result = box.run(["list", "--json"])
    let json =
      (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]) ?? []
    return json.map { entry in
      var kept: [String: String] = [:]
      for key in [
        "name", "host", "port", "kind", "sign_in_name", "computer_name", "resource_group",
        "subscription", "note",
      ] {
        kept[key] = "\(entry[key] ?? "")"
      }
      kept["tags"] = (entry["tags"] as? [String] ?? []).joined(separator: ";")
      return kept
    }
  }

  @Test func aListRoundTripsThroughCSV() throws {
    let alice = Sandbox()
    alice.initVault()
    for arguments in [
      [
        "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "azureuser", "--tag",
        "lab",
        "--resource-group", "rg-web", "--subscription", "sub-1", "--note", "front, \"blue\" pool",
      ],
      [
        "add", "app-01", "--host", "app01.contoso.com", "--port", "3390", "--kind", "domain",
        "--user", "CONTOSO\\alice",
      ],
      [
        "add", "app-02", "--host", "10.0.1.5", "--kind", "domain", "--user", "bob@contoso.com",
        "--tag", "db",
      ],
      [
        "add", "dc-01", "--host", "10.0.0.10", "--kind", "dc", "--user", "CONTOSO\\admin",
        "--admin",
      ],
      ["add", "long-azure-vm-name-01", "--host", "10.0.0.11", "--kind", "local", "--user", "u"],
    ] {
      let added = alice.run(arguments + ["--password-stdin"], stdin: "Pw-1\n")
      #expect(added.status == 0, "\(arguments): \(added.stderr)")
    }
    let csv = alice.run(["list", "--format", "csv"])
    #expect(csv.status == 0)
    #expect(
      csv.stdout.hasPrefix(
        "name,host,port,kind,user,domain,computer_name,tags,resource_group,subscription,note\r\n"))
    #expect(
      csv.stdout.contains(
        "web-01,10.0.0.4,3389,local,WEB-01\\azureuser,,WEB-01,lab,rg-web,sub-1,\"front, \"\"blue\"\" pool\"\r\n"
      ))
    #expect(!csv.stdout.contains("Pw-1"))
    let file = alice.write(csv.stdout, to: "vms.csv")
    let bob = Sandbox()
    bob.initVault()
    let imported = bob.run(["import", file, "--link-existing"])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(listed(bob) == listed(alice))
    // Passwords stay behind: every account of bob's asks for one.
    #expect(bob.run(["password", "web-01"]).status == 1)
  }

  @Test func aCSVFromElsewherePassesTheSameChecks() throws {
    let box = Sandbox()
    box.initVault()
    let before = box.snapshot()
    for (text, message) in [
      (
        "name,host,user,password\nvm,10.0.0.1,u,secret\n",
        "rdpvault does not read passwords from a spreadsheet"
      ),
      ("name,host,user\nevil\u{1B}[2J,10.0.0.1,u\n", "contains an escape character"),
      ("name,host,user\nvm,-oProxyCommand=x,u\n", "invalid host"),
      ("name,host,user\nvm,10.0.0.1,\"u\nfull address:s:x\"\n", "rdpvault: error:"),
    ] {
      let file = box.write(text, to: "in-\(UUID().uuidString).csv")
      let result = box.run(["import", file])
      #expect(result.status == 1, "\(text.debugDescription): \(result.stderr)")
      #expect(result.stderr.contains(message), "\(result.stderr)")
      #expect(!result.stderr.contains("\u{1B}"))
      #expect(box.snapshot() == before)
    }
  }

  /// A NUL in a value, a file over the size limit, and a VM whose sign-in name is a stored
  /// account with a password: refused, refused, and kept apart unless --link-existing.
  @Test func nulOversizeAndAStoredAccount() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "app-01", "--host", "10.0.0.1", "--kind", "domain", "--user", "CORP\\alice",
          "--password-stdin",
        ], stdin: "Alice-1\n"
      ).status == 0)
    let before = box.snapshot()
    let nul = box.write("name,host,user\nvm\u{0}x,10.0.0.2,u\n", to: "nul.csv")
    let refusedNul = box.run(["import", nul])
    #expect(refusedNul.status == 1)
    #expect(refusedNul.stderr.contains("invalid VM name"), "\(refusedNul.stderr)")
    let big = box.writeBytes(
      Array("name,host,user\n".utf8) + [UInt8](repeating: 0x61, count: 64 << 20), to: "big.csv")
    let refusedBig = box.run(["import", "--from", "csv", big])
    #expect(refusedBig.status == 1)
    #expect(refusedBig.stderr.contains("larger than 64 MiB"), "\(refusedBig.stderr)")
    #expect(box.snapshot() == before)
    let apart = box.write("name,host,user,kind\napp-09,10.0.0.9,CORP\\alice,domain\n", to: "a.csv")
    #expect(box.run(["import", apart]).status == 0)
    #expect(
      box.run(["password", "app-09"]).status == 1, "linked to alice's password without consent")
    let linked = box.write(
      "name,host,user,kind\napp-10,10.0.0.10,CORP\\alice,domain\n", to: "l.csv")
    #expect(box.run(["import", linked, "--link-existing"]).status == 0)
    #expect(box.run(["password", "app-10"]).stdout == "Alice-1\n")
  }

  /// Each VM that fails is named with its file, in the file's terms: a missing host is the
  /// file's, not a missing --host; a VM that exists points to --update, which then works; the
  /// other VMs still import.
  @Test func eachFailingVMIsNamedWithItsFile() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "web-01", "--host", "10.0.0.3", "--kind", "local", "--user", "bob",
          "--password-stdin",
        ],
        stdin: "Bob-Passw0rd-1\n"
      ).status == 0)
    let file = box.write(
      "name,host,user\nvm1,10.0.0.1,\nvm2,,bob\nvm3,-oProxyCommand=x,bob\nweb-01,10.0.0.30,bob\nvm4,10.0.0.4,bob\n",
      to: "inventory.csv")
    let result = box.run(["import", file])
    #expect(result.status == 1)
    for line in [
      "rdpvault: error: \(file): VM \"vm1\": the file names no user for it\n"
        + "rdpvault: hint: give --user to import the file's VMs with that user\n",
      "rdpvault: error: \(file): VM \"vm2\": missing host\n",
      "rdpvault: error: \(file): VM \"vm3\": invalid host",
      "rdpvault: error: \(file): VM \"web-01\": a VM named \"web-01\" already exists\n"
        + "rdpvault: hint: --update gives VMs that exist the file's address and changes nothing else\n",
      "rdpvault: added vm4 from \(file): 10.0.0.4:3389 (local, signs in as VM4\\bob)\n",
      "rdpvault: error: 1 of 1 file failed: \(file) (\"vm1\", \"vm2\", \"vm3\", \"web-01\")\n",
    ] {
      #expect(result.stderr.contains(line), "\(line) in \(result.stderr)")
    }
    #expect(!result.stderr.contains("--host is required"), "\(result.stderr)")
    #expect(box.run(["list"]).stdout.contains("vm4 "))
    let updated = box.run(["import", file, "--update"])
    #expect(
      updated.stderr.contains("rdpvault:   host: 10.0.0.3 → 10.0.0.30\n"), "\(updated.stderr)")
    #expect(box.run(["password", "web-01"]).stdout == "Bob-Passw0rd-1\n")
  }
}
