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
