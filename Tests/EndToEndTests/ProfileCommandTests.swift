import Foundation
import Testing

/// The profile commands of issue 3 through the real binary.
@Suite(.serialized) struct ProfileCommandTests {
  func showJSON(_ box: Sandbox, _ name: String) throws -> [String: Any] {
    let result = box.run(["show", name, "--json"])
    #expect(result.status == 0, "\(result.stderr)")
    return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
  }

  @Test func eachKindSignsInWithItsOwnForm() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "azureuser",
          "--password-stdin",
        ], stdin: "L0cal-pw!\n"
      ).status == 0)
    #expect(
      box.run(
        [
          "add", "app-01", "--host", "app01.contoso.com", "--kind", "domain", "--user", "alice",
          "--domain", "CONTOSO", "--password-stdin",
        ], stdin: "D0main-pw!\n"
      ).status == 0)
    #expect(
      box.run(
        [
          "add", "app-02", "--host", "2001:db8::5", "--kind", "domain", "--user", "bob@contoso.com",
          "--password-stdin",
        ], stdin: "Upn-pw!\n"
      ).status == 0)
    let dc = box.run(
      [
        "add", "dc-01", "--host", "10.0.0.10", "--kind", "dc", "--user", "CONTOSO\\admin",
        "--admin", "--password-stdin",
      ], stdin: "Adm1n-pw!\n")
    #expect(dc.status == 0)
    #expect(dc.stderr == "rdpvault: added dc-01 (dc, signs in as CONTOSO\\admin)\n")
    let custom = box.run(
      [
        "add", "a-long-vm-name-01", "--host", "10.0.0.5", "--kind", "local", "--user", "ops",
        "--computer-name", "LONGVM01", "--password-stdin",
      ], stdin: "x\n")
    #expect(custom.status == 0)

    #expect(try showJSON(box, "web-01")["sign_in_name"] as? String == "WEB-01\\azureuser")
    #expect(try showJSON(box, "app-01")["sign_in_name"] as? String == "CONTOSO\\alice")
    #expect(try showJSON(box, "app-02")["sign_in_name"] as? String == "bob@contoso.com")
    #expect(try showJSON(box, "dc-01")["sign_in_name"] as? String == "CONTOSO\\admin")
    #expect(try showJSON(box, "a-long-vm-name-01")["sign_in_name"] as? String == "LONGVM01\\ops")

    let list = box.run(["list"])
    #expect(
      list.stdout.contains("app-02             [2001:db8::5]:3389      domain  bob@contoso.com"))
    let show = box.run(["show", "app-01"])
    #expect(
      show.stdout.contains(
        "must be in the VM's Administrators group or be granted Remote Desktop access"))
  }

  /// An Azure VM name longer than 15 characters cannot be the computer name: the account
  /// signs in as `.\u` (the VM itself), and `add` says so and how to name the computer.
  @Test func aLongNameSignsInAsTheVMItself() {
    let box = Sandbox()
    box.initVault()
    let result = box.run(
      [
        "add", "a-very-long-vm-name", "--host", "10.0.0.4", "--kind", "local", "--user", "u",
        "--password-stdin",
      ], stdin: "x\n")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("cannot be a Windows computer name"))
    #expect(result.stderr.contains("give --computer-name to use NAME\\USER"))
    #expect(result.stderr.contains("rdpvault: added a-very-long-vm-name (local, signs in as .\\u)"))
    #expect(
      box.run(["show", "a-very-long-vm-name"]).stdout.contains("local account of the VM itself (.)")
    )
    let named = box.run(
      [
        "add", "another-long-vm-name", "--host", "10.0.0.5", "--kind", "local", "--user", "u",
        "--computer-name", "ANOTHER-LONG-VM", "--password-stdin",
      ], stdin: "x\n")
    #expect(
      named.stderr
        == "rdpvault: added another-long-vm-name (local, signs in as ANOTHER-LONG-VM\\u)\n",
      "\(named.stderr)")
  }

  struct Invalid: CustomTestStringConvertible, Sendable {
    var arguments: [String]
    var status: Int32
    var stderr: String
    var testDescription: String { arguments.joined(separator: " ") }
  }

  static let base = ["--kind", "local", "--user", "azureuser", "--password-stdin"]

  static let invalidInputs: [Invalid] = [
    Invalid(
      arguments: ["add", "web-01", "--host", "10.0.0.300"] + base, status: 64,
      stderr: "rdpvault: error: invalid host \"10.0.0.300\": not a valid IPv4 address\n"),
    Invalid(
      arguments: ["add", "web-01", "--host", "[::1]"] + base, status: 64,
      stderr:
        "rdpvault: error: invalid host \"[::1]\": not an IP address or DNS name (give the port with --port, and IPv6 without brackets)\n"
    ),
    Invalid(
      arguments: ["add", "web-01", "--host", "host:3389"] + base, status: 64,
      stderr:
        "rdpvault: error: invalid host \"host:3389\": not an IP address or DNS name (give the port with --port, and IPv6 without brackets)\n"
    ),
    Invalid(
      arguments: ["add", "web-01", "--host", "bad_host.example"] + base, status: 64,
      stderr:
        "rdpvault: error: invalid host \"bad_host.example\": a DNS name has labels of 1-63 letters, digits or '-', at most 253 characters\n"
    ),
    Invalid(
      arguments: ["add", "web-01", "--host", "10.0.0.4", "--port", "0"] + base, status: 64,
      stderr: "rdpvault: error: invalid port \"0\": must be 1-65535\n"),
    Invalid(
      arguments: ["add", "web-01", "--host", "10.0.0.4", "--port", "70000"] + base, status: 64,
      stderr: "rdpvault: error: invalid port \"70000\": must be 1-65535\n"),
    Invalid(
      arguments: ["add", "web-01", "--host", "10.0.0.4", "--port", "x"] + base, status: 64,
      stderr: ""),
    Invalid(
      arguments: ["add", "web/01", "--host", "10.0.0.4"] + base, status: 64,
      stderr:
        "rdpvault: error: invalid VM name \"web/01\": 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit\n"
    ),
    Invalid(
      arguments: [
        "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "a*b",
        "--password-stdin",
      ], status: 64,
      stderr:
        "rdpvault: error: invalid user \"a*b\": a Windows user name cannot contain \"*\" (none of \" / \\ [ ] : ; | = , + * ? < >)\n"
    ),
    Invalid(
      arguments: [
        "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "twentyonecharacters_x",
        "--password-stdin",
      ], status: 64,
      stderr:
        "rdpvault: error: invalid user \"twentyonecharacters_x\": a Windows user name has at most 20 characters\n"
    ),
    Invalid(
      arguments: [
        "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "..",
        "--password-stdin",
      ], status: 64,
      stderr:
        "rdpvault: error: invalid user \"..\": a Windows user name cannot be only dots and spaces\n"
    ),
    Invalid(
      arguments: [
        "add", "web-01", "--host", "10.0.0.4", "--kind", "domain", "--user", "alice",
        "--password-stdin",
      ], status: 64,
      stderr:
        "rdpvault: error: missing domain: a domain account needs --domain, DOMAIN\\user or user@domain\n"
    ),
    Invalid(
      arguments: [
        "add", "web-01", "--host", "10.0.0.4", "--kind", "domain", "--user", "alice", "--domain",
        "TOOLONGNETBIOSNAME", "--password-stdin",
      ], status: 64,
      stderr:
        "rdpvault: error: invalid domain \"TOOLONGNETBIOSNAME\": a NetBIOS domain is 1-15 letters, digits, '-' or '_'; otherwise give a DNS name\n"
    ),
    Invalid(
      arguments: [
        "add", "web-01", "--host", "10.0.0.4", "--kind", "domain", "--user", "al ice@contoso.com",
        "--password-stdin",
      ], status: 64,
      stderr:
        "rdpvault: error: invalid user \"al ice@contoso.com\": a UPN is user@dns.domain, the user part without \" / \\ [ ] : ; | = , + * ? < > @ or spaces\n"
    ),
    Invalid(
      arguments: [
        "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "CONTOSO\\alice",
        "--password-stdin",
      ], status: 64,
      stderr:
        "rdpvault: error: a local account signs in as WEB-01\\alice; \"CONTOSO\" is not the computer name\n"
    ),
    Invalid(
      arguments: [
        "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--computer-name",
        "THIS-IS-TOO-LONG", "--user", "a", "--password-stdin",
      ], status: 64,
      stderr:
        "rdpvault: error: invalid computer name \"THIS-IS-TOO-LONG\": a NetBIOS name of 1-15 letters, digits or '-', not only digits\n"
    ),
    Invalid(
      arguments: ["add", "web-01", "--host", "10.0.0.4", "--kind", "nope", "--user", "a"],
      status: 64, stderr: ""),
    // Free-text fields are checked before the passphrase too, their value quoted once.
    Invalid(
      arguments: [
        "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "a", "--note", "a\tb",
        "--password-stdin",
      ], status: 64,
      stderr:
        "rdpvault: error: invalid note \"a\\u{9}b\": contains U+0009; control characters, line breaks, escape sequences and bidirectional overrides are not allowed\n"
    ),
    Invalid(
      arguments: ["edit", "existing", "--subscription", "s\u{1B}[2J"], status: 64, stderr: ""),
    Invalid(
      arguments: [
        "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "a",
        "--resource-group", "bad rg!", "--password-stdin",
      ], status: 64,
      stderr:
        "rdpvault: error: invalid resource group \"bad rg!\": an Azure name: letters, digits, '-', '_', '.', '(' and ')', not starting with '-' nor ending with '.'\n"
    ),
    Invalid(
      arguments: ["edit", "existing", "--note", String(repeating: "n", count: 4097)], status: 64,
      stderr: ""),
    Invalid(
      arguments: ["add", "web-01", "--kind", "local", "--user", "a"], status: 64,
      stderr: "rdpvault: error: missing --host\nrdpvault: hint: see: rdpvault help add\n"),
    Invalid(
      arguments: [
        "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "a", "--password-stdin",
        "--generate-password",
      ], status: 64,
      stderr:
        "rdpvault: error: --password-stdin and --generate-password cannot be used together\nrdpvault: hint: see: rdpvault help add\n"
    ),
    Invalid(
      arguments: [
        "add", "dc-02", "--host", "10.0.0.4", "--kind", "dc", "--user", "CONTOSO\\bob",
        "--password-stdin",
      ], status: 1,
      stderr:
        "rdpvault: error: a dc profile needs a domain administrator of its domain, and CONTOSO\\bob is not marked as one\n"
    ),
    Invalid(
      arguments: ["add", "existing", "--host", "10.0.0.4"] + base, status: 1,
      stderr:
        "rdpvault: error: a VM named \"existing\" already exists\nrdpvault: hint: pick another name, or change the VM with: rdpvault edit\n"
    ),
    Invalid(
      arguments: ["edit", "existing", "--host", "a b"], status: 64,
      stderr:
        "rdpvault: error: invalid host \"a b\": a DNS name has labels of 1-63 letters, digits or '-', at most 253 characters\n"
    ),
    Invalid(
      arguments: ["rename", "existing", "bad name"], status: 64,
      stderr:
        "rdpvault: error: invalid VM name \"bad name\": 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit\n"
    ),
    Invalid(
      arguments: ["show", "exsting"], status: 1,
      stderr:
        "rdpvault: error: no VM named \"exsting\"\nrdpvault: hint: did you mean \"existing\"? (rdpvault list shows all)\n"
    ),
    Invalid(
      arguments: ["rm", "existing"], status: 1,
      stderr:
        "rdpvault: error: no terminal to confirm on\nrdpvault: hint: pass --yes to remove without a terminal\n"
    ),
    Invalid(
      arguments: ["account", "rm", "CONTOSO\\carol"], status: 1,
      stderr:
        "rdpvault: error: account \"CONTOSO\\carol\" is used by dc-01\nrdpvault: hint: remove or re-point those VMs first (rdpvault rm / rdpvault edit)\n"
    ),
    Invalid(
      arguments: ["account", "passwd", "CONTOSO\\nobody", "--password-stdin"], status: 1,
      stderr:
        "rdpvault: error: no account \"CONTOSO\\nobody\"\nrdpvault: hint: rdpvault account list shows all accounts\n"
    ),
  ]

  /// Every invalid input: its exact error, its exit status, and a vault left byte for byte
  /// as it was.
  @Test func invalidInputChangesNothing() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(["add", "existing", "--host", "10.0.0.9"] + Self.base, stdin: "pw\n").status == 0)
    #expect(
      box.run(
        [
          "add", "dc-01", "--host", "10.0.0.10", "--kind", "dc", "--user", "CONTOSO\\carol",
          "--admin", "--password-stdin",
        ], stdin: "pw\n"
      ).status == 0)
    #expect(
      box.run(
        [
          "add", "app-01", "--host", "10.0.0.11", "--kind", "domain", "--user", "CONTOSO\\bob",
          "--password-stdin",
        ], stdin: "pw\n"
      ).status == 0)
    let before = box.snapshot()
    for input in Self.invalidInputs {
      let result = box.run(input.arguments, stdin: "Secret-not-used\n")
      #expect(result.status == input.status, "\(input.testDescription): \(result.stderr)")
      if !input.stderr.isEmpty {
        #expect(result.stderr == input.stderr, "\(input.testDescription)")
      }
      // A usage error is found before the vault is opened: without any passphrase, the same.
      if input.status == 64 {
        let early = box.run(
          input.arguments, stdin: "Secret-not-used\n",
          environment: ["RDPVAULT_PASSPHRASE_FILE": "", "RDPVAULT_NO_AGENT": "1"])
        #expect(early.status == 64, "\(input.testDescription): \(early.stderr)")
        #expect(early.stderr == result.stderr, "\(input.testDescription)")
      }
      #expect(!result.output.contains("Secret-not-used"))
      #expect(box.snapshot() == before, "\(input.testDescription) changed the vault")
    }
  }

  @Test func aSharedDomainAccountChangesOnceForAll() {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "app-01", "--host", "10.1.0.1", "--kind", "domain", "--user", "CONTOSO\\alice",
          "--password-stdin",
        ], stdin: "first\n"
      ).status == 0)
    let linked = box.run([
      "add", "app-02", "--host", "10.1.0.2", "--kind", "domain", "--user", "alice", "--domain",
      "contoso",
    ])
    #expect(linked.status == 0)
    #expect(linked.stderr.contains("linked to the existing account"))
    let change = box.run(
      ["account", "passwd", "contoso\\ALICE", "--password-stdin"], stdin: "second\n")
    #expect(change.status == 0)
    #expect(
      change.stderr == "rdpvault: password changed for contoso\\ALICE (used by app-01, app-02)\n")
    #expect(box.run(["password", "app-01"]).stdout == "second\n")
    #expect(box.run(["password", "app-02"]).stdout == "second\n")
    let accounts = box.run(["account", "list", "--json"])
    let json =
      try? JSONSerialization.jsonObject(with: Data(accounts.stdout.utf8)) as? [[String: Any]]
    #expect(json?.count == 1)
    #expect(json?.first?["vms"] as? [String] == ["app-01", "app-02"])
  }

  @Test func theDomainControllerRule() {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "app-01", "--host", "10.1.0.1", "--kind", "domain", "--user", "CONTOSO\\bob",
          "--password-stdin",
        ], stdin: "pw\n"
      ).status == 0)
    let refused = box.run([
      "add", "dc-01", "--host", "10.1.0.10", "--kind", "dc", "--user", "CONTOSO\\bob",
    ])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("is not marked as one"))
    #expect(box.run(["account", "edit", "CONTOSO\\bob", "--admin"]).status == 0)
    #expect(
      box.run(["add", "dc-01", "--host", "10.1.0.10", "--kind", "dc", "--user", "CONTOSO\\bob"])
        .status == 0)
    let unmark = box.run(["account", "edit", "CONTOSO\\bob", "--no-admin"])
    #expect(unmark.status == 1)
    #expect(
      unmark.stderr
        == "rdpvault: error: \"CONTOSO\\bob\" stays a domain admin: the domain controller dc-01 signs in with it, and a dc VM needs one\nrdpvault: hint: point them at another admin first: rdpvault edit NAME --user 'DOMAIN\\admin' --admin\n",
      "\(unmark.stderr)")
    let both = box.run(["account", "edit", "CONTOSO\\bob", "--admin", "--no-admin"])
    #expect(both.status == 64, "\(both.stderr)")
    // A dc of another domain is refused: the account is CONTOSO's.
    let other = box.run([
      "add", "dc-02", "--host", "10.1.0.11", "--kind", "dc", "--user", "CONTOSO\\bob", "--domain",
      "FABRIKAM",
    ])
    #expect(other.status == 64)
    #expect(other.stderr.contains("conflicts with the domain \"CONTOSO\" in --user"))
  }

  static let specialPasswords = [
    "with spaces in it", "quotes \" and ' both", "back\\slash\\\\double", "colon:semi;colon",
    "ünïcødé ß Ærø", "日本語パスワード", "trailing space ", " leading space", "tab\there",
    "#!$%^&*()[]{}<>|~`",
  ]

  @Test func passwordsWithSpecialCharactersRoundTrip() {
    let box = Sandbox()
    box.initVault()
    for (index, password) in Self.specialPasswords.enumerated() {
      let name = "vm-\(index)"
      let add = box.run(
        [
          "add", name, "--host", "10.2.0.\(index + 1)", "--kind", "local", "--user", "u",
          "--password-stdin",
        ], stdin: password + "\n")
      #expect(add.status == 0, "\(add.stderr)")
      #expect(!add.output.contains(password))
      let out = box.run(["password", name])
      #expect(out.stdout == password + "\n", "password \(index) changed")
    }
    // CRLF from a Windows clipboard loses only the line ending.
    #expect(
      box.run(
        [
          "add", "crlf", "--host", "10.2.1.1", "--kind", "local", "--user", "u", "--password-stdin",
        ], stdin: "pass word\r\n"
      ).status == 0)
    #expect(box.run(["password", "crlf"]).stdout == "pass word\n")
  }

  @Test func generatedPasswordsPrintOnlyWhenAsked() {
    let box = Sandbox()
    box.initVault()
    let quiet = box.run([
      "add", "gen-1", "--host", "10.3.0.1", "--kind", "local", "--user", "u", "--generate-password",
    ])
    #expect(quiet.status == 0)
    #expect(quiet.stdout.isEmpty)
    let loud = box.run([
      "add", "gen-2", "--host", "10.3.0.2", "--kind", "local", "--user", "u", "--generate-password",
      "--print-password",
    ])
    let printed = loud.stdout.trimmingCharacters(in: .newlines)
    #expect(printed.count == 24)
    #expect(box.run(["password", "gen-2"]).stdout == printed + "\n")
  }

  @Test func theJSONShape() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "web-01", "--host", "10.0.0.4", "--port", "3390", "--kind", "local", "--user",
          "azureuser", "--tag", "prod", "--tag", "web", "--resource-group", "rg-web",
          "--subscription", "sub-1", "--note", "front end", "--password-stdin",
        ], stdin: "pw\n"
      ).status == 0)
    let list = box.run(["list", "--json"])
    let array = try #require(
      try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
    #expect(array.count == 1)
    let item = array[0]
    #expect(
      Set(item.keys) == [
        "name", "host", "port", "computer_name", "kind", "sign_in_name", "user", "domain",
        "domain_admin",
        "tags", "resource_group", "subscription", "note", "settings", "extra_lines", "options",
      ])
    #expect(item["name"] as? String == "web-01")
    #expect(item["port"] as? Int == 3390)
    #expect(item["domain"] as? String == "WEB-01")
    #expect(item["tags"] as? [String] == ["prod", "web"])
    #expect(item["domain_admin"] as? Bool == false)
    #expect(box.run(["list", "--tag", "nope", "--json"]).stdout == "[]\n")
    let tricky = "quote \" backslash \\ ünï 🚀"
    #expect(
      box.run(
        [
          "add", "web-02", "--host", "10.0.0.5", "--kind", "local", "--user", "u", "--note", tricky,
          "--password-stdin",
        ], stdin: "pw\n"
      ).status == 0)
    let both = try #require(
      try JSONSerialization.jsonObject(with: Data(box.run(["list", "--json"]).stdout.utf8))
        as? [[String: Any]])
    try #require(both.map { $0["name"] as? String } == ["web-01", "web-02"])
    #expect(both[1]["note"] as? String == tricky)
    #expect(box.run(["list", "WEB*"]).stdout.contains("web-01"))
    #expect(box.run(["list", "--kind", "dc"]).stdout.isEmpty)
  }

  /// `list --json` is written by hand for speed; `show --json` encodes `ProfileJSON` with
  /// JSONEncoder. Every VM must come out the same from both, so a field added to the type
  /// cannot silently go missing from `list --json`, and no value is escaped differently.
  @Test func theFastJSONWriterMatchesJSONEncoder() throws {
    let box = Sandbox()
    box.initVault()
    let tricky = "quote \" backslash \\ slash / ünï 🚀 <b>&amp;"
    let adds: [([String], String)] = [
      (
        [
          "web-01", "--host", "10.0.0.4", "--port", "3390", "--kind", "local", "--user",
          "azureuser", "--tag", "prod", "--tag", "t-2", "--resource-group", "rg", "--subscription",
          "sub", "--note", tricky,
        ], "pw"
      ),
      (
        [
          "app-01", "--host", "2001:db8::5", "--kind", "domain", "--user", "CONTOSO\\alice",
          "--admin",
        ], "pw"
      ),
      (["dc-01", "--host", "dc.contoso.com", "--kind", "dc", "--user", "CONTOSO\\alice"], ""),
      (
        ["app-02", "--host", "app.contoso.com", "--kind", "domain", "--user", "bob@contoso.com"],
        "pw"
      ),
      (["a-very-long-vm-name-01", "--host", "10.0.0.9", "--kind", "local", "--user", "eve"], "pw"),
      (
        ["Web-00", "--host", "10.0.1.9", "--kind", "local", "--user", "eve", "--tag", "Prod"], "pw"
      ),
    ]
    for (arguments, password) in adds {
      let added = box.run(
        ["add"] + arguments + (password.isEmpty ? [] : ["--password-stdin"]), stdin: password + "\n"
      )
      #expect(added.status == 0, "\(arguments): \(added.stderr)")
    }
    for change in [
      ["set", "web-01", "desktopwidth", "1920"], ["set", "web-01", "--line", "smart sizing:i:1"],
      ["set", "web-01", "--line", "remoteapplicationcmdline:s:a \\ \"b\" / c"],
      ["set", "web-01", "pre-connect", "echo \"hi\" \\ there"],
      ["set", "app-01", "cert-sha256", String(repeating: "ab", count: 32)],
      ["set", "app-01", "alternate shell", tricky],
    ] {
      let result = box.run(change)
      #expect(result.status == 0, "\(change): \(result.stderr)")
    }
    let text = box.run(["list", "--json"]).stdout
    let list = try #require(
      try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    #expect(list.count == adds.count)
    // One object per line, in name order with case ignored.
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.first == "[" && lines.suffix(2) == ["]", ""] && lines.count == adds.count + 3)
    let names = list.map { $0["name"] as? String ?? "" }
    #expect(
      names == [
        "a-very-long-vm-name-01", "app-01", "app-02", "dc-01", "Web-00", "web-01",
      ])
    // Compared as canonical JSON: the same keys, values and types.
    let canonical = { (object: Any) throws -> String in
      String(
        decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
        as: UTF8.self)
    }
    // A filter picks the same objects, in the same order, as the whole list.
    for (filter, expected) in [
      (["--tag", "prod"], ["Web-00", "web-01"]), (["--kind", "domain"], ["app-01", "app-02"]),
      (["app*"], ["app-01", "app-02"]),
      (["--host-match", "10.0.*"], ["a-very-long-vm-name-01", "Web-00", "web-01"]),
      (["--tag", "nope"], []),
    ] {
      let picked = try #require(
        try JSONSerialization.jsonObject(
          with: Data(box.run(["list", "--json"] + filter).stdout.utf8)) as? [[String: Any]])
      #expect(picked.map { $0["name"] as? String ?? "" } == expected, "\(filter)")
      for item in picked {
        let whole = try #require(list.first { $0["name"] as? String == item["name"] as? String })
        #expect(try canonical(item) == canonical(whole), "\(filter)")
      }
    }
    for item in list {
      let name = try #require(item["name"] as? String)
      let shown = try #require(
        try JSONSerialization.jsonObject(with: Data(box.run(["show", name, "--json"]).stdout.utf8))
          as? [String: Any])
      #expect(try canonical(item) == canonical(shown), "\(name)")
    }
  }

  /// The global options work before the command's name as after it (README, Global
  /// options), with their values, in both `--option value` and `--option=value` forms.
  @Test func globalOptionsGoBeforeOrAfterTheName() throws {
    let box = Sandbox()
    box.initVault()
    let added = box.run(
      [
        "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "u",
        "--password-stdin",
      ], stdin: "pw\n")
    #expect(added.status == 0, "\(added.stderr)")
    let elsewhere = box.root + "/elsewhere.db"
    for arguments in [
      ["--vault", elsewhere, "show", "web-01"], ["--vault=" + elsewhere, "show", "web-01"],
      ["-q", "--no-agent", "--vault", elsewhere, "show", "web-01"],
      ["show", "web-01", "--vault", elsewhere], ["--vault", elsewhere, "account", "list"],
    ] {
      let result = box.run(arguments)
      #expect(
        result.status != 0 && result.stderr.contains("elsewhere.db")
          && !result.stderr.contains("unknown option"), "\(arguments): \(result.stderr)")
    }
    // --no-agent before the name opens the vault itself, so it reads the passphrase file.
    let shown = box.run(
      [
        "--no-agent", "--vault", box.vault, "-q", "--passphrase-file", box.passphraseFile, "show",
        "web-01",
      ])
    #expect(shown.status == 0 && shown.stdout.contains("10.0.0.4"), "\(shown.stderr)")
    // A passphrase file named before the command is the one read.
    let loose = box.root + "/loose-passphrase"
    #expect(FileManager.default.createFile(atPath: loose, contents: Data("x\n".utf8)))
    #expect(chmod(loose, 0o644) == 0)
    let refused = box.run(["--passphrase-file", loose, "--no-agent", "show", "web-01"])
    #expect(
      refused.status != 0 && refused.stderr.contains("loose-passphrase"), "\(refused.stderr)")
  }

  @Test func noSecretInAnyOutputButPasswords() {
    let box = Sandbox()
    box.initVault()
    let secret = "Zebra-Canary-9731"
    var outputs: [Run] = []
    outputs.append(
      box.run(
        [
          "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "u",
          "--password-stdin",
        ], stdin: secret + "\n"))
    outputs.append(
      box.run(
        [
          "add", "app-01", "--host", "10.0.0.5", "--kind", "domain", "--user", "C\\u",
          "--password-stdin",
        ], stdin: secret + "\n"))
    for arguments in [
      ["list"], ["list", "--json"], ["show", "web-01"], ["show", "web-01", "--json"],
      ["account", "list"], ["account", "list", "--json"], ["info"], ["info", "--json"],
      ["edit", "web-01", "--note", "n"], ["rename", "app-01", "app-02"],
    ] {
      outputs.append(box.run(arguments))
    }
    outputs.append(
      box.run(["account", "passwd", "C\\u", "--password-stdin"], stdin: secret + "-2\n"))
    for result in outputs {
      #expect(result.status == 0, "\(result.stderr)")
      #expect(!result.output.contains("Zebra-Canary"))
      #expect(!result.output.contains(Sandbox.passphrase))
    }
    #expect(box.run(["password", "web-01"]).stdout == secret + "\n")
  }

  @Test func editRepointsAndRenameKeeps() {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "u",
          "--password-stdin",
        ], stdin: "local\n"
      ).status == 0)
    let edit = box.run(
      [
        "edit", "web-01", "--kind", "domain", "--user", "CONTOSO\\alice", "--password-stdin",
        "--yes",
      ], stdin: "dom\n")
    #expect(edit.status == 0, "\(edit.stderr)")
    #expect(
      edit.stderr == """
        rdpvault: warning: web-01 leaves its local account WEB-01\\u, whose stored password will be deleted
        rdpvault: updated web-01 (domain, signs in as CONTOSO\\alice)

        """)
    #expect(box.run(["password", "web-01"]).stdout == "dom\n")
    #expect(box.run(["rename", "web-01", "frontend-01"]).status == 0)
    #expect(box.run(["password", "frontend-01"]).stdout == "dom\n")
    #expect(box.run(["rm", "frontend-01", "--yes"]).status == 0)
    #expect(box.run(["list", "--json"]).stdout == "[]\n")
  }

  /// A local VM's --user names another local account, with a password of its own: it is asked
  /// for, and the old account's password goes (after a warning and a confirmation), never
  /// handed to the new user. A user name in another case (Windows ignores case) or a new
  /// computer name keeps the account and its password.
  @Test func aLocalVMsNewUserIsAnotherAccountWithItsOwnPassword() {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "azureuser",
          "--password-stdin",
        ], stdin: "Old-Pw1\n"
      ).status == 0)
    let before = box.snapshot()
    // Without a terminal, the new account's password must be given, and the old one's
    // deletion confirmed.
    let noPassword = box.run(["edit", "web-01", "--user", "opsadmin", "--yes"])
    #expect(noPassword.status == 1, "\(noPassword.stderr)")
    #expect(
      noPassword.stderr.contains("rdpvault: hint: use --password-stdin or --generate-password"),
      "\(noPassword.stderr)")
    let unconfirmed = box.run(
      ["edit", "web-01", "--user", "opsadmin", "--password-stdin"], stdin: "New-Pw1\n")
    #expect(unconfirmed.status == 1, "\(unconfirmed.stderr)")
    #expect(
      unconfirmed.stderr.contains(
        "rdpvault: warning: web-01 leaves its local account WEB-01\\azureuser, whose stored password will be deleted\n"
      ), "\(unconfirmed.stderr)")
    #expect(box.snapshot() == before, "a refused edit changes nothing")
    let edit = box.run(
      ["edit", "web-01", "--user", "opsadmin", "--password-stdin", "--yes"], stdin: "New-Pw1\n")
    #expect(edit.status == 0, "\(edit.stderr)")
    #expect(
      edit.stderr.hasSuffix("rdpvault: updated web-01 (local, signs in as WEB-01\\opsadmin)\n"))
    #expect(box.run(["password", "web-01"]).stdout == "New-Pw1\n")
    // The same user in another case, and a new computer name, keep the password unasked.
    for change in [["--user", "OpsAdmin"], ["--computer-name", "WEB-01B"]] {
      let kept = box.run(["edit", "web-01"] + change)
      #expect(kept.status == 0, "\(change): \(kept.stderr)")
      #expect(!kept.stderr.contains("warning"), "\(change): \(kept.stderr)")
      #expect(box.run(["password", "web-01"]).stdout == "New-Pw1\n", "\(change)")
    }
    #expect(box.run(["show", "web-01"]).stdout.contains("WEB-01B\\OpsAdmin"))
  }

  /// A shared account (a domain account, a template credential) that an edit or rm leaves
  /// with no VM stays, with its password: the command says so, and names the command that
  /// deletes it, which works as printed. While a VM still uses it, nothing is said.
  @Test func aSharedAccountLeftWithNoVMIsNamed() {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "app-01", "--host", "10.0.0.5", "--kind", "domain", "--user", "CONTOSO\\alice",
          "--password-stdin",
        ], stdin: "Domain-Pw1\n"
      ).status == 0)
    #expect(
      box.run([
        "add", "app-02", "--host", "10.0.0.6", "--kind", "domain", "--user", "CONTOSO\\alice",
      ]).status == 0)
    #expect(
      box.run(
        [
          "add", "web-01", "--host", "10.0.0.1", "--user", "azureuser", "--shared-credential",
          "web-tier", "--password-stdin",
        ], stdin: "Tpl-pw-1\n"
      ).status == 0)
    let first = box.run(["rm", "app-01", "--yes"])
    #expect(first.status == 0 && !first.stderr.contains("used by no VM"), "\(first.stderr)")
    let edit = box.run(
      ["edit", "app-02", "--kind", "local", "--user", "localadmin", "--password-stdin"],
      stdin: "Local-Pw1\n")
    #expect(edit.status == 0, "\(edit.stderr)")
    #expect(
      edit.stderr.hasSuffix(
        "rdpvault: CONTOSO\\alice is now used by no VM; it stays in the vault with its password "
          + "(delete both with: rdpvault account rm 'CONTOSO\\alice')\n"), "\(edit.stderr)")
    #expect(box.run(["account", "list"]).stdout.contains("(unused)"))
    let gone = box.run(["account", "rm", "CONTOSO\\alice"])
    #expect(gone.status == 0, "\(gone.stderr)")
    #expect(!box.run(["account", "list"]).stdout.contains("alice"))
    let removed = box.run(["rm", "web-01", "--yes"])
    #expect(
      removed.stderr.hasSuffix(
        "rdpvault: template:web-tier is now used by no VM; it stays in the vault with its password "
          + "(delete both with: rdpvault account rm template:web-tier)\n"), "\(removed.stderr)")
    // A local account goes with its VM: nothing to say.
    let local = box.run(["rm", "app-02", "--yes"])
    #expect(local.status == 0 && !local.stderr.contains("used by no VM"), "\(local.stderr)")
  }

  /// Every option of edit that changes something, as its help lists them, is a change: none
  /// is met with "nothing to change" (an option added later is checked too).
  @Test func everyOptionOfEditIsAChange() throws {
    let box = Sandbox()
    box.initVault()
    let values = [
      "--host": "10.0.0.9", "--port": "3390", "--kind": "domain", "--user": "bob",
      "--domain": "CONTOSO", "--computer-name": "WEB-09", "--shared-credential": "tpl",
      "--tag": "t", "--resource-group": "rg", "--subscription": "sub", "--note": "n",
      "--add-tag": "a", "--remove-tag": "r",
    ]
    let notChanges: Set = [
      "--vault", "--passphrase-file", "--no-agent", "--print-password", "--where", "--yes",
      "--version", "--help", "--quiet", "--verbose",
    ]
    let help = box.run(["edit", "--help"]).stdout
    let options = help.split(separator: "\n").compactMap { line -> (String, Bool)? in
      let words = line.split(separator: " ")
      guard let option = words.first(where: { $0.hasPrefix("--") }).map(String.init),
        line.hasPrefix("  -"), !notChanges.contains(option)
      else { return nil }
      return (option, line.contains("<"))
    }
    #expect(options.count >= 15, "\(options)")
    for (option, takesValue) in options {
      var arguments = ["edit", "web-01", option]
      if takesValue {
        guard let value = values[option] else {
          Issue.record("a value for \(option)")
          continue
        }
        arguments.append(value)
      }
      let run = box.run(arguments, stdin: "pw\n")
      #expect(!run.stderr.contains("nothing to change"), "\(option): \(run.stderr)")
    }
    #expect(box.run(["edit", "web-01"]).stderr.contains("nothing to change"))
  }
}
