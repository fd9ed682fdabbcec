import Foundation
import Testing

/// `import` of Azure's VM list through the real binary (issue 16, Azure part): from a real
/// `az vm list -d` file, from `az` itself (a stand-in that records its arguments and plays
/// the same file back), `--update` after a new IP, and hostile values.
@Suite struct AzureImportTests {
  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent(
      "VaultKitTests/Fixtures/imports/azure-cli/az-vm-list-show-details-2018-linux-windows.json"
    ).path

  func entry(_ box: Sandbox, _ name: String) -> [String: Any] {
    let show = box.run(["show", name, "--json"])
    return (try? JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
      ?? [:]
  }

  /// The fixture with the Windows VM edited.
  func edited(_ box: Sandbox, _ edit: (inout [String: Any]) -> Void) throws -> String {
    var list =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: Self.fixture))) as! [[String: Any]]
    let index = list.firstIndex { ($0["name"] as? String) == "windows" }!
    edit(&list[index])
    return box.writeBytes(
      [UInt8](try JSONSerialization.data(withJSONObject: list)), to: "vms-\(UUID().uuidString).json"
    )
  }

  @Test func aRealListImportsItsWindowsVMAndUpdateChangesOnlyTheHost() throws {
    let box = Sandbox()
    box.initVault()
    let dry = box.run(["import", Self.fixture, "--dry-run"])
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(dry.stderr.contains("skipped 1 VM that is not Windows: ubuntu"))
    #expect(dry.stderr.contains("would add windows"))
    #expect(box.run(["show", "windows"]).status == 1, "--dry-run wrote")
    let imported = box.run(["import", Self.fixture, "--tag", "azure"])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(
      imported.stderr.contains("set its password with: rdpvault edit windows --password-stdin"),
      "\(imported.stderr)")
    let vm = entry(box, "windows")
    #expect(vm["host"] as? String == "52.166.204.149")
    #expect(vm["sign_in_name"] as? String == "windows\\richeney")
    #expect(vm["resource_group"] as? String == "businessContinuityTest")
    #expect(vm["subscription"] as? String == "2ca40be1-7680-4f2b-92f7-06b2123a68cc")
    #expect(vm["tags"] as? [String] == ["azure"])
    // The user sets a password and a setting; the VM is deallocated, and comes back with a
    // new public IP.
    #expect(
      box.run(["account", "passwd", "windows\\richeney", "--password-stdin"], stdin: "Pw-1\n")
        .status == 0)
    #expect(box.run(["set", "windows", "desktopwidth", "1280"]).status == 0)
    let moved = try edited(box) {
      $0["publicIps"] = "52.166.204.150"
      $0["powerState"] = "VM deallocated"
      $0["tags"] = ["env": "prod"]
    }
    let refused = box.run(["import", moved])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("a VM named \"windows\" already exists"))
    let updated = box.run(["import", moved, "--update"])
    #expect(updated.status == 0, "\(updated.stderr)")
    #expect(updated.stderr.contains("host: 52.166.204.149 → 52.166.204.150"))
    #expect(updated.stderr.contains("it is deallocated in Azure: start it before connecting"))
    let after = entry(box, "windows")
    #expect(after["host"] as? String == "52.166.204.150")
    #expect(after["tags"] as? [String] == ["azure"])
    #expect((after["settings"] as? [String: Any])?["desktopwidth"] as? String == "1280")
    #expect(box.run(["password", "windows"]).stdout == "Pw-1\n")
  }

  /// Values from the file pass the one validation gate: an escape sequence in a name, a
  /// host that is an option, a user with a line break. Each VM is refused alone, by name.
  @Test func hostileValuesAreRefusedAndChangeNothing() throws {
    let box = Sandbox()
    box.initVault()
    let before = box.snapshot()
    for edit: (inout [String: Any]) -> Void in [
      { $0["name"] = "evil\u{1B}]0;pwned\u{07}" },
      { $0["publicIps"] = "-oProxyCommand=x" },
      { $0["osProfile"] = ["computerName": "win", "adminUsername": "bob\nfull address:s:x"] },
      { $0["osProfile"] = ["computerName": "NOT A NAME!", "adminUsername": "bob"] },
    ] {
      let file = try edited(box, edit)
      let result = box.run(["import", file])
      #expect(result.status == 1, "\(result.stderr)")
      #expect(result.stderr.contains("rdpvault: error:"), "\(result.stderr)")
      #expect(!result.stderr.contains("\u{1B}"), "an escape sequence reached the terminal")
      #expect(box.snapshot() == before)
    }
    let big = box.writeBytes([UInt8](repeating: 0x5B, count: (128 << 20) + 1), to: "big.json")
    let huge = box.run(["import", "--from", "azure", big])
    #expect(huge.status == 1)
    #expect(huge.stderr.contains("larger than 128 MiB"), "\(huge.stderr)")
    #expect(box.snapshot() == before)
  }

  /// `--run-az` runs az with fixed words and the values as separate arguments; a value that
  /// az could take for an option is refused before anything runs.
  @Test func runAzPassesValuesAsArgumentsOnly() throws {
    let box = Sandbox()
    box.initVault()
    let bin = box.root + "/bin"
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    box.write(
      "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '\(box.root)/az-args'\ncat '\(Self.fixture)'\n",
      to: bin + "/az", mode: 0o755)
    let environment = ["PATH": bin + ":/usr/bin:/bin"]
    let result = box.run(
      ["import", "--run-az", "--resource-group", "rg one", "--subscription", "sub-1"],
      environment: environment)
    #expect(result.status == 64, "a space is not in an Azure name: \(result.stderr)")
    let ok = box.run(
      [
        "import", "--run-az", "--resource-group", "businessContinuityTest", "--subscription",
        "sub-1",
      ],
      environment: environment)
    #expect(ok.status == 0, "\(ok.stderr)")
    let arguments = try String(contentsOfFile: box.root + "/az-args", encoding: .utf8)
    #expect(
      arguments
        == "vm\nlist\n--show-details\n--output\njson\n--resource-group\nbusinessContinuityTest\n--subscription\nsub-1\n"
    )
    #expect(entry(box, "windows")["host"] as? String == "52.166.204.149")
    for value in ["-oProxyCommand=x", "--debug"] {
      #expect(
        box.run(["import", "--run-az", "--resource-group", value], environment: environment).status
          == 64)
    }
    let noAz = box.run(["import", "--run-az"], environment: ["PATH": "/nonexistent"])
    #expect(noAz.status == 1)
    #expect(noAz.stderr.contains("az is not installed"))
  }
}
