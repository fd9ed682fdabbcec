import Foundation
import Testing

/// `import` of RDCMan's .rdg through the real binary (issue 16): recognised by content,
/// DPAPI passwords dropped with a warning that names the VM, servers without a user refused
/// by name (and imported with --user).
@Suite struct RDCManImportTests {
  static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent(
      "VaultKitTests/Fixtures/imports/rdcman/test_rdcman_v2_7_schema3.rdg"
    ).path

  @Test func aRealFileImportsItsServers() throws {
    let box = Sandbox()
    box.initVault()
    let first = box.run(["import", Self.file])
    #expect(first.status == 1, "\(first.stderr)")
    #expect(
      first.stderr.contains(
        "rdpvault: warning: \(Self.file): server1_displayname: its password is protected by Windows (DPAPI"
      ), "\(first.stderr)")
    #expect(
      first.stderr.contains(
        "added server1_displayname from \(Self.file): server1:9933 (domain, signs in as mydomain\\myusername1"
      ))
    #expect(
      first.stderr.contains(
        "rdpvault: error: \(Self.file): VM \"server2\": the file names no user for it\n"
          + "rdpvault: hint: give --user to import the file's VMs with that user\n"),
      "\(first.stderr)")
    #expect(first.stderr.contains("(\"server2\", \"server3\", \"server4\")"))
    let listed = box.run(["list", "--format", "csv"])
    #expect(listed.stdout.components(separatedBy: "\r\n").count == 3, "\(listed.output)")
    let rest = box.run(["import", Self.file, "--user", "CONTOSO\\ops", "--tag", "rdcman"])
    #expect(rest.status == 1, "server1 exists: \(rest.stderr)")
    #expect(rest.stderr.contains("a VM named \"server1_displayname\" already exists"))
    let shown = box.run(["show", "server3"])
    #expect(shown.stdout.contains("sign-in name:  CONTOSO\\ops"), "\(shown.stdout)")
    #expect(shown.stdout.contains("tags:          Group2/Group3, rdcman"), "\(shown.stdout)")
    #expect(box.run(["show", "server1_displayname"]).stdout.contains("mydomain\\myusername1"))
  }
}
