import Foundation
import Testing

/// `import` of Remmina profiles through the real binary (issue 16): a directory of profiles,
/// the password decrypted with --remmina-pref and audited, the keyring's `.` reported, and a
/// hostile profile refused by the one validation gate.
@Suite struct RemminaImportTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("VaultKitTests/Fixtures/imports/remmina")

  @Test func aDirectoryOfProfilesWithThePref() throws {
    let box = Sandbox()
    box.initVault()
    let folder = box.root + "/remmina"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for name in [
      "remmina-1.4-rdp-no-password.remmina", "templates_rdp_rdp-template-1920x1080_1-1-1-1.remmina",
    ] {
      try FileManager.default.copyItem(
        atPath: Self.directory.appendingPathComponent(name).path, toPath: folder + "/" + name)
    }
    let legacy = try String(
      contentsOf: Self.directory.appendingPathComponent(
        "legacy-rdp-cleartext-password-redacted.remmina"), encoding: .utf8)
    box.write(
      legacy.replacingOccurrences(
        of: "password=REDACTED", with: "password=cAzBeok4SVVl18fkP1+2aA=="),
      to: "remmina/zeus.remmina")
    let pref = Self.directory.appendingPathComponent("remmina.pref").path
    let result = box.run(["import", folder, "--remmina-pref", pref])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stderr.contains(
        "passwords were encrypted with the secret in remmina.pref, a key stored beside them"))
    #expect(
      result.stderr.contains("rdpvault: warning:   Administrator (used by HostNameZeusCannon)"))
    #expect(
      result.stderr.contains(
        "RDP-Template-1920x1080: its password is kept in the desktop keyring and was not imported"))
    #expect(box.run(["password", "HostNameZeusCannon"]).stdout == "Zeus-Pw1!\n")
    #expect(box.run(["show", "Test"]).stdout.contains("address:       192.168.0.2:3389"))
    #expect(box.run(["show", "RDP-Template-1920x1080"]).stdout.contains("desktopwidth = 1910"))
  }

  @Test func hostileProfilesChangeNothing() throws {
    let box = Sandbox()
    box.initVault()
    let before = box.snapshot()
    for (index, profile) in [
      "[remmina]\nprotocol=RDP\nname=evil\u{1B}]0;x\u{07}\nserver=10.0.0.1\nusername=u\n",
      "[remmina]\nprotocol=RDP\nname=ok\nserver=-oProxyCommand=x\nusername=u\n",
      "[remmina]\nprotocol=RDP\nname=ok\nserver=10.0.0.1\nusername=u\\nfull address:s:evil\n",
    ].enumerated() {
      let file = box.write(profile, to: "hostile-\(index).remmina")
      let result = box.run(["import", file])
      #expect(result.status == 1, "\(result.stderr)")
      #expect(result.stderr.contains("rdpvault: error:"), "\(result.stderr)")
      #expect(!result.stderr.contains("\u{1B}"), "an escape sequence reached the terminal")
      #expect(box.snapshot() == before)
    }
    let big = box.writeBytes(
      Array("[remmina]\nnotes_text=".utf8) + [UInt8](repeating: 0x41, count: 2 << 20),
      to: "big.remmina")
    let huge = box.run(["import", big])
    #expect(huge.status == 1)
    #expect(huge.stderr.contains("a Remmina profile is read up to 1 MiB"), "\(huge.stderr)")
    #expect(box.snapshot() == before)
  }
}
