import Foundation
import Testing

/// `rdp`, `set`/`unset` and `import` of .rdp files through the real binary.
@Suite(.serialized) struct RdpCommandTests {
  func fixture(_ name: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .appendingPathComponent("VaultKitTests/Fixtures/rdp").appendingPathComponent(name)
    return [UInt8](try Data(contentsOf: url))
  }

  func mode(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
  }

  @Test func writesTheGoldenFileForEachSetting() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "app-01", "--host", "app01.contoso.com", "--port", "3390", "--kind", "domain",
          "--user", "CONTOSO\\alice", "--password-stdin",
        ], stdin: "Secret-9\n"
      ).status == 0)
    for (key, value) in [
      ("screen mode id", "1"), ("desktopwidth", "1920"), ("desktopheight", "1080"),
    ] {
      #expect(box.run(["set", "app-01", key, value]).status == 0)
    }
    let result = box.run(["rdp", "app-01"])
    #expect(result.status == 0)
    #expect(Array(result.stdout.utf8) == (try fixture("domain-dns-port.rdp")))
    #expect(!result.stdout.contains("Secret-9"))
    let show = box.run(["show", "app-01"])
    #expect(show.stdout.contains("setting:       desktopwidth = 1920"))
    #expect(box.run(["unset", "app-01", "desktopwidth"]).status == 0)
    #expect(!box.run(["rdp", "app-01"]).stdout.contains("desktopwidth"))
    let bad = box.run(["set", "app-01", "screen mode id", "9"])
    #expect(bad.status == 64)
    #expect(
      bad.stderr
        == "rdpvault: error: invalid screen mode id \"9\": must be one of 1, 2 (1 windowed, 2 full screen)\n"
    )
    let unknown = box.run(["unset", "app-01", "desktopwidth"])
    #expect(unknown.status == 1)
  }

  @Test func writesFilesPrivatelyAndNeverOverAnExistingOne() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "azureuser",
          "--password-stdin",
        ], stdin: "pw\n"
      ).status == 0)
    let path = box.root + "/web-01.rdp"
    #expect(box.run(["rdp", "web-01", "-o", path]).status == 0)
    #expect(mode(path) == 0o600)
    #expect(
      [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == (try fixture("local-ipv4.rdp")))
    // `-o -` is standard output, never a file named "-".
    let dash = box.run(["rdp", "web-01", "-o", "-"])
    #expect(dash.status == 0)
    #expect(Array(dash.stdout.utf8) == (try fixture("local-ipv4.rdp")))
    #expect(!FileManager.default.fileExists(atPath: box.root + "/-"))
    #expect(
      !FileManager.default.fileExists(atPath: FileManager.default.currentDirectoryPath + "/-"))
    box.write("keep me", to: path)
    let refused = box.run(["rdp", "web-01", "-o", path])
    #expect(refused.status == 1)
    #expect(
      refused.stderr
        == "rdpvault: error: \(path) already exists\nrdpvault: hint: pass --force to overwrite it\n"
    )
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    #expect(
      box.run(["rdp", "web-01", "-o", path, "--force", "--encoding", "utf-16le"]).status == 0)
    #expect(
      [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        == (try fixture("local-ipv4-utf16le.rdp")))
    #expect(mode(path) == 0o600)
  }

  @Test func writesEveryProfileForATeammate() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "azureuser", "--tag",
          "prod", "--password-stdin",
        ], stdin: "pw\n"
      ).status == 0)
    #expect(
      box.run(
        [
          "add", "web-02", "--host", "10.0.0.5", "--kind", "local", "--user", "azureuser",
          "--password-stdin",
        ], stdin: "pw\n"
      ).status == 0)
    let out = box.root + "/out"
    let all = box.run(["rdp", "--all", "--out-dir", out])
    #expect(all.status == 0)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: out).sorted() == [
        "web-01.rdp", "web-02.rdp",
      ])
    #expect(mode(out) == 0o700)
    #expect(mode(out + "/web-02.rdp") == 0o600)
    let tagged = box.root + "/tagged"
    #expect(box.run(["rdp", "--all", "--out-dir", tagged, "--tag", "prod"]).status == 0)
    #expect(try FileManager.default.contentsOfDirectory(atPath: tagged) == ["web-01.rdp"])
    #expect(box.run(["rdp", "--all"]).status == 64)
    #expect(box.run(["rdp", "--all", "--out-dir", out]).status == 1)
  }

  @Test func importsAnAzureDownload() throws {
    let box = Sandbox()
    box.initVault()
    let file = box.writeBytes(try fixture("import-azure.rdp"), to: "azure-vm-01.rdp")
    let noUser = box.run(["import", file])
    #expect(noUser.status == 1)
    #expect(noUser.stderr.contains("\(file): the file has no username:s: line; give --user"))
    let guessed = box.run(["import", file, "--user", "azureuser"])
    #expect(guessed.status == 1)
    #expect(
      guessed.stderr.contains(
        "does not say the Windows computer name that azureuser is local to; give --computer-name"))
    let result = box.run([
      "import", file, "--user", "azureuser", "--computer-name", "AZURE-VM-01", "--tag", "azure",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stderr.contains(
        "rdpvault: added azure-vm-01 from \(file): 20.50.60.70:3389 (local, signs in as AZURE-VM-01\\azureuser)\n"
      ))
    let written = box.run(["rdp", "azure-vm-01"]).stdout
    #expect(
      written
        == "full address:s:20.50.60.70\r\nusername:s:AZURE-VM-01\\azureuser\r\nadministrative session:i:1\r\nprompt for credentials:i:1\r\n"
    )
    let password = box.run(["password", "azure-vm-01"])
    #expect(password.status == 1)
    #expect(password.stderr.contains("no password is stored for AZURE-VM-01\\azureuser"))
    #expect(
      box.run(
        ["account", "passwd", "AZURE-VM-01\\azureuser", "--password-stdin"], stdin: "now set\n"
      ).status == 0)
    #expect(box.run(["password", "azure-vm-01"]).stdout == "now set\n")
  }

  @Test(arguments: ["import-utf8-bom-lf.rdp", "import-utf8-cr.rdp", "import-utf16le-crlf.rdp"])
  func importsEveryEncodingAndDropsTheSavedPassword(_ name: String) throws {
    let box = Sandbox()
    box.initVault()
    let file = box.writeBytes(try fixture(name), to: "web-02.rdp")
    let result = box.run(["import", file])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("rdpvault: warning: \(file): line 7: dropped password 51"))
    #expect(!result.output.contains("01000000D08C"))
    let show =
      try JSONSerialization.jsonObject(
        with: Data(box.run(["show", "web-02", "--json"]).stdout.utf8)) as? [String: Any]
    #expect(show?["kind"] as? String == "domain")
    #expect(show?["sign_in_name"] as? String == "CONTOSO\\carol")
    #expect(show?["port"] as? Int == 3391)
    #expect(show?["extra_lines"] as? [String] == ["smart sizing:i:1"])
    let vaultBytes = try Data(contentsOf: URL(fileURLWithPath: box.vault))
    #expect(vaultBytes.range(of: Data("01000000D08C".utf8)) == nil)
  }

  /// import then rdp keeps every property: the file rdpvault writes says what the imported
  /// file said, apart from the dropped password and defaults left out.
  @Test func importThenRdpKeepsEveryProperty() throws {
    let box = Sandbox()
    box.initVault()
    let original = [
      "full address:s:vm7.contoso.com:3392", "username:s:CONTOSO\\dave", "screen mode id:i:1",
      "desktopwidth:i:1600", "desktopheight:i:900", "use multimon:i:1",
      "administrative session:i:1",
      "authentication level:i:2", "enablecredsspsupport:i:0", "prompt for credentials:i:1",
      "redirectclipboard:i:0", "redirectprinters:i:0", "drivestoredirect:s:C:;D:", "audiomode:i:2",
      "gatewayhostname:s:gw.contoso.com:443", "gatewayusagemethod:i:1",
      "gatewaycredentialssource:i:4",
      "gatewayprofileusagemethod:i:1", "alternate shell:s:C:\\Windows\\explorer.exe",
      "remoteapplicationmode:i:1",
      "remoteapplicationprogram:s:||notepad", "smart sizing:i:1", "camerastoredirect:s:*",
      "devicestoredirect:s:*",
    ]
    // A KDC proxy decides where Kerberos sign-in goes: dropped with a warning, never written.
    let file = box.write(
      (original + ["kdcproxyname:s:kdc.contoso.com"]).map { $0 + "\r\n" }.joined(), to: "vm7.rdp")
    let imported = box.run(["import", file])
    #expect(imported.status == 0)
    #expect(
      imported.stderr.contains(
        "rdpvault: warning: \(file): line 25: dropped \"kdcproxyname\": it decides where or as whom the client connects"
      ))
    let written = box.run(["rdp", "vm7"]).stdout
    #expect(Set(written.components(separatedBy: "\r\n").filter { !$0.isEmpty }) == Set(original))
  }

  @Test func malformedFilesAddNothingAndTheOthersStillImport() throws {
    let box = Sandbox()
    box.initVault()
    let good = box.write(
      "full address:s:10.9.0.1\r\nusername:s:GOOD-VM\\admin\r\n", to: "good-vm.rdp")
    let bad: [(String, [UInt8], String)] = [
      (
        "truncated.rdp", [0xFF, 0xFE, 0x66, 0x00, 0x75],
        "truncated.rdp: truncated UTF-16LE text (odd number of bytes)"
      ),
      (
        "garbage.rdp", (0..<512).map { UInt8(($0 * 97 + 13) % 256) },
        "garbage.rdp: not UTF-8 or UTF-16LE text"
      ),
      (
        "no-address.rdp", Array("screen mode id:i:1\r\nfull address:s:\r\n".utf8),
        "no-address.rdp: it names no computer to connect to"
      ),
      (
        "bad-address.rdp", Array("username:s:u\r\nfull address:s:10.0.0.999\r\n".utf8),
        "bad-address.rdp:2: full address: invalid host"
      ),
      (
        "no-computer.rdp", Array("full address:s:10.0.0.1\r\nusername:s:admin\r\n".utf8),
        "no-computer.rdp: the file does not say the Windows computer name that admin is local to; give --computer-name"
      ),
    ]
    var files: [String] = []
    for (name, bytes, _) in bad { files.append(box.writeBytes(bytes, to: name)) }
    let before = box.snapshot()
    for (index, (_, _, message)) in bad.enumerated() {
      let alone = box.run(["import", files[index]])
      #expect(alone.status == 1)
      #expect(alone.stderr.contains("rdpvault: error: \(box.root)/\(message)"), "\(alone.stderr)")
      #expect(box.snapshot() == before)
    }
    let mixed = box.run(["import"] + files + [good])
    #expect(mixed.status == 1)
    #expect(
      mixed.stderr.contains(
        "rdpvault: added good-vm from \(good): 10.9.0.1:3389 (local, signs in as GOOD-VM\\admin)\n")
    )
    #expect(
      mixed.stderr.hasSuffix(
        "rdpvault: error: 5 of 6 files failed: \(files.joined(separator: ", "))\n"))
    // One bad line does not refuse the file: it is skipped, and the warning names it.
    let tolerant = box.write(
      "Full Address:s:10.9.0.2  \r\nusername:s:TOLERANT\\admin\r\nscreen mode id:1\r\ndesktopwidth:s:wide\r\n"
        + "drivestoredirect:s*\r\nnote:s:" + String(repeating: "x", count: 10000)
        + "\r\ngatewayhostname:s:\r\n", to: "tolerant.rdp")
    let skipped = box.run(["import", tolerant])
    #expect(skipped.status == 0, "\(skipped.stderr)")
    for warning in [
      "line 3: skipped: missing the type in \"screen mode id\"",
      "line 4: skipped: \"desktopwidth\" must have type i, not s",
      "line 5: skipped: missing the type in \"drivestoredirect",
      "line 6: skipped: invalid extra line",
    ] {
      #expect(skipped.stderr.contains(warning), "\(warning): \(skipped.stderr)")
    }
    #expect(!skipped.stderr.contains("line 7"), "an empty value is simply not set")
    #expect(box.run(["show", "tolerant"]).stdout.contains("10.9.0.2:3389"))
    let list = box.run(["list", "--json"])
    let names =
      (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])?
      .compactMap { $0["name"] as? String }
    #expect(names == ["good-vm", "tolerant"])
    // An import never replaces a profile that exists.
    let again = box.run(["import", good])
    #expect(again.status == 1)
    #expect(again.stderr.contains("a VM named \"good-vm\" already exists"))
  }

  /// A directory stands for its .rdp and .rdpw files (a folder of 10,000 is one argument).
  @Test func aDirectoryImportsItsRdpFiles() throws {
    let box = Sandbox()
    box.initVault()
    let folder = box.root + "/downloads"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    box.write("full address:s:10.1.0.1\r\nusername:s:ONE\\u\r\n", to: folder + "/one.rdp")
    box.write("full address:s:10.1.0.2\r\nusername:s:TWO\\u\r\n", to: folder + "/two.RDPW")
    box.write("not an rdp file", to: folder + "/notes.txt")
    let result = box.run(["import", folder])
    #expect(result.status == 0, "\(result.stderr)")
    let names =
      (try JSONSerialization.jsonObject(with: Data(box.run(["list", "--json"]).stdout.utf8))
      as? [[String: Any]])?
      .compactMap { $0["name"] as? String }
    #expect(names == ["one", "two"])
    let empty = box.root + "/empty"
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    let nothing = box.run(["import", empty])
    #expect(nothing.status == 1)
    #expect(nothing.stderr.contains("holds no .rdp, .rdpw or .remmina file"))
  }

  /// An Azure VM gets a new public IP after deallocation: --update refreshes the host, port and
  /// settings of the VM that exists, keeps its account and password, and lists old → new.
  @Test func updateRefreshesTheAddressAndKeepsThePassword() throws {
    let box = Sandbox()
    box.initVault()
    let file = box.write(
      "full address:s:20.1.2.3\r\nusername:s:WEB-09\\azureuser\r\ndesktopwidth:i:1600\r\n",
      to: "web-09.rdp")
    #expect(box.run(["import", file]).status == 0)
    #expect(
      box.run(
        ["account", "passwd", "WEB-09\\azureuser", "--password-stdin"], stdin: "Kept-Passw0rd\n"
      ).status == 0)
    #expect(
      box.run(["set", "web-09", "cert-sha256", String(repeating: "ab", count: 32)]).status == 0)
    box.write(
      "full address:s:20.9.8.7:3390\r\nusername:s:WEB-09\\azureuser\r\ndesktopwidth:i:1920\r\n",
      to: "web-09.rdp")
    let refused = box.run(["import", file])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("a VM named \"web-09\" already exists"))
    let before = box.snapshot()
    let dry = box.run(["import", file, "--update", "--dry-run"])
    #expect(dry.status == 0)
    #expect(dry.stderr.contains("rdpvault: would update web-09 from \(file): 20.9.8.7:3390\n"))
    #expect(box.snapshot() == before)
    let updated = box.run(["import", file, "--update"])
    #expect(updated.status == 0, "\(updated.stderr)")
    #expect(updated.stderr.contains("rdpvault:   host: 20.1.2.3 → 20.9.8.7\n"))
    #expect(updated.stderr.contains("rdpvault:   port: 3389 → 3390\n"))
    #expect(updated.stderr.contains("rdpvault:   setting desktopwidth: 1600 → 1920\n"))
    #expect(box.run(["password", "web-09"]).stdout == "Kept-Passw0rd\n")
    #expect(box.run(["show", "web-09"]).stdout.contains("cert-sha256"), "connect options stay")
    let again = box.run(["import", file, "--update"])
    #expect(again.stderr.contains("rdpvault: web-09 from \(file) is unchanged\n"))
  }

  /// A local VM's file, as rdp writes it (`COMPUTER\\user`), imports as local again when the
  /// prefix is the first label of the host name (Azure's and most DNS names begin with the
  /// computer name). A prefix that is neither the VM's name nor its host's stays a domain, and
  /// the import says how to make it local, with a command that works; a prefix with a dot
  /// cannot be a computer name, so nothing is said.
  @Test func aLocalVMsFileImportsAsLocalAgain() throws {
    let sender = Sandbox()
    sender.initVault()
    #expect(
      sender.run(
        [
          "add", "web-01", "--host", "webvm.westeurope.cloudapp.azure.com", "--kind", "local",
          "--user", "azureuser", "--computer-name", "WEBVM", "--password-stdin",
        ], stdin: "Local-Passw0rd\n"
      ).status == 0)
    let written = sender.run(["rdp", "web-01"])
    #expect(written.stdout.contains("username:s:WEBVM\\azureuser\r\n"), "\(written.stdout)")
    let box = Sandbox()
    box.initVault()
    let file = box.write(written.stdout, to: "web-01.rdp")
    let imported = box.run(["import", file])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(
      imported.stderr.contains(
        "rdpvault: added web-01 from \(file): webvm.westeurope.cloudapp.azure.com:3389 (local, signs in as WEBVM\\azureuser)\n"
      ), "\(imported.stderr)")
    #expect(!imported.stderr.contains("taken as a domain"))
    let shown = box.run(["show", "web-01"]).stdout
    #expect(shown.contains("computer name: WEBVM\n"), "\(shown)")
    #expect(shown.contains("kind:          local\n"), "\(shown)")

    // The same file with an address instead of a name: nothing tells, so a domain, said so.
    let byAddress = box.write(
      "full address:s:10.1.2.3\r\nusername:s:WEBVM\\azureuser\r\n", to: "ip-01.rdp")
    let before = box.snapshot()
    let dry = box.run(["import", byAddress, "--dry-run"])
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(
      dry.stderr.contains(
        "rdpvault: would add ip-01 from \(byAddress): 10.1.2.3:3389 (domain, signs in as WEBVM\\azureuser)\n"
          + "rdpvault:   WEBVM was taken as a domain, since it is neither the VM's name nor its host's; "
          + "if it is the VM's own computer name, import it with --kind local\n"), "\(dry.stderr)")
    #expect(box.snapshot() == before)
    let asLocal = box.run(["import", byAddress, "--kind", "local", "--dry-run"])
    #expect(
      asLocal.stderr.contains("10.1.2.3:3389 (local, signs in as WEBVM\\azureuser)\n"),
      "\(asLocal.stderr)")
    #expect(!asLocal.stderr.contains("taken as a domain"))
    let guessed = box.run(["import", byAddress])
    #expect(guessed.status == 0, "\(guessed.stderr)")
    let advice = "make it local with: "
    let line = guessed.stderr.split(separator: "\n").first { $0.contains(advice) }
    #expect(
      line?.hasSuffix(
        "make it local with: rdpvault edit ip-01 --kind local --user azureuser --computer-name WEBVM"
      ) == true, "\(guessed.stderr)")
    // The advice, followed, makes it local.
    let command = line.map { $0.components(separatedBy: advice)[1].split(separator: " ") } ?? []
    let edited = box.run(
      command.dropFirst().map(String.init) + ["--password-stdin"], stdin: "Local-Passw0rd\n")
    #expect(edited.status == 0, "\(edited.stderr)")
    #expect(edited.stderr.contains("(local, signs in as WEBVM\\azureuser)"), "\(edited.stderr)")
    #expect(box.run(["password", "ip-01"]).stdout == "Local-Passw0rd\n")

    // A host whose first label is another name, and a dotted prefix (a DNS domain).
    let other = box.write(
      "full address:s:app7.corp.example.com\r\nusername:s:CONTOSO\\alice\r\n", to: "app-07.rdp")
    let otherRun = box.run(["import", other])
    #expect(
      otherRun.stderr.contains("(domain, signs in as CONTOSO\\alice)\n"), "\(otherRun.stderr)")
    #expect(otherRun.stderr.contains("CONTOSO was taken as a domain"), "\(otherRun.stderr)")
    let dotted = box.write(
      "full address:s:app8.corp.example.com\r\nusername:s:corp.example.com\\alice\r\n",
      to: "app-08.rdp")
    let dottedRun = box.run(["import", dotted])
    #expect(dottedRun.status == 0, "\(dottedRun.stderr)")
    #expect(dottedRun.stderr.contains("(domain, signs in as corp.example.com\\alice)\n"))
    #expect(!dottedRun.stderr.contains("taken as a domain"), "\(dottedRun.stderr)")
  }
}
