import Foundation
import Testing

/// `import` of mRemoteNG's confCons.xml through the real binary (issue 16): a real save under
/// the built-in key (with its audit), mRemoteNG's own test file under a password of its own
/// (given in a file, wrong, or missing without a terminal), and hostile files. A failed
/// import leaves the vault exactly as it was.
@Suite struct MRemoteNGImportTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("VaultKitTests/Fixtures/imports/mremoteng")
  static let realSave = directory.appendingPathComponent(
    "catc-dcloud-lab-namespaced-v2_6-rdp-ssh.xml"
  ).path
  static let protectedFile = directory.appendingPathComponent(
    "confCons_v2_6_passwordis_Password.xml")

  func entry(_ box: Sandbox, _ name: String) -> [String: Any] {
    let show = box.run(["show", name, "--json"])
    return (try? JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
      ?? [:]
  }

  /// mRemoteNG's test file (every host empty) with hosts given to some connections.
  func withHosts(_ box: Sandbox, _ hosts: [String: String], edit: (String) -> String = { $0 })
    throws -> String
  {
    var text = try String(contentsOf: Self.protectedFile, encoding: .utf8)
    for (name, host) in hosts {
      let node = text.range(of: "<Node Name=\"\(name)\"")!
      let hostname = text.range(of: "Hostname=\"\"", range: node.upperBound..<text.endIndex)!
      text.replaceSubrange(hostname, with: "Hostname=\"\(host)\"")
    }
    return box.write(edit(text), to: "confCons-\(UUID().uuidString).xml")
  }

  @Test func aRealSaveImportsItsRDPConnectionsWithTheirPasswordsAndAnAudit() throws {
    let box = Sandbox()
    box.initVault()
    let before = box.snapshot()
    let dry = box.run(["import", Self.realSave, "--dry-run"])
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(box.snapshot() == before, "--dry-run wrote")
    #expect(dry.stderr.contains("would add Client-1"))
    let result = box.run(["import", Self.realSave, "--tag", "lab"])
    #expect(result.status == 0, "\(result.stderr)")
    // The audit: the built-in key, and every account whose password was readable.
    #expect(
      result.stderr.contains(
        "was protected only by mRemoteNG's built-in key (mR3m), which anyone can apply: every password in it was in effect stored in the clear"
      ))
    #expect(
      result.stderr.contains(
        "rdpvault: warning:   DCLOUD\\admin (used by AD, Client 1, Client 2, Client 3, Client 4)"))
    #expect(result.stderr.contains("rdpvault: warning:   root (used by Script Server)"))
    #expect(result.stderr.contains("skipped 10 connections (SSH2, not RDP)"))
    let names = box.run(["list", "--json"]).stdout
    let list = try JSONSerialization.jsonObject(with: Data(names.utf8)) as! [[String: Any]]
    #expect(
      list.map { $0["name"] as? String } == ["AD", "Client-1", "Client-2", "Client-3", "Client-4"])
    for vm in ["AD", "Client-3"] {
      #expect(box.run(["password", vm]).stdout == "C1sco12345\n")
      let shown = entry(box, vm)
      #expect(shown["sign_in_name"] as? String == "DCLOUD\\admin")
      #expect(shown["tags"] as? [String] == ["Clients-and-AD", "lab"])
      let settings = shown["settings"] as? [String: Any] ?? [:]
      #expect(settings["authentication level"] as? String == "0")
      #expect(settings["drivestoredirect"] as? String == "*")
    }
    // One account for the five VMs: the file gave them one user and one password.
    let accounts = box.run(["account", "list"]).stdout
    #expect(accounts.components(separatedBy: "DCLOUD\\admin").count == 2, "\(accounts)")
    // Again: every VM exists; --update changes nothing, since nothing moved.
    let again = box.run(["import", Self.realSave])
    #expect(again.status == 1)
    #expect(again.stderr.contains("a VM named \"AD\" already exists"))
    let update = box.run(["import", Self.realSave, "--update"])
    #expect(update.status == 0, "\(update.stderr)")
    #expect(update.stderr.contains("AD from \(Self.realSave) is unchanged"))
  }

  @Test func aPasswordOfItsOwnFromAFileWrongOrMissing() throws {
    let box = Sandbox()
    box.initVault()
    let file = try withHosts(
      box,
      [
        "Connection2.1": "10.0.0.21", "InheritPasswordConnection": "10.0.0.40",
        "InheritalAllConnection": "10.0.0.42",
        "Connection2.2.1.1 InheritAll": "10.0.0.41", "rootConnection": "10.0.0.99",
      ])
    let before = box.snapshot()
    // No terminal and no file: a clear error, nothing written.
    let missing = box.run(["import", file])
    #expect(missing.status == 1)
    #expect(
      missing.stderr.contains(
        "rdpvault: error: the mRemoteNG file is protected by a password of its own, and none was given"
      ))
    #expect(missing.stderr.contains("rdpvault: hint: type it on a terminal, or give a file"))
    let wrong = box.write("password\n", to: "wrong")
    let refused = box.run(["import", file, "--source-password-file", wrong])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("this password does not open the mRemoteNG file"))
    #expect(!refused.stderr.contains("password\n"))
    #expect(box.snapshot() == before)
    let right = box.write("Password\n", to: "right")
    let result = box.run(["import", file, "--source-password-file", right])
    // mRemoteNG's test data has a user name Windows would not take (21 characters): that VM
    // is refused by name, and the others import.
    #expect(result.status == 1, "\(result.stderr)")
    #expect(
      result.stderr.contains(
        "rdpvault: error: \(file): VM \"InheritPasswordConnection\": invalid user \"inheritDomainUsername\": a Windows user name has at most 20 characters"
      ))
    #expect(result.stderr.contains("1 of 1 file failed: \(file) (\"InheritPasswordConnection\")"))
    #expect(!result.stderr.contains("built-in key"), "no audit for a password of its own")
    #expect(result.stderr.contains("skipped 1 connection (SSH2, not RDP): \"Connection1.3\""))
    #expect(box.run(["password", "Connection2.1"]).stdout == "C21\n")
    #expect(entry(box, "Connection2.1")["sign_in_name"] as? String == "domainC21\\usernameC21")
    // Inherited from Folder2, through Folder2.2 and Folder2.2.1 InheritAll.
    #expect(box.run(["password", "InheritalAllConnection"]).stdout == "folder2\n")
    #expect(box.run(["show", "InheritPasswordConnection"]).status == 1)
    #expect(box.run(["password", "Connection2.2.1.1-InheritAll"]).stdout == "folder2\n")
    let inherited = entry(box, "Connection2.2.1.1-InheritAll")
    #expect(inherited["sign_in_name"] as? String == "folder2domain\\userFolder2")
    #expect(inherited["tags"] as? [String] == ["Folder2/Folder2.2/Folder2.2.1-InheritAll"])
    #expect(box.run(["password", "rootConnection"]).stdout == "rootpassword\n")
    // A password file others can read is refused, as the vault's own passphrase file is.
    let open = box.write("Password\n", to: "open", mode: 0o644)
    let exposed = box.run(["import", file, "--source-password-file", open, "--dry-run"])
    #expect(exposed.status == 1)
    #expect(exposed.stderr.contains("can be read by other users"))
  }

  /// Values from the file pass the one validation gate; each bad VM is refused alone, by
  /// name, and a file that cannot be read changes nothing.
  @Test func hostileFilesAreRefusedAndChangeNothing() throws {
    let box = Sandbox()
    box.initVault()
    let right = box.write("Password\n", to: "right")
    let before = box.snapshot()
    let hostile = try withHosts(
      box, ["Connection2.1": "-oProxyCommand=x", "Connection2.1.1": "10.0.0.2"]
    ) { text in
      text.replacingOccurrences(of: "Name=\"Connection2.1.1\"", with: "Name=\"evil&#x9B;31m\"")
    }
    let result = box.run(["import", hostile, "--source-password-file", right])
    #expect(result.status == 1, "\(result.stderr)")
    #expect(!result.stderr.contains("\u{1B}"), "an escape sequence reached the terminal")
    #expect(
      result.stderr.contains("rdpvault: error: \(hostile): VM \"Connection2.1\": invalid host"),
      "\(result.stderr)")
    #expect(
      result.stderr.contains("rdpvault: error: \(hostile): VM \"evil\\u{9b}31m\": invalid VM name"),
      "\(result.stderr)")
    #expect(box.snapshot() == before)
    let lineBreak = try withHosts(box, ["Connection2.1": "10.0.0.21"]) { text in
      text.replacingOccurrences(
        of: "Name=\"Connection2.1\" Type=\"Connection\" Descr=\"\"",
        with: "Name=\"Connection2.1\" Type=\"Connection\" Descr=\"a&#10;full address:s:evil\"")
    }
    let broken = box.run(["import", lineBreak, "--source-password-file", right])
    #expect(broken.status == 1, "\(broken.stderr)")
    #expect(broken.stderr.contains("note"), "\(broken.stderr)")
    #expect(box.snapshot() == before)
    let laughs = box.write(
      """
      <?xml version="1.0"?>
      <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
      <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
      <Connections ConfVersion="2.6"><Node Name="&lol2;" Type="Connection" Hostname="h"/></Connections>
      """, to: "laughs.xml")
    let external = box.write(
      """
      <?xml version="1.0"?>
      <!DOCTYPE c [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
      <Connections ConfVersion="2.6"><Node Name="&secret;" Type="Connection"/></Connections>
      """, to: "external.xml")
    for file in [laughs, external] {
      let refused = box.run(["import", "--from", "mremoteng", file])
      #expect(refused.status == 1)
      #expect(
        refused.stderr.contains(
          "line 2: the file has a document type declaration (<!DOCTYPE): refused"),
        "\(refused.stderr)")
      #expect(!refused.stderr.contains("root:"), "a file outside was read")
    }
    let damaged = box.writeBytes(
      Array(try Data(contentsOf: Self.protectedFile).prefix(5000)), to: "cut.xml")
    let cut = box.run(["import", "--from", "mremoteng", damaged])
    #expect(cut.status == 1)
    #expect(cut.stderr.contains("cut short?"), "\(cut.stderr)")
    // A control character no XML file may hold is refused with its line.
    let escape = try withHosts(box, ["Connection2.1": "10.0.0.21"]) { text in
      text.replacingOccurrences(of: "Name=\"Connection2.1\"", with: "Name=\"evil&#27;]0;x&#7;\"")
    }
    let control = box.run(["import", escape, "--source-password-file", right])
    #expect(control.status == 1)
    #expect(control.stderr.contains("an invalid character reference &#27;"), "\(control.stderr)")
    let newer = box.write(
      "<Connections ConfVersion=\"3.1\" Protected=\"x\"/>", to: "newer.xml")
    let future = box.run(["import", newer])
    #expect(future.status == 1)
    #expect(future.stderr.contains("mRemoteNG file version 3.1 is newer than this reader knows"))
    var big = Array("<?xml version=\"1.0\"?><Connections ConfVersion=\"2.6\">".utf8)
    big += [UInt8](repeating: 0x20, count: 100 << 20)
    let huge = box.run(["import", box.writeBytes(big, to: "big.xml")])
    #expect(huge.status == 1)
    #expect(huge.stderr.contains("an mRemoteNG file is read up to 64 MiB"), "\(huge.stderr)")
    #expect(box.snapshot() == before)
  }
}
