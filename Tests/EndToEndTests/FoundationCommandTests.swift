import Foundation
import Testing

/// init, info and passwd through the real binary.
@Suite(.serialized) struct FoundationCommandTests {
  @Test func initCreatesAPrivateVault() throws {
    let box = Sandbox()
    let result = box.run(["init", "--kdf", "interactive"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("Created vault \(box.vault)"))
    let attributes = try FileManager.default.attributesOfItem(atPath: box.vault)
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
    let directory = try FileManager.default.attributesOfItem(atPath: box.root + "/data")
    #expect((directory[.posixPermissions] as? Int) == 0o700)
  }

  @Test func initRefusesAnExistingVault() {
    let box = Sandbox()
    box.initVault()
    let before = box.snapshot()
    let again = box.run(["init", "--kdf", "interactive"])
    #expect(again.status == 1)
    #expect(
      again.stderr
        == "rdpvault: error: a vault already exists at \(box.vault)\nrdpvault: hint: use another --vault path, or remove the existing file yourself\n"
    )
    #expect(box.snapshot() == before)
  }

  @Test func defaultPathFollowsXDG() throws {
    let box = Sandbox()
    let result = box.run(
      ["init", "--kdf", "interactive"],
      environment: [
        "XDG_DATA_HOME": box.root + "/xdg", "RDPVAULT_PASSPHRASE_FILE": box.passphraseFile,
      ],
      vaultEnvironment: false)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(FileManager.default.fileExists(atPath: box.root + "/xdg/rdpvault/vault.db"))
    let home = box.run(["info"], vaultEnvironment: false)
    #expect(home.stderr.contains("no vault at \(box.root)/.local/share/rdpvault/vault.db"))
  }

  @Test func infoShowsTheHeaderWithoutAPassphrase() throws {
    let box = Sandbox()
    box.initVault()
    let result = box.run(["info", "--json"], environment: ["RDPVAULT_PASSPHRASE_FILE": ""])
    #expect(result.status == 0)
    let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
    #expect(json["path"] as? String == box.vault)
    #expect(json["format"] as? String == "rdpvault-sqlite")
    #expect(json["schema_version"] as? Int == 3)
    let kdf = json["kdf"] as! [String: Any]
    #expect(kdf["algorithm"] as? String == "argon2id")
    #expect(kdf["opslimit"] as? Int == 2)
    #expect(kdf["memlimit_bytes"] as? Int == 64 << 20)
    #expect(kdf["preset"] as? String == "interactive")
    #expect((json["counts"] as? [String: Int]) == ["profiles": 0, "accounts": 0])
    let text = box.run(["info"])
    #expect(text.stdout.contains("kdf:       argon2id, interactive, opslimit 2, memlimit 64 MiB"))
  }

  @Test func wrongPassphraseIsRefusedWithoutLeakingIt() {
    let box = Sandbox()
    box.initVault()
    let before = box.snapshot()
    let wrong = box.write("Tr0ub4dor&3 wrong\n", to: "wrong")
    // The passphrase is the subject: not through the agent.
    let result = box.run(
      ["list"], environment: ["RDPVAULT_PASSPHRASE_FILE": wrong, "RDPVAULT_NO_AGENT": "1"])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("rdpvault: error: wrong passphrase\nrdpvault: hint: "))
    #expect(!result.output.contains("Tr0ub4dor"))
    #expect(!result.output.contains(Sandbox.passphrase))
    #expect(box.snapshot() == before)
  }

  @Test func noTerminalAndNoFileFailsAtOnce() {
    let box = Sandbox()
    let result = box.run(["init"], environment: ["RDPVAULT_PASSPHRASE_FILE": ""], timeout: 20)
    #expect(result.status == 1)
    #expect(
      result.stderr
        == "rdpvault: error: no terminal to read the passphrase from\nrdpvault: hint: pass --passphrase-file PATH or set RDPVAULT_PASSPHRASE_FILE\n"
    )
    #expect(!FileManager.default.fileExists(atPath: box.vault))
  }

  /// Readable by the group is readable by others too: 0640 is refused as 0644 is.
  @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o602])
  func aPassphraseFileOthersCanReadIsRefused(_ mode: Int) {
    let box = Sandbox()
    let open = box.write("pp\n", to: "open", mode: mode)
    let result = box.run(["init", "--kdf", "interactive", "--passphrase-file", open])
    #expect(result.status == 1)
    #expect(result.stderr.contains("can be read by other users"), "\(String(mode, radix: 8))")
    #expect(!FileManager.default.fileExists(atPath: box.vault))
  }

  @Test func passwdRewrapsAndKeepsRecords() {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "azureuser",
          "--password-stdin",
        ], stdin: "Secret-1\n"
      ).status == 0)
    let newFile = box.write("a new passphrase\n", to: "new")
    let result = box.run(["passwd", "--new-passphrase-file", newFile])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == "Passphrase changed for \(box.vault).\n")
    #expect(box.run(["password", "web-01"]).status == 1)
    let reopened = box.run(
      ["password", "web-01"], environment: ["RDPVAULT_PASSPHRASE_FILE": newFile])
    #expect(reopened.stdout == "Secret-1\n")
  }

  @Test func usageErrorsExit64() {
    let box = Sandbox()
    let unknown = box.run(["info", "--bogus"])
    #expect(unknown.status == 64)
    #expect(unknown.stderr.hasPrefix("rdpvault: error: unknown option '--bogus'\n"))
    #expect(box.run(["init", "--kdf", "extreme"]).status == 64)
    #expect(box.run(["frobnicate"]).status == 64)
    #expect(box.run(["--help"]).status == 0)
  }

  @Test func missingVaultIsExplained() {
    let box = Sandbox()
    let result = box.run(["list"])
    #expect(result.status == 1)
    #expect(
      result.stderr
        == "rdpvault: error: no vault at \(box.vault)\nrdpvault: hint: create one with: rdpvault init\n"
    )
  }

  @Test func aDamagedVaultIsReportedNotCrashed() throws {
    let box = Sandbox()
    box.initVault()
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: box.vault)))
    for index in 0..<100 { bytes[index] ^= 0xFF }
    box.writeBytes(bytes, to: box.vault)
    let result = box.run(["list"])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("rdpvault: error: "))
  }
}
