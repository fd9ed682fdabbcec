import Foundation
import GRDB
import Testing

/// Promises of README.md and SECURITY.md that a one-line bug once broke without any test
/// noticing (Tests/README.md maps each promise to its test).
@Suite(.serialized) struct PromiseTests {
  func vaultWithOneVM() -> Sandbox {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        ["add", "vm", "--host", "127.0.0.1", "--kind", "local", "--user", "u", "--password-stdin"],
        stdin: "pw\n"
      ).status == 0)
    return box
  }

  /// A client script that records the signal it gets, and what descriptors it holds.
  func spy(_ box: Sandbox) -> String {
    box.write(
      """
      #!/bin/sh
      for s in INT TERM HUP; do trap "echo $s > \\"\\$SPY_OUT.signal\\"; exit 99" $s; done
      ls /proc/$$/fd > "$SPY_OUT.fds"
      tr '\\0' '\\n' < /proc/$$/environ | grep -c '^RDPVAULT_' > "$SPY_OUT.env"
      stat -c '%a' "$XDG_RUNTIME_DIR"/rdpvault-* "$TMPDIR"/rdpvault-* 2>/dev/null > "$SPY_OUT.private"
      echo ready > "$SPY_OUT.ready"
      sleep 60 &
      wait

      """, to: "spy.sh", mode: 0o700)
  }

  func startConnect(_ box: Sandbox, environment: [String: String] = [:]) throws -> Child {
    let runtime = box.root + "/runtime"
    try? FileManager.default.createDirectory(
      atPath: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    var env = ["SPY_OUT": box.root + "/spy", "XDG_RUNTIME_DIR": runtime, "TMPDIR": box.root]
    env.merge(environment) { $1 }
    let log = box.root + "/connect.log"
    let child = try box.start(
      ["connect", "vm", "--client-path", spy(box), "--no-check"], environment: env, output: log)
    let deadline = Date().addingTimeInterval(30)
    while !FileManager.default.fileExists(atPath: box.root + "/spy.ready") && Date() < deadline
      && child.isRunning
    { usleep(20_000) }
    if !FileManager.default.fileExists(atPath: box.root + "/spy.ready") {
      Issue.record(
        "the client never started: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }
    return child
  }

  /// SIGINT (Ctrl-C), SIGTERM and SIGHUP each reach the client, and connect exits with the
  /// client's status and removes its private directory.
  @Test(arguments: [(SIGINT, "INT"), (SIGTERM, "TERM"), (SIGHUP, "HUP")])
  func eachSignalReachesTheClient(_ signal: Int32, _ name: String) throws {
    let box = vaultWithOneVM()
    let running = try startConnect(box)
    kill(running.processIdentifier, signal)
    let result = box.finish(running)
    #expect(result.status == 99, "\(name): \(result.stderr)")
    #expect(try String(contentsOfFile: box.root + "/spy.signal", encoding: .utf8) == "\(name)\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: box.root + "/runtime").isEmpty)
  }

  /// The client inherits none of rdpvault's descriptors beyond 0, 1 and 2: not one rdpvault
  /// inherited itself (here fd 77, left open for it on purpose).
  @Test func theClientInheritsNoDescriptor() throws {
    let box = vaultWithOneVM()
    let opened = open(box.root + "/inherited", O_RDWR | O_CREAT, 0o600)
    let leaked: Int32 = 77
    #expect(dup2(opened, leaked) == leaked)
    close(opened)
    defer { close(leaked) }
    let running = try startConnect(box)
    kill(running.processIdentifier, SIGTERM)
    _ = box.finish(running)
    let fds = try String(contentsOfFile: box.root + "/spy.fds", encoding: .utf8).split(
      separator: "\n"
    ).compactMap { Int32($0) }
    #expect(!fds.contains(leaked), "fd \(leaked) reached the client: \(fds)")
    // dash keeps its script and saved redirections at 10 and above.
    #expect(fds.filter { $0 > 2 && $0 < 10 }.isEmpty, "the client holds \(fds)")
    // Nor any RDPVAULT_ variable, though rdpvault had two (the vault path and passphrase file).
    #expect(try String(contentsOfFile: box.root + "/spy.env", encoding: .utf8) == "0\n")
  }

  /// The launch's files live in a 0700 directory under $XDG_RUNTIME_DIR, or in $TMPDIR when
  /// the runtime directory is not private.
  @Test func thePrivateDirectoryIs0700AndFallsBackToTMPDIR() throws {
    let box = vaultWithOneVM()
    var running = try startConnect(box)
    kill(running.processIdentifier, SIGTERM)
    _ = box.finish(running)
    #expect(try String(contentsOfFile: box.root + "/spy.private", encoding: .utf8) == "700\n")
    let shared = box.root + "/shared-runtime"
    try FileManager.default.createDirectory(
      atPath: shared, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    try? FileManager.default.removeItem(atPath: box.root + "/spy.ready")
    let tmp = box.root + "/tmp"
    try FileManager.default.createDirectory(
      atPath: tmp, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    running = try startConnect(box, environment: ["XDG_RUNTIME_DIR": shared, "TMPDIR": tmp])
    let inTmp = try FileManager.default.contentsOfDirectory(atPath: tmp).filter {
      $0.hasPrefix("rdpvault-")
    }
    let inShared = try FileManager.default.contentsOfDirectory(atPath: shared).filter {
      $0.hasPrefix("rdpvault-")
    }
    kill(running.processIdentifier, SIGTERM)
    _ = box.finish(running)
    #expect(inTmp.count == 1 && inShared.isEmpty, "tmp: \(inTmp), shared runtime: \(inShared)")
    #expect(try String(contentsOfFile: box.root + "/spy.private", encoding: .utf8) == "700\n")
  }

  /// rdpvault itself can never dump core: its core limit is 0 while it runs.
  @Test func rdpvaultRunsWithNoCoreLimit() throws {
    let box = vaultWithOneVM()
    let running = try startConnect(box)
    let limits =
      (try? String(contentsOfFile: "/proc/\(running.processIdentifier)/limits", encoding: .utf8))
      ?? ""
    kill(running.processIdentifier, SIGTERM)
    _ = box.finish(running)
    let core = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") }
    #expect(
      core?.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).prefix(2) == [
        "0", "0",
      ], "\(core ?? "")")
  }

  /// A new vault uses MODERATE unless told otherwise; `passwd --kdf` changes it.
  @Test func theDefaultKDFIsModerateAndPasswdChangesIt() throws {
    let box = Sandbox()
    #expect(box.run(["init"]).status == 0)
    func preset() throws -> String? {
      let info =
        try JSONSerialization.jsonObject(with: Data(box.run(["info", "--json"]).stdout.utf8))
        as? [String: Any]
      return (info?["kdf"] as? [String: Any])?["preset"] as? String
    }
    #expect(try preset() == "moderate")
    let newFile = box.write("a new passphrase\n", to: "new")
    #expect(
      box.run(["passwd", "--new-passphrase-file", newFile, "--kdf", "interactive"]).status == 0)
    #expect(try preset() == "interactive")
    box.write("a new passphrase\n", to: box.passphraseFile)
    #expect(box.run(["list"]).status == 0)
  }

  /// .rdp files over 1 MiB are refused before they are read.
  @Test func anRdpFileOverTheSizeLimitIsRefused() throws {
    let box = vaultWithOneVM()
    let big = box.write(
      "full address:s:10.0.0.1\r\n" + String(repeating: "x:s:y\r\n", count: (1 << 20) / 7 + 1),
      to: "big.rdp")
    let result = box.run(["import", big])
    #expect(result.status == 1)
    #expect(result.stderr.contains("larger than 1024 KiB; not an .rdp file"), "\(result.stderr)")
  }

  /// secure_delete: a removed VM's sealed record is overwritten on disk, not left in a free page.
  @Test func aRemovedVMLeavesNoCiphertextBehind() throws {
    let box = vaultWithOneVM()
    #expect(
      box.run(
        [
          "add", "gone", "--host", "10.9.9.9", "--kind", "local", "--user", "u", "--password-stdin",
        ], stdin: "pw2\n"
      ).status == 0)
    let records = try box.records(table: "profiles")
    #expect(records.count == 2)
    #expect(box.run(["rm", "gone", "--yes"]).status == 0)
    let file = try Data(contentsOf: URL(fileURLWithPath: box.vault))
    let remaining = try box.records(table: "profiles")
    for record in records where !remaining.contains(record) {
      #expect(file.range(of: record) == nil, "the removed VM's record is still in the file")
    }
  }
}

extension Sandbox {
  /// The sealed records of a table, read straight from the file.
  func records(table: String) throws -> [Data] {
    let queue = try DatabaseQueue(path: vault)
    return try queue.read { db in try Data.fetchAll(db, sql: "SELECT record FROM \(table)") }
  }
}
