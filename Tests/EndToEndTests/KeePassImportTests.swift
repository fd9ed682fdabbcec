import Foundation
import Testing

/// `import` of a KeePass database through the real binary and the real keepassxc-cli
/// (issue 16): a .kdbx made here by keepassxc-cli, opened with the password from a file (on
/// keepassxc-cli's stdin, never an argument), a wrong password, no keepassxc-cli, and
/// KeePassXC's own test database.
@Suite struct KeePassImportTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("VaultKitTests/Fixtures/imports/keepass")

  /// keepassxc-cli with `input` on its stdin.
  @discardableResult
  func keepassxc(_ arguments: [String], input: String, in box: Sandbox) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/keepassxc-cli")
    process.arguments = arguments
    process.environment = ["HOME": box.root, "PATH": "/usr/bin:/bin"]
    let pipe = Pipe()
    process.standardInput = pipe
    process.standardError = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    pipe.fileHandleForWriting.write(Data(input.utf8))
    try pipe.fileHandleForWriting.close()
    process.waitUntilExit()
    return process.terminationStatus
  }

  @Test func aKDBXMadeByKeePassXCImportsItsRDPEntries() throws {
    let box = Sandbox()
    box.initVault()
    let database = box.root + "/team.kdbx"
    #expect(
      try keepassxc(
        ["db-create", "-q", "-t", "100", "-p", database], input: "dbpw\ndbpw\n", in: box) == 0)
    try keepassxc(
      [
        "add", "-q", "-u", "CONTOSO\\alice", "--url", "rdp://10.9.8.7:3390", "-p", database,
        "web 01",
      ],
      input: "dbpw\nS3cret!pw\n", in: box)
    try keepassxc(["mkdir", "-q", database, "Servers"], input: "dbpw\n", in: box)
    try keepassxc(
      [
        "add", "-q", "-u", "admin", "--url", "cmd://mstsc.exe /v:db01.example.com", "-p", database,
        "Servers/db 01",
      ], input: "dbpw\nLocal-Pw1\n", in: box)
    try keepassxc(
      ["add", "-q", "-u", "me", "--url", "https://mail.example.com", "-p", database, "mail"],
      input: "dbpw\nmailpw\n", in: box)
    let before = box.snapshot()
    let wrong = box.write("not it\n", to: "wrong")
    let refused = box.run(["import", database, "--source-password-file", wrong])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("keepassxc-cli could not open"), "\(refused.stderr)")
    #expect(box.snapshot() == before)
    let missing = box.run(["import", database])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("the KeePass file is protected by a password of its own"))
    let noCLI = box.run(
      ["import", database, "--source-password-file", wrong], environment: ["PATH": "/nonexistent"])
    #expect(noCLI.status == 1)
    #expect(noCLI.stderr.contains("reading a .kdbx needs keepassxc-cli, which is not installed"))
    let right = box.write("dbpw\n", to: "right")
    let result = box.run(["import", database, "--source-password-file", right])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("skipped 1 connection (not an RDP entry): \"mail\""))
    #expect(box.run(["password", "web-01"]).stdout == "S3cret!pw\n")
    #expect(box.run(["password", "db-01"]).stdout == "Local-Pw1\n")
    let db = box.run(["show", "db-01"]).stdout
    #expect(db.contains("address:       db01.example.com:3389"), "\(db)")
    #expect(db.contains("sign-in name:  db01\\admin"), "\(db)")
    #expect(db.contains("tags:          Servers"), "\(db)")
    #expect(box.run(["show", "web-01"]).stdout.contains("sign-in name:  CONTOSO\\alice"))
  }

  /// A password with a line break would add arguments to FreeRDP 3 (one per line): it is
  /// refused by the gate every stored password passes, and the vault is unchanged.
  @Test func aPasswordWithALineBreakIsRefused() throws {
    let box = Sandbox()
    box.initVault()
    let before = box.snapshot()
    let xml = box.write(
      """
      <?xml version="1.0" encoding="utf-8"?>
      <KeePassFile><Root><Group><Name>db</Name>
      <Entry><String><Key>Title</Key><Value>web</Value></String>
      <String><Key>URL</Key><Value>rdp://10.0.0.1</Value></String>
      <String><Key>UserName</Key><Value>CONTOSO\\alice</Value></String>
      <String><Key>Password</Key><Value>x&#10;/drives&#10;/cert:ignore</Value></String></Entry>
      <Entry><String><Key>Title</Key><Value>&#x9B;31mred</Value></String>
      <String><Key>URL</Key><Value>rdp://10.0.0.2</Value></String></Entry>
      </Group></Root></KeePassFile>
      """, to: "hostile.xml")
    let result = box.run(["import", xml])
    #expect(result.status == 1, "\(result.stderr)")
    #expect(
      result.stderr.contains("a password cannot hold CR, LF or NUL"), "\(result.stderr)")
    #expect(!result.stderr.contains("/drives"), "the password reached a message")
    #expect(!result.stderr.contains("\u{9B}"), "a C1 control reached the terminal")
    #expect(box.snapshot() == before)
  }

  @Test func keepassXCsOwnTestDatabaseHasNoRDPEntry() throws {
    let box = Sandbox()
    box.initVault()
    let password = box.write("masterpw\n", to: "pw")
    let result = box.run([
      "import", Self.fixtures.appendingPathComponent("ProtectedStrings.kdbx").path,
      "--source-password-file", password,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("skipped 1 connection (not an RDP entry): \"Sample Entry\""))
    let xml = box.run(["import", Self.fixtures.appendingPathComponent("NewDatabase.xml").path])
    #expect(xml.status == 0, "\(xml.stderr)")
    #expect(xml.stderr.contains("skipped 3 connections (not an RDP entry)"))
    #expect(box.run(["list", "--format", "csv"]).stdout.components(separatedBy: "\r\n").count == 2)
  }
}
