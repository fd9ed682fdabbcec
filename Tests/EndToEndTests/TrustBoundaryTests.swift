import Foundation
import Testing

/// Input that the user did not type (a teammate's bundle, a downloaded .rdp file) is data:
/// it never runs a command unapproved, never reaches a stored password without consent, and
/// passes the same gate as `add` and `set`. Each rule of SECURITY.md's "a teammate" adversary.
@Suite(.serialized) struct TrustBoundaryTests {
  func receiver() -> Sandbox {
    let box = Sandbox()
    box.initVault()
    return box
  }

  // Rule 1: data, never behaviour.
  @Test func aHookFromABundleDoesNotRunUntilApproved() throws {
    let box = receiver()
    let mallory = try HostileSender()
    mallory.pin(in: box)
    let marker = box.root + "/pwned"
    let command = "touch \(marker)"
    let file = try mallory.bundle(
      for: box,
      profiles: [
        HostileSender.profile(
          "evil", host: "127.0.0.1", settings: ["options": ["pre-connect": command]])
      ],
      accounts: [HostileSender.account()], passwords: [Array("Their-Pw1".utf8)])
    let imported = box.run(["import", file])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(
      imported.stderr.contains(
        "rdpvault:   pre-connect (not approved, connect will not run it): \(command)\n"))
    let refused = box.run(["connect", "evil", "--no-check", "--client-path", "/bin/true"])
    #expect(refused.status == 1)
    #expect(
      refused.stderr.hasPrefix(
        "rdpvault: error: evil's pre-connect command came from outside this vault and is not approved, so it was not run: \(command)\n"
          + "rdpvault: hint: read it, then approve it with: rdpvault hook approve evil"))
    #expect(!FileManager.default.fileExists(atPath: marker))
    #expect(
      box.run(["show", "evil"]).stdout.contains("(NOT approved: rdpvault hook approve evil)"))
    #expect(
      box.run(["connect", "evil", "--dry-run"]).stdout.contains(
        "pre-connect: \(command) (NOT approved"))
    // No terminal: approval needs --yes, and prints the exact command either way.
    let noTerminal = box.run(["hook", "approve", "evil"])
    #expect(noTerminal.status == 1)
    #expect(noTerminal.stdout.contains("  \(command)\n"))
    #expect(noTerminal.stderr.contains("rdpvault: hint: pass --yes to approve without a terminal"))
    let approved = box.run(["hook", "approve", "evil", "--yes"])
    #expect(approved.status == 0)
    #expect(approved.stdout.contains("  \(command)\n"))
    let ran = box.run(["connect", "evil", "--no-check", "--client-path", "/bin/true"])
    #expect(ran.status == 0, "\(ran.stderr)")
    #expect(FileManager.default.fileExists(atPath: marker))
    // A changed command needs a new approval; one set by the user is approved by that act.
    let changed = try mallory.bundle(
      for: box,
      profiles: [
        HostileSender.profile(
          "evil", host: "127.0.0.1", settings: ["options": ["pre-connect": command + "-again"]])
      ],
      accounts: [HostileSender.account()], passwords: [Array("Their-Pw1".utf8)],
      file: "changed.rdpv")
    #expect(box.run(["import", changed, "--on-conflict", "replace"]).status == 0)
    #expect(box.run(["connect", "evil", "--no-check", "--client-path", "/bin/true"]).status == 1)
    #expect(!FileManager.default.fileExists(atPath: marker + "-again"))
    #expect(box.run(["set", "evil", "pre-connect", "true"]).status == 0)
    #expect(box.run(["connect", "evil", "--no-check", "--client-path", "/bin/true"]).status == 0)
  }

  /// A bundle that names a VM twice (in any case) is refused whole, and of several bad VMs
  /// the first in the bundle's order is named, though the VMs are checked on every core.
  @Test func aNameTwiceOrSeveralBadVMsAreRefusedInOrder() throws {
    let box = receiver()
    let mallory = try HostileSender()
    mallory.pin(in: box)
    let before = box.snapshot()
    let twice = try mallory.bundle(
      for: box,
      profiles: [HostileSender.profile("web"), HostileSender.profile("WEB")],
      accounts: [HostileSender.account()])
    let refused = box.run(["import", twice])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("VM \"WEB\""), "\(refused.stderr)")
    #expect(refused.stderr.contains("the bundle names it twice"), "\(refused.stderr)")
    var many = (0..<1200).map { HostileSender.profile("vm-\($0)") }
    // On two cores the halves are 0..<600 and 600..<1200: the later VM is found first.
    many[610] = HostileSender.profile("vm-610", host: "bad host\nline")
    many[550] = HostileSender.profile("vm-550", host: "bad host\u{1b}[2J")
    let bad = try mallory.bundle(for: box, profiles: many, accounts: [HostileSender.account()])
    let first = box.run(["import", bad])
    #expect(first.status == 1)
    #expect(first.stderr.contains("VM \"vm-550\""), "\(first.stderr)")
    #expect(!first.stderr.contains("vm-610"), "\(first.stderr)")
    #expect(box.snapshot() == before)
  }

  @Test func anApprovalCannotComeInABundleOrAsASetting() throws {
    let box = receiver()
    let mallory = try HostileSender()
    mallory.pin(in: box)
    let file = try mallory.bundle(
      for: box,
      profiles: [
        HostileSender.profile(
          "evil", settings: ["options": ["pre-connect": "id", "pre-connect-approved": "id"]])
      ],
      accounts: [HostileSender.account()])
    let before = box.snapshot()
    let result = box.run(["import", file])
    #expect(result.status == 1)
    #expect(
      result.stderr.contains(
        "the bundle was refused: VM \"evil\": invalid option \"pre-connect-approved\""))
    #expect(box.snapshot() == before)
    #expect(
      box.run(
        ["add", "vm", "--host", "10.0.0.1", "--kind", "local", "--user", "u", "--password-stdin"],
        stdin: "pw\n"
      ).status == 0)
    // Refused before the vault is opened: a usage error.
    let set = box.run(["set", "vm", "pre-connect-approved", "id"])
    #expect(set.status == 64)
    #expect(set.stderr.contains("not a property rdpvault models"))
  }

  // Rule 2: your passwords stay with the hosts you gave them to.
  /// An RD Gateway is offered the VM's sign-in name and password: one that came in a file
  /// (a downloaded .rdp, a bundle) is used only once approved; one the user sets is theirs.
  @Test func aGatewayFromOutsideIsNotUsedUntilApproved() throws {
    let box = receiver()
    let file = box.write(
      "full address:s:127.0.0.1\r\nusername:s:azureuser\r\ngatewayhostname:s:gw.evil.example\r\ngatewayusagemethod:i:1\r\n",
      to: "gw.rdp")
    let imported = box.run(["import", file, "--computer-name", "GW01"])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(
      imported.stderr.contains("gateway: gw.evil.example (not approved: connect will not use it)"),
      "\(imported.stderr)")
    #expect(
      box.run(["account", "passwd", "GW01\\azureuser", "--password-stdin"], stdin: "pw\n").status
        == 0)
    #expect(
      box.run(["show", "gw"]).stdout.contains(
        "gatewayhostname = gw.evil.example  (NOT approved: rdpvault hook approve gw)"))
    #expect(
      box.run(["connect", "gw", "--dry-run"]).stdout.contains(
        "gateway: gw.evil.example (NOT approved: connect refuses to use it)"))
    let refused = box.run(["connect", "gw", "--no-check", "--client-path", "/bin/true"])
    #expect(refused.status == 1)
    #expect(
      refused.stderr.contains(
        "gw's gatewayhostname came from outside this vault and is not approved"),
      "\(refused.stderr)")
    let approve = box.run(["hook", "approve", "gw", "--yes"])
    #expect(approve.status == 0, "\(approve.stderr)")
    #expect(
      approve.stdout.contains("gatewayhostname of gw, the RD Gateway each connect goes through"))
    #expect(approve.stdout.contains("  gw.evil.example\n"))
    #expect(box.run(["connect", "gw", "--no-check", "--client-path", "/bin/true"]).status == 0)
    // Another gateway in a re-import needs approval again; one the user sets does not.
    let changed = box.write(
      "full address:s:127.0.0.1\r\nusername:s:azureuser\r\ngatewayhostname:s:gw2.evil.example\r\n",
      to: "gw.rdp")
    #expect(box.run(["import", changed, "--computer-name", "GW01", "--update"]).status == 0)
    #expect(box.run(["connect", "gw", "--no-check", "--client-path", "/bin/true"]).status == 1)
    #expect(box.run(["set", "gw", "gatewayhostname", "gw.corp.example"]).status == 0)
    #expect(box.run(["connect", "gw", "--no-check", "--client-path", "/bin/true"]).status == 0)
    // A bundle cannot carry the approval.
    let mallory = try HostileSender()
    mallory.pin(in: box)
    let bundle = try mallory.bundle(
      for: box,
      profiles: [
        HostileSender.profile(
          "evil",
          settings: [
            "values": ["gatewayhostname": "gw.evil.example"],
            "options": ["gatewayhostname-approved": "gw.evil.example"],
          ])
      ],
      accounts: [HostileSender.account()])
    let carried = box.run(["import", bundle])
    #expect(carried.status == 1)
    #expect(
      carried.stderr.contains("invalid option \"gatewayhostname-approved\""), "\(carried.stderr)")
  }

  @Test func noSilentLinkToAStoredAccount() throws {
    let box = receiver()
    #expect(
      box.run(
        [
          "add", "mine", "--host", "10.0.0.5", "--kind", "domain", "--user", "CONTOSO\\admin",
          "--password-stdin",
        ], stdin: "Mine-Passw0rd\n"
      ).status == 0)
    let mallory = try HostileSender()
    mallory.pin(in: box)
    let file = try mallory.bundle(
      for: box, profiles: [HostileSender.profile("evil")], accounts: [HostileSender.account()])
    let dry = box.run(["import", file, "--dry-run"])
    #expect(dry.status == 0)
    #expect(
      dry.stderr.contains(
        "rdpvault: would add evil: 203.0.113.9:3389 (domain, signs in as CONTOSO\\admin)\n"))
    #expect(
      dry.stderr.contains(
        "account: an account of its own, not linked to your stored CONTOSO\\admin"))
    #expect(dry.stderr.contains("(dry run: nothing was written)"))
    #expect(box.run(["list", "--json"]).stdout.contains("\"evil\"") == false)
    let imported = box.run(["import", file])
    #expect(imported.status == 0)
    let password = box.run(["password", "evil"])
    #expect(password.status == 1)
    #expect(!password.output.contains("Mine-Passw0rd"))
    // The hint leads to this VM's account: `account passwd CONTOSO\admin` finds the user's.
    #expect(
      password.stderr.hasSuffix(
        "rdpvault: hint: set one with: rdpvault edit evil --password-stdin\n"),
      "\(password.stderr)")
    #expect(box.run(["password", "mine"]).stdout == "Mine-Passw0rd\n")
    #expect(box.run(["account", "list"]).stdout.contains("domain (kept apart)"))
    // The user's own account is still the one `account passwd` and `add` find.
    #expect(
      box.run(["account", "passwd", "CONTOSO\\admin", "--password-stdin"], stdin: "Changed-Pw2\n")
        .status == 0)
    #expect(box.run(["password", "mine"]).stdout == "Changed-Pw2\n")
    #expect(box.run(["password", "evil"]).status == 1)
    // With consent the link is made, and said so.
    let consented = try mallory.bundle(
      for: box, profiles: [HostileSender.profile("evil-2")], accounts: [HostileSender.account()],
      file: "second.rdpv")
    let linked = box.run(["import", consented, "--link-existing"])
    #expect(linked.status == 0)
    #expect(
      linked.stderr.contains(
        "account: linked to your stored account CONTOSO\\admin and its password"))
    #expect(box.run(["password", "evil-2"]).stdout == "Changed-Pw2\n")
  }

  // Rule 3: replacements are shown and never widen.
  @Test func replaceShowsEveryChangeAndLeavesASharedPasswordAlone() throws {
    let box = receiver()
    #expect(
      box.run(
        [
          "add", "app-01", "--host", "10.0.0.5", "--kind", "domain", "--user", "CONTOSO\\admin",
          "--password-stdin",
        ], stdin: "Mine-Passw0rd\n"
      ).status == 0)
    #expect(
      box.run([
        "add", "app-02", "--host", "10.0.0.6", "--kind", "domain", "--user", "CONTOSO\\admin",
      ]).status == 0)
    let mallory = try HostileSender()
    mallory.pin(in: box)
    let file = try mallory.bundle(
      for: box,
      profiles: [
        HostileSender.profile(
          "app-01", host: "198.51.100.7", overrides: ["port": 3390, "computerName": "APP-01"])
      ],
      accounts: [HostileSender.account(admin: true)], passwords: [Array("Their-Passw0rd".utf8)])
    let replaced = box.run(["import", file, "--on-conflict", "replace"])
    #expect(replaced.status == 0, "\(replaced.stderr)")
    #expect(replaced.stderr.contains("rdpvault:   host: 10.0.0.5 → 198.51.100.7\n"))
    #expect(replaced.stderr.contains("rdpvault:   port: 3389 → 3390\n"))
    #expect(replaced.stderr.contains("rdpvault:   domain admin: false → true\n"))
    #expect(box.run(["password", "app-02"]).stdout == "Mine-Passw0rd\n")
    #expect(box.run(["password", "app-01"]).stdout == "Their-Passw0rd\n")
    let accounts = box.run(["account", "list", "--json"]).stdout
    let list = try #require(
      try JSONSerialization.jsonObject(with: Data(accounts.utf8)) as? [[String: Any]])
    let mine = list.first { ($0["vms"] as? [String]) == ["app-02"] }
    #expect(mine?["domain_admin"] as? Bool == false)
  }

  // Rule 4: one gate for every value.
  @Test func everyFieldRefusesLineBreaksEscapesNULsAndOversizedValues() throws {
    let box = receiver()
    let mallory = try HostileSender()
    mallory.pin(in: box)
    let bads: [(String, String)] = [
      ("line break", "a\nb"), ("escape", "a\u{1B}[31mb"), ("NUL", "a\u{0}b"),
      ("bidi override", "a\u{202E}b"),
      ("oversized", String(repeating: "x", count: 5000)),
    ]
    typealias Build = (String) -> ([String: Any], [String: Any])
    let fields: [(String, Build)] = [
      ("VM name", { (HostileSender.profile($0), HostileSender.account()) }),
      ("host", { (HostileSender.profile("vm", host: $0), HostileSender.account()) }),
      (
        "computer name",
        { (HostileSender.profile("vm", overrides: ["computerName": $0]), HostileSender.account()) }
      ),
      ("user", { (HostileSender.profile("vm"), HostileSender.account(user: $0)) }),
      ("domain", { (HostileSender.profile("vm"), HostileSender.account(domain: $0)) }),
      (
        "tag", { (HostileSender.profile("vm", overrides: ["tags": [$0]]), HostileSender.account()) }
      ),
      ("note", { (HostileSender.profile("vm", overrides: ["note": $0]), HostileSender.account()) }),
      (
        "resource group",
        { (HostileSender.profile("vm", overrides: ["resourceGroup": $0]), HostileSender.account()) }
      ),
      (
        "subscription",
        { (HostileSender.profile("vm", overrides: ["subscription": $0]), HostileSender.account()) }
      ),
      (
        "alternate shell",
        {
          (
            HostileSender.profile("vm", settings: ["values": ["alternate shell": $0]]),
            HostileSender.account()
          )
        }
      ),
      (
        "extra line",
        {
          (
            HostileSender.profile("vm", settings: ["extraLines": ["smart sizing:i:1\($0)"]]),
            HostileSender.account()
          )
        }
      ),
      (
        "extra line",
        {
          (
            HostileSender.profile("vm", settings: ["extraLines": ["x\($0):s:1"]]),
            HostileSender.account()
          )
        }
      ),
      (
        "pre-connect",
        {
          (
            HostileSender.profile("vm", settings: ["options": ["pre-connect": "id \($0)"]]),
            HostileSender.account()
          )
        }
      ),
    ]
    let before = box.snapshot()
    var index = 0
    for (field, build) in fields {
      for (label, value) in bads {
        index += 1
        let (profile, account) = build(value)
        let file = try mallory.bundle(
          for: box, profiles: [profile], accounts: [account], file: "bad-\(index).rdpv")
        let result = box.run(["import", file])
        #expect(result.status == 1, "\(field) with \(label) was accepted")
        #expect(
          result.stderr.hasPrefix("rdpvault: error: the bundle was refused: VM "),
          "\(field), \(label): \(result.stderr)")
        #expect(
          result.stderr.contains("invalid") || result.stderr.contains("missing"),
          "\(field), \(label): \(result.stderr)")
        #expect(box.snapshot() == before, "\(field) with \(label) changed the vault")
      }
    }
    // Passwords refuse CR, LF and NUL: a line break would add arguments to FreeRDP 3's stdin.
    for bad in ["pw\n/v:evil.example", "pw\r", "p\u{0}w"] {
      index += 1
      let file = try mallory.bundle(
        for: box, profiles: [HostileSender.profile("vm")], accounts: [HostileSender.account()],
        passwords: [Array(bad.utf8)],
        file: "pw-\(index).rdpv")
      let result = box.run(["import", file])
      #expect(result.status == 1)
      #expect(result.stderr.contains("a password cannot hold CR, LF or NUL"), "\(result.stderr)")
      #expect(!result.output.contains("evil.example"))
      #expect(box.snapshot() == before)
    }
    // Lines that decide where the client connects are refused in a bundle as in `set --line`.
    func importLine(_ line: String) throws -> Run {
      index += 1
      let file = try mallory.bundle(
        for: box, profiles: [HostileSender.profile("vm", settings: ["extraLines": [line]])],
        accounts: [HostileSender.account()],
        file: "line-\(index).rdpv")
      return box.run(["import", file])
    }
    for line in [
      "alternate full address:s:evil.example", "full address:s:evil.example",
      "gatewayaccesstoken:s:x", "password:s:x",
    ] {
      let result = try importLine(line)
      #expect(result.status == 1, "\(line)")
      #expect(
        result.stderr.contains("decides where or as whom the client connects"),
        "\(line): \(result.stderr)")
    }
    // A line FreeRDP 3 would read as its own command-line option (`/v:` connects elsewhere).
    for line in ["/v:s:[127.0.0.1]:18080", "/proxy:s:x@127.0.0.1:18080", "/drive:s:x,/"] {
      let result = try importLine(line)
      #expect(result.status == 1, "\(line)")
      #expect(
        result.stderr.contains("is not a letter and then"), "\(line): \(result.stderr)")
      #expect(box.snapshot() == before, "\(line) changed the vault")
    }
  }

  @Test func setLineChecksTheNameAndRefusesConnectionProperties() {
    let box = receiver()
    #expect(
      box.run(
        ["add", "vm", "--host", "10.0.0.1", "--kind", "local", "--user", "u", "--password-stdin"],
        stdin: "pw\n"
      ).status == 0)
    let before = box.snapshot()
    for line in [
      "x\nfull address:s:evil.example:s:1", "alternate full address:s:evil.example",
      "server port:i:1",
      "gatewayaccesstoken:s:abc", "password:s:secret", "clear password:s:secret", "domain:s:EVIL",
      "a\u{1B}]0;t:s:1", "/v:s:evil.example", "/drive:s:root,/",
    ] {
      let result = box.run(["set", "vm", "--line", line])
      #expect(result.status == 64, "\(line.debugDescription)")
      #expect(
        result.stderr.hasPrefix("rdpvault: error: invalid extra line"),
        "\(line.debugDescription): \(result.stderr)")
      #expect(box.snapshot() == before)
    }
    #expect(!box.run(["rdp", "vm"]).stdout.contains("evil"))
  }

  // Rules 5 and 6 for .rdp files.
  @Test func anRdpFileConnectsWhereShowSaysAndItsClearPasswordIsNeverALine() throws {
    let box = receiver()
    let text = [
      "full address:s:10.1.2.3", "username:s:WEB-07\\azureuser",
      "alternate full address:s:10.1.2.9",
      "gatewayaccesstoken:s:token", "password:s:Clear-Passw0rd", "smart sizing:i:1",
    ].map { $0 + "\r\n" }.joined()
    let file = box.write(text, to: "web-07.rdp")
    let dropped = box.run(["import", file])
    #expect(dropped.status == 0, "\(dropped.stderr)")
    // The alternate address is where mstsc and FreeRDP connect: it becomes the host, said
    // aloud, and the written file has one address only.
    #expect(
      dropped.stderr.contains(
        "line 3: using alternate full address \"10.1.2.9\" rather than full address \"10.1.2.3\", as mstsc and FreeRDP do"
      ))
    #expect(dropped.stderr.contains("added web-07 from \(file): 10.1.2.9:3389"))
    #expect(dropped.stderr.contains("line 4: dropped \"gatewayaccesstoken\""))
    #expect(dropped.stderr.contains("line 5: the file held a password in the clear"))
    #expect(
      dropped.stderr.contains(
        "the password found in the clear was dropped (--store-clear-password keeps it)"))
    let everything =
      box.run(["show", "web-07"]).output + box.run(["rdp", "web-07"]).output
      + box.run(["list", "--json"]).output
    for canary in ["Clear-Passw0rd", "token", "10.1.2.3"] {
      #expect(!everything.contains(canary), "\(canary)")
    }
    #expect(
      box.run(["rdp", "web-07"]).stdout
        == "full address:s:10.1.2.9\r\nusername:s:WEB-07\\azureuser\r\nsmart sizing:i:1\r\n")
    #expect(box.run(["password", "web-07"]).status == 1)
    // With consent it becomes the account's password, and nothing else.
    let utf16: [UInt8] =
      [0xFF, 0xFE]
      + text.replacingOccurrences(of: "10.1.2.9", with: "10.1.2.4").utf16.flatMap {
        [UInt8($0 & 0xFF), UInt8($0 >> 8)]
      }
    let stored = box.run(
      [
        "import", box.writeBytes(utf16, to: "web-08.rdp"), "--user", "azureuser", "--computer-name",
        "WEB-08", "--store-clear-password",
      ])
    #expect(stored.status == 0, "\(stored.stderr)")
    #expect(box.run(["password", "web-08"]).stdout == "Clear-Passw0rd\n")
    #expect(!box.run(["show", "web-08", "--json"]).output.contains("Clear-Passw0rd"))
    let vault = try Data(contentsOf: URL(fileURLWithPath: box.vault))
    #expect(vault.range(of: Data("Clear-Passw0rd".utf8)) == nil)
  }

  @Test func anRdpFileNamingAStoredDomainAdminIsNotLinkedSilently() throws {
    let box = receiver()
    #expect(
      box.run(
        [
          "add", "dc-01", "--host", "10.0.0.10", "--kind", "domain", "--user", "CONTOSO\\admin",
          "--admin", "--password-stdin",
        ], stdin: "Domain-Admin-Pw1\n"
      ).status == 0)
    let file = box.write(
      "full address:s:evil.example\r\nusername:s:CONTOSO\\admin\r\n", to: "found.rdp")
    let result = box.run(["import", file])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stderr.contains(
        "account: an account of its own, not linked to your stored CONTOSO\\admin"))
    let password = box.run(["password", "found"])
    #expect(password.status == 1)
    #expect(!password.output.contains("Domain-Admin-Pw1"))
    let linked = box.run([
      "import",
      box.write("full address:s:10.0.0.11\r\nusername:s:CONTOSO\\admin\r\n", to: "ok.rdp"),
      "--link-existing",
    ])
    #expect(linked.status == 0)
    #expect(linked.stderr.contains("account: linked to your stored account CONTOSO\\admin"))
    #expect(box.run(["password", "ok"]).stdout == "Domain-Admin-Pw1\n")
  }

  // Found in review: C functions stop at a NUL, so "10.0.0.5\0…" once passed as 10.0.0.5.
  @Test func aNULCannotHideTextBehindAValidHost() throws {
    let box = receiver()
    let mallory = try HostileSender()
    mallory.pin(in: box)
    let host = "10.0.0.5\u{0}\u{1B}[8m\r\nalternate full address:s:evil.example"
    let file = try mallory.bundle(
      for: box,
      profiles: [
        HostileSender.profile("vm", host: host), HostileSender.profile("vm\u{1B}]0;x\u{7}"),
      ],
      accounts: [HostileSender.account()])
    let before = box.snapshot()
    let result = box.run(["import", file])
    #expect(result.status == 1)
    #expect(
      result.stderr.contains("the bundle was refused: VM \"vm\": invalid host"), "\(result.stderr)")
    #expect(
      !result.output.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{0}" },
      "no raw escape reaches the terminal")
    #expect(box.snapshot() == before)
    let named = try mallory.bundle(
      for: box, profiles: [HostileSender.profile("vm\u{1B}]0;x\u{7}")],
      accounts: [HostileSender.account()], file: "named.rdpv")
    let refused = box.run(["import", named])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("VM \"vm\\u{1b}]0;x\\u{7}\""), "\(refused.stderr)")
    #expect(!refused.output.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{7}" })
  }

  // Found in review: consent to a link is not consent to lose your password or admin mark.
  @Test func consentToALinkKeepsTheStoredPasswordAndAdminMark() throws {
    let box = receiver()
    #expect(
      box.run(
        [
          "add", "mine", "--host", "10.0.0.5", "--kind", "domain", "--user", "CONTOSO\\admin",
          "--password-stdin",
        ], stdin: "Mine-Passw0rd\n"
      ).status == 0)
    let mallory = try HostileSender()
    mallory.pin(in: box)
    let file = try mallory.bundle(
      for: box, profiles: [HostileSender.profile("mine"), HostileSender.profile("other")],
      accounts: [HostileSender.account(admin: true)], passwords: [Array("Their-Passw0rd".utf8)])
    let result = box.run(["import", file, "--link-existing", "--on-conflict", "replace"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(box.run(["password", "mine"]).stdout == "Mine-Passw0rd\n")
    #expect(box.run(["password", "other"]).stdout == "Mine-Passw0rd\n")
    #expect(box.run(["account", "list", "--json"]).stdout.contains("\"domain_admin\" : false"))
  }

  // Found in review: an account the sender made is never linked to by a later `add`.
  @Test func anAccountFromABundleIsNotLinkedByALaterAdd() throws {
    let box = receiver()
    let mallory = try HostileSender()
    mallory.pin(in: box)
    let file = try mallory.bundle(
      for: box, profiles: [HostileSender.profile("theirs"), HostileSender.profile("theirs-2")],
      accounts: [HostileSender.account(user: "bob")], passwords: [Array("Their-Passw0rd".utf8)])
    #expect(box.run(["import", file]).status == 0)
    #expect(
      box.run(["password", "theirs-2"]).stdout == "Their-Passw0rd\n",
      "one bundle account still serves its VMs")
    let add = box.run(
      [
        "add", "mine", "--host", "10.0.0.5", "--kind", "domain", "--user", "CONTOSO\\bob",
        "--password-stdin",
      ], stdin: "Mine-Passw0rd\n")
    #expect(add.status == 0, "\(add.stderr)")
    #expect(!add.stderr.contains("linked"))
    #expect(box.run(["password", "mine"]).stdout == "Mine-Passw0rd\n")
    #expect(box.run(["password", "theirs"]).stdout == "Their-Passw0rd\n")
    #expect(
      box.run(["account", "passwd", "CONTOSO\\bob", "--password-stdin"], stdin: "Changed-Pw3\n")
        .status == 0)
    #expect(
      box.run(["password", "theirs"]).stdout == "Their-Passw0rd\n",
      "account passwd picks your own account")
  }

  @Test func aClearTextPasswordBehindUnicodeSpacesIsStillTakenOut() throws {
    let box = receiver()
    let file = box.write(
      "full address:s:10.1.2.3\r\nusername:s:azureuser\r\n\u{A0} \u{2003}Password :s:Hidden-Passw0rd\r\nclear password:s:\r\n",
      to: "spaced.rdp")
    let result = box.run(["import", file, "--computer-name", "SPACED", "--store-clear-password"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("line 3: the file held a password in the clear"))
    #expect(box.run(["password", "spaced"]).stdout == "Hidden-Passw0rd\n")
    #expect(!box.run(["show", "spaced"]).output.contains("Hidden"))
  }

  /// Files that name one account without a stored password share it (nothing stored can leak
  /// through it), and a bulk import stays quiet but still lists what it kept apart.
  @Test func manyFilesShareAnAccountWithoutAPasswordAndABulkImportIsQuiet() throws {
    let box = receiver()
    #expect(
      box.run(
        [
          "add", "mine", "--host", "10.0.0.5", "--kind", "domain", "--user", "CONTOSO\\admin",
          "--password-stdin",
        ], stdin: "Mine-Passw0rd\n"
      ).status == 0)
    var files: [String] = []
    for index in 0..<25 {
      let user = index == 7 ? "CONTOSO\\admin" : "CONTOSO\\bob"
      files.append(
        box.write(
          "full address:s:10.2.0.\(index + 1)\r\nusername:s:\(user)\r\n", to: "bulk-\(index).rdp"))
    }
    let result = box.run(["import"] + files)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stderr.hasSuffix(
        "rdpvault: imported 25 of 25 .rdp files\n"
          + "rdpvault: 25 of them sign in as PREFIX\\user with a PREFIX taken as a domain, since it is neither the VM's name nor its host's; "
          + "if those are the VMs' own computer names, remove them and import them again with --kind local\n"
      ),
      "\(result.stderr)")
    #expect(
      result.stderr.contains(
        "rdpvault: added bulk-7 from \(files[7]): 10.2.0.8:3389 (domain, signs in as CONTOSO\\admin)\n"
      ))
    #expect(
      result.stderr.contains(
        "account: an account of its own, not linked to your stored CONTOSO\\admin"))
    #expect(!result.stderr.contains("bulk-8 from"), "a bulk import names only what needs attention")
    let accounts = box.run(
      ["account", "passwd", "CONTOSO\\bob", "--password-stdin"], stdin: "Bob-Passw0rd\n")
    #expect(accounts.status == 0, "\(accounts.stderr)")
    #expect(box.run(["password", "bulk-0"]).stdout == "Bob-Passw0rd\n")
    #expect(box.run(["password", "bulk-24"]).stdout == "Bob-Passw0rd\n")
    #expect(box.run(["password", "bulk-7"]).status == 1)
    #expect(box.run(["password", "mine"]).stdout == "Mine-Passw0rd\n")
    // A single file's hint for the VM kept apart leads to it, and following it changes only it.
    let single = box.write(
      "full address:s:10.2.1.1\r\nusername:s:CONTOSO\\admin\r\n", to: "single.rdp")
    let one = box.run(["import", single])
    #expect(one.status == 0, "\(one.stderr)")
    #expect(
      one.stderr.contains(
        "rdpvault: hint: set its password with: rdpvault edit single --password-stdin\n"),
      "\(one.stderr)")
    #expect(
      box.run(["edit", "single", "--password-stdin"], stdin: "Single-Pw1\n").status == 0)
    #expect(box.run(["password", "single"]).stdout == "Single-Pw1\n")
    #expect(box.run(["password", "mine"]).stdout == "Mine-Passw0rd\n")
  }

  /// A validly signed bundle whose payload records are malformed (a value of the wrong type,
  /// a missing field, counts and lengths that point past the end, text that is not UTF-8,
  /// settings that are not JSON) is refused whole with a clear error, never a crash or a
  /// hang, and the vault stays byte for byte as it was.
  @Test func aMalformedPayloadIsRefusedWhole() throws {
    let box = receiver()
    let mallory = try HostileSender()
    mallory.pin(in: box)
    let before = box.snapshot()
    var cases: [(String, [UInt8])] = []
    func u32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    func payload(_ profile: [String: Any], _ account: [String: Any] = HostileSender.account())
      throws -> [UInt8]
    {
      let accountRecord = try HostileSender.record(account, tags: HostileSender.accountTags)
      let profileRecord = try HostileSender.record(profile, tags: HostileSender.profileTags)
      var bytes: [UInt8] = u32(1) + u32(UInt32(accountRecord.count)) + accountRecord
      bytes += u32(UInt32.max) + u32(1) + u32(UInt32(profileRecord.count))
      return bytes + profileRecord
    }
    cases.append(
      ("a port as text", try payload(HostileSender.profile("vm", overrides: ["port": "3389"]))))
    cases.append(
      (
        "an account index as text",
        try payload(HostileSender.profile("vm", overrides: ["account": "0"]))
      ))
    cases.append(
      ("an account index past the end", try payload(HostileSender.profile("vm", account: 7))))
    cases.append(
      ("a negative account index", try payload(HostileSender.profile("vm", account: -1))))
    var nameless = HostileSender.profile("vm")
    nameless.removeValue(forKey: "name")
    cases.append(("no name", try payload(nameless)))
    cases.append(
      (
        "an admin flag as text",
        try payload(
          HostileSender.profile("vm"),
          HostileSender.account().merging(["domainAdmin": "yes"]) { $1 })
      ))
    cases.append(
      (
        "settings that are not JSON",
        try payload(HostileSender.profile("vm", overrides: ["settings": "{not json"]))
      ))
    let good = try payload(HostileSender.profile("vm"))
    cases.append(("a huge account count", u32(UInt32.max) + good.dropFirst(4)))
    cases.append(("a record length past the end", u32(1) + u32(1 << 30) + good.dropFirst(8)))
    cases.append(
      ("a password length past the end", Array(good.prefix(8 + 1 + 5 * 20)) + u32(1 << 20)))
    cases.append(("extra bytes", good + [0]))
    cases.append(("a truncated payload", Array(good.dropLast(3))))
    cases.append(("an empty payload", []))
    // Record version 1, then field 1 (the name): length 2, bytes C3 28.
    let notUTF8: [UInt8] = [1, 1] + u32(2) + [0xC3, 0x28]
    cases.append(
      ("a name that is not UTF-8", u32(0) + u32(1) + u32(UInt32(notUTF8.count)) + notUTF8))
    for (index, (label, bytes)) in cases.enumerated() {
      let file = try mallory.bundle(for: box, payload: bytes, file: "malformed-\(index).rdpv")
      let result = box.run(["import", file])
      #expect(result.status == 1, "\(label) was accepted")
      #expect(result.stderr.hasPrefix("rdpvault: error: "), "\(label): \(result.stderr)")
      #expect(
        result.stderr.contains("not a valid bundle")
          || result.stderr.contains("the bundle was refused"), "\(label): \(result.stderr)")
      #expect(box.snapshot() == before, "\(label) changed the vault")
    }
    // The same payload, well formed, imports: the cases above failed for their flaw alone.
    let accepted = box.run([
      "import", try mallory.bundle(for: box, payload: good, file: "good.rdpv"),
    ])
    #expect(accepted.status == 0, "\(accepted.stderr)")
  }

  /// Bundle format 1 (a JSON payload) is still read: a teammate on an older rdpvault can
  /// still send.
  @Test func aVersionOneBundleStillImports() throws {
    let box = receiver()
    let mallory = try HostileSender()
    mallory.pin(in: box)
    let file = try mallory.bundle(
      for: box,
      profiles: [HostileSender.profile("old-01", host: "192.0.2.4", overrides: ["tags": ["lab"]])],
      accounts: [HostileSender.account(user: "ops")], passwords: [Array("Old-Pw1".utf8)], version: 1
    )
    let result = box.run(["import", file])
    #expect(result.status == 0, "\(result.stderr)")
    let shown = box.run(["list", "--json"])
    #expect(shown.stdout.contains("\"name\":\"old-01\""))
    #expect(shown.stdout.contains("\"tags\":[\"lab\"]"))
    #expect(box.run(["password", "old-01"]).stdout == "Old-Pw1\n")
  }
}
