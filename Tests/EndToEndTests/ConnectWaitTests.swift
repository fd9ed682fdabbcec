import Foundation
import Testing

/// `connect --wait` (issue 17, its first part): a port that opens only after a while, one
/// that never opens, a pre-connect command that opens it, and a mistyped duration. The client
/// is /bin/true: what is tested is when, and whether, rdpvault starts it.
@Suite struct ConnectWaitTests {
  /// A VM on 127.0.0.1 at a free port, with a password.
  func vm(_ box: Sandbox) throws -> Int {
    let port = try RDPServer.freePort(host: "127.0.0.1")
    let added = box.run(
      [
        "add", "vm", "--host", "127.0.0.1", "--port", String(port), "--kind", "local", "--user",
        "u", "--password-stdin",
      ], stdin: "Pw-1\n")
    #expect(added.status == 0, "\(added.stderr)")
    return port
  }

  /// socat listening on `port` after `delay` seconds, until the test kills it.
  func listener(port: Int, after delay: Int) throws -> Child {
    try Child(
      "/bin/sh",
      [
        "-c",
        "sleep \(delay); exec socat TCP-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork SYSTEM:true",
      ],
      environment: ["PATH": "/usr/bin:/bin"], stdout: "/dev/null", stderr: "/dev/null")
  }

  @Test func aPortThatOpensLaterIsWaitedFor() throws {
    let box = Sandbox()
    box.initVault()
    let port = try vm(box)
    let server = try listener(port: port, after: 3)
    defer { server.stop() }
    let start = Date()
    let result = box.run(["connect", "vm", "--wait", "30s", "--client-path", "/bin/true"])
    let elapsed = Date().timeIntervalSince(start)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(elapsed >= 2.5, "the client started before the port opened (\(elapsed) s)")
    #expect(elapsed < 20, "it waited on after the port opened (\(elapsed) s)")
  }

  @Test func aPortThatNeverOpensGivesUpOnTime() throws {
    let box = Sandbox()
    box.initVault()
    _ = try vm(box)
    let start = Date()
    let result = box.run(["connect", "vm", "--wait", "3s", "--client-path", "/bin/true"])
    let elapsed = Date().timeIntervalSince(start)
    #expect(result.status == 1)
    #expect(
      result.stderr.contains(
        "did not accept a connection within 3 s (last try: the connection was refused)"),
      "\(result.stderr)")
    #expect(result.stderr.contains("rdpvault: hint: is the VM running"), "\(result.stderr)")
    #expect(elapsed >= 2.5 && elapsed < 15, "\(elapsed) s")
    // Without --wait and without a pre-connect command: one check, at once.
    let once = box.run(["connect", "vm", "--client-path", "/bin/true"])
    #expect(once.status == 1)
    #expect(once.stderr.contains("refused"), "\(once.stderr)")
  }

  /// A pre-connect command that starts what opens the port (as `az vm start` would) makes
  /// connect wait for it by default.
  @Test func afterAPreConnectCommandTheDefaultIsToWait() throws {
    let box = Sandbox()
    box.initVault()
    let port = try vm(box)
    let pidFile = box.root + "/socat.pid"
    let hook =
      "(sleep 2; exec socat TCP-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork SYSTEM:true) >/dev/null 2>&1 & echo $! > '\(pidFile)'"
    #expect(box.run(["set", "vm", "pre-connect", hook]).status == 0)
    let dry = box.run(["connect", "vm", "--dry-run", "--client-path", "/bin/true"])
    #expect(dry.stdout.contains("waiting up to 3m"), "\(dry.stdout)")
    let result = box.run(["connect", "vm", "--client-path", "/bin/true"])
    if let pid = try? String(contentsOfFile: pidFile, encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines), let number = Int32(pid)
    {
      kill(number, SIGTERM)
    }
    #expect(result.status == 0, "\(result.stderr)")
  }

  @Test func aMistypedDurationIsAUsageError() throws {
    let box = Sandbox()
    box.initVault()
    for value in ["soon", "2d", "5000s", "", "1x"] {
      let result = box.run(["connect", "vm", "--wait", value])
      #expect(result.status == 64, "\(value): \(result.stderr)")
      #expect(result.stderr.contains("invalid --wait"), "\(result.stderr)")
    }
    let both = box.run(["connect", "vm", "--wait", "5s", "--no-check"])
    #expect(both.status == 64)
  }
}
