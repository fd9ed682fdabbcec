import Foundation
import Testing

/// A real OpenSSH server on loopback for the jump-host tests: a throwaway host key, one
/// authorized client key, TCP forwarding on, nothing else. `stop()` ends it.
final class SSHServer {
  let root: String
  let port: Int
  private let process: Process

  init() throws {
    var template = Array((NSTemporaryDirectory() + "/rdpvault-ssh-XXXXXX").utf8CString)
    root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    for key in ["host_key", "client_key"] {
      let keygen = Process()
      keygen.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
      keygen.arguments = ["-q", "-t", "ed25519", "-N", "", "-f", root + "/" + key]
      try keygen.run()
      keygen.waitUntilExit()
    }
    try FileManager.default.copyItem(
      atPath: root + "/client_key.pub", toPath: root + "/authorized_keys")
    // sshd's privilege separation needs this directory (a Debian service would make it).
    try? FileManager.default.createDirectory(
      atPath: "/run/sshd", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755]
    )
    var started: (Process, Int)?
    for _ in 0..<5 where started == nil {
      let port = try RDPServer.freePort(host: "127.0.0.1")
      let config = """
        Port \(port)
        ListenAddress 127.0.0.1
        HostKey \(root)/host_key
        PidFile \(root)/sshd.pid
        AuthorizedKeysFile \(root)/authorized_keys
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        UsePAM no
        StrictModes no
        AllowTcpForwarding yes
        PermitRootLogin prohibit-password
        LogLevel ERROR

        """
      try config.write(toFile: root + "/sshd_config", atomically: true, encoding: .utf8)
      let sshd = Process()
      sshd.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
      sshd.arguments = ["600", "/usr/sbin/sshd", "-D", "-e", "-f", root + "/sshd_config"]
      _ = FileManager.default.createFile(atPath: root + "/sshd.log", contents: nil)
      sshd.standardOutput = FileHandle(forWritingAtPath: root + "/sshd.log")
      sshd.standardError = sshd.standardOutput
      try sshd.run()
      let deadline = Date().addingTimeInterval(10)
      while Date() < deadline && sshd.isRunning && !RDPServer.accepts(host: "127.0.0.1", port: port)
      {
        usleep(50_000)
      }
      if sshd.isRunning && RDPServer.accepts(host: "127.0.0.1", port: port) {
        started = (sshd, port)
      } else {
        kill(-sshd.processIdentifier, SIGKILL)
        sshd.terminate()
        sshd.waitUntilExit()
      }
    }
    guard let (sshd, port) = started else {
      let log = (try? String(contentsOfFile: root + "/sshd.log", encoding: .utf8)) ?? ""
      throw RDPServer.ServerError.failed("sshd did not start: \(log)")
    }
    process = sshd
    self.port = port
  }

  /// The user's own ssh, as rdpvault finds it on PATH: the real OpenSSH client with a
  /// configuration of the test's (this key, these known hosts), recording its arguments.
  func clientShim(in directory: String) throws -> String {
    let bin = directory + "/bin"
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    let config = """
      Host *
        IdentityFile \(root)/client_key
        IdentitiesOnly yes
        UserKnownHostsFile \(root)/known_hosts
        StrictHostKeyChecking accept-new
        BatchMode yes

      """
    try config.write(toFile: root + "/ssh_config", atomically: true, encoding: .utf8)
    let shim = """
      #!/bin/sh
      printf '%s\\n' "$@" > '\(directory)/ssh-args'
      exec /usr/bin/ssh -F '\(root)/ssh_config' "$@"

      """
    try shim.write(toFile: bin + "/ssh", atomically: true, encoding: .utf8)
    chmod(bin + "/ssh", 0o755)
    return bin
  }

  func stop() {
    kill(-process.processIdentifier, SIGTERM)
    process.terminate()
    process.waitUntilExit()
    try? FileManager.default.removeItem(atPath: root)
  }

  /// The user sshd lets in: whoever runs the tests.
  static var user: String { String(cString: getpwuid(getuid())!.pointee.pw_name) }
}

/// Every process whose command line contains `marker`, from /proc.
func processes(containing marker: String) -> [String] {
  let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
  return names.compactMap { name -> String? in
    guard Int32(name) != nil,
      let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline")
    else { return nil }
    let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    return line.contains(marker) && !line.contains("/proc") ? line : nil
  }
}

/// Tunnels (issue 17): a command of the user's (socat here) or OpenSSH through a jump host,
/// started before the client and stopped after it however it ends: a sign-in, a failed
/// sign-in, a signal; one that dies at once or never opens; values that would become ssh
/// options; approval of a tunnel that came in a bundle.
@Suite(.serialized) struct TunnelTests {
  static let users = [RDPServer.User(name: "azureuser", domain: "WEB-01", password: "L0cal-pw!")]

  /// A vault whose `web-01` is the server's local account, addressed as an outsider would
  /// (an address only the tunnel reaches is not needed: the tunnel is what is tested).
  func vault(for server: RDPServer) -> Sandbox {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "web-01", "--host", server.host, "--port", "\(server.port)", "--kind", "local",
          "--user", "azureuser", "--password-stdin",
        ], stdin: "L0cal-pw!\n"
      ).status == 0)
    return box
  }

  @Test(arguments: RDPServer.clients) func throughAJumpHostTheClientSignsIn(client: String) throws {
    let server = try RDPServer(users: Self.users)
    defer { server.stop() }
    let ssh = try SSHServer()
    defer { ssh.stop() }
    let box = vault(for: server)
    let bin = try ssh.clientShim(in: box.root)
    let jump = "\(SSHServer.user)@127.0.0.1:\(ssh.port)"
    #expect(box.run(["set", "web-01", "jump", jump]).status == 0)
    let environment = ["PATH": bin + ":/usr/bin:/bin", "DISPLAY": server.display]
    let dry = box.run(
      ["connect", "web-01", "--client", client, "--dry-run"], environment: environment)
    #expect(
      dry.stdout.contains(
        "-L 127.0.0.1:")
        && dry.stdout.contains(
          ":127.0.0.1:\(server.port) -p \(ssh.port) -- \(SSHServer.user)@127.0.0.1"),
      "\(dry.stdout)")
    let result = box.run(
      ["connect", "web-01", "--client", client, "--", "+auth-only"], environment: environment,
      timeout: 90)
    #expect(result.status == 0, "\(client): \(result.stderr)")
    #expect(result.stderr.contains("rdpvault: tunnel up on 127.0.0.1:"), "\(result.stderr)")
    #expect(result.stderr.contains("trust-on-first-use checks nothing: pin the certificate"))
    let arguments = try String(contentsOfFile: box.root + "/ssh-args", encoding: .utf8)
      .split(separator: "\n").map(String.init)
    // The options end before the destination; the values are separate arguments.
    #expect(arguments.suffix(2) == ["--", "\(SSHServer.user)@127.0.0.1"], "\(arguments)")
    #expect(processes(containing: "ExitOnForwardFailure").isEmpty, "ssh outlived the client")
    // A failed sign-in stops the tunnel too.
    #expect(
      box.run(["account", "passwd", "WEB-01\\azureuser", "--password-stdin"], stdin: "wrong\n")
        .status == 0)
    let failed = box.run(
      ["connect", "web-01", "--client", client, "--", "+auth-only"], environment: environment,
      timeout: 90)
    #expect(failed.status != 0)
    #expect(processes(containing: "ExitOnForwardFailure").isEmpty, "ssh outlived a failed sign-in")
  }

  @Test func aCommandTunnelForwardsAndStops() throws {
    let server = try RDPServer(users: Self.users)
    defer { server.stop() }
    let box = vault(for: server)
    // The VM's own address leads nowhere (TEST-NET-3): only the tunnel reaches the server.
    #expect(box.run(["edit", "web-01", "--host", "203.0.113.7"]).status == 0)
    // socat forwards LOCAL_PORT to the server; env shows what the command was given.
    let command =
      "env > '\(box.root)/tunnel-env'; exec socat TCP-LISTEN:$LOCAL_PORT,bind=127.0.0.1,reuseaddr,fork TCP:127.0.0.1:\(server.port),sndbuf=65536"
    #expect(box.run(["set", "web-01", "tunnel", command]).status == 0)
    let client = RDPServer.clients.last!
    let result = box.run(
      ["connect", "web-01", "--client", client, "--", "+auth-only"],
      environment: ["DISPLAY": server.display], timeout: 90)
    #expect(result.status == 0, "\(result.stderr)")
    let context = try String(contentsOfFile: box.root + "/tunnel-env", encoding: .utf8)
    #expect(context.contains("VM_NAME=web-01\n") && context.contains("LOCAL_PORT="))
    #expect(
      context.contains("VM_PORT=\(server.port)\n") && context.contains("VM_HOST=203.0.113.7\n"))
    #expect(!context.contains("L0cal-pw!") && !context.contains("RDPVAULT_"), "\(context)")
    #expect(processes(containing: "socat TCP-LISTEN").filter { $0.contains("65536") }.isEmpty)
  }

  /// A signal while connect waits for the tunnel's port stops the tunnel and connect.
  @Test func aSignalWhileWaitingStopsTheTunnel() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "vm", "--host", "10.255.0.1", "--kind", "local", "--user", "u", "--password-stdin",
        ],
        stdin: "pw\n"
      ).status == 0)
    #expect(box.run(["set", "vm", "tunnel", "sleep 41.4213"]).status == 0)
    let running = try box.start(["connect", "vm", "--client-path", "/bin/true", "--wait", "60s"])
    let deadline = Date().addingTimeInterval(20)
    while processes(containing: "sleep 41.4213").isEmpty && Date() < deadline { usleep(50_000) }
    #expect(!processes(containing: "sleep 41.4213").isEmpty, "the tunnel started")
    kill(running.processIdentifier, SIGTERM)
    let result = box.finish(running)
    #expect(result.status == 143, "\(result.stderr)")
    #expect(result.stderr.contains("stopped by signal 15 before the client started"))
    usleep(200_000)
    #expect(processes(containing: "sleep 41.4213").isEmpty, "the tunnel outlived a signal")
  }

  /// A signal to connect reaches the client; the tunnel stops after it.
  @Test func aSignalStopsTheClientAndTheTunnel() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "vm", "--host", "10.255.0.1", "--kind", "local", "--user", "u", "--password-stdin",
        ],
        stdin: "pw\n"
      ).status == 0)
    let marker = "rdpvault-signal-\(UUID().uuidString.prefix(8))"
    #expect(
      box.run([
        "set", "vm", "tunnel",
        "exec socat TCP-LISTEN:$LOCAL_PORT,bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo \(marker)'",
      ]).status == 0)
    let spy = box.write(
      "#!/bin/sh\necho ready > \"$SPY_OUT.ready\"\nsleep 60 &\nwait\n", to: "sleeper.sh",
      mode: 0o700)
    let running = try box.start(
      ["connect", "vm", "--client-path", spy], environment: ["SPY_OUT": box.root + "/sleeper"])
    let deadline = Date().addingTimeInterval(20)
    while !FileManager.default.fileExists(atPath: box.root + "/sleeper.ready") && Date() < deadline
    { usleep(50_000) }
    #expect(!processes(containing: marker).isEmpty, "the tunnel runs while the client does")
    kill(running.processIdentifier, SIGTERM)
    _ = box.finish(running)
    #expect(processes(containing: marker).isEmpty, "the tunnel outlived a signal")
  }

  @Test func aTunnelThatDiesOrNeverOpensStopsTheConnect() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "vm", "--host", "10.255.0.1", "--kind", "local", "--user", "u", "--password-stdin",
        ],
        stdin: "pw\n"
      ).status == 0)
    #expect(
      box.run(["set", "vm", "tunnel", "sleep 27.1828 & echo no route >&2; exit 3"]).status == 0)
    let died = box.run(["connect", "vm", "--client-path", "/bin/true"])
    #expect(died.status == 1)
    #expect(
      died.stderr.contains("the tunnel ended (exit status 3) before 127.0.0.1:"), "\(died.stderr)")
    usleep(200_000)
    #expect(
      processes(containing: "sleep 27.1828").isEmpty, "what a dead tunnel started outlived it")
    let marker = "31.4159"
    #expect(box.run(["set", "vm", "tunnel", "sleep \(marker) & sleep \(marker)"]).status == 0)
    let start = Date()
    let never = box.run(["connect", "vm", "--wait", "2s", "--client-path", "/bin/true"])
    #expect(never.status == 1)
    #expect(never.stderr.contains("within 2 s; it was stopped"), "\(never.stderr)")
    #expect(Date().timeIntervalSince(start) < 15)
    usleep(200_000)
    #expect(processes(containing: "sleep \(marker)").isEmpty, "what the tunnel started outlived it")
  }

  /// A jump host's value never becomes an ssh option or a command.
  @Test func hostileJumpHostsAreRefused() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "vm", "--host", "10.255.0.1", "--kind", "local", "--user", "u", "--password-stdin",
        ],
        stdin: "pw\n"
      ).status == 0)
    let before = box.snapshot()
    for value in [
      "-oProxyCommand=touch /tmp/pwned", "alice@-oProxyCommand=x", "-l@host", "a b@host",
      "alice@host;id", "alice@host:0", "alice@host:99999", "alice@[::1", "al'ice@h", "alice@",
      "alice@host\u{1B}[2J",
    ] {
      let result = box.run(["set", "vm", "jump", "--", value])
      #expect(result.status != 0, "\(value) was accepted")
      #expect(!result.stderr.contains("\u{1B}"))
    }
    #expect(box.snapshot() == before)
    #expect(box.run(["set", "vm", "jump", "ops@[2001:db8::1]:2222"]).status == 0)
    let dry = box.run(["connect", "vm", "--dry-run", "--client-path", "/bin/true"])
    #expect(dry.stdout.contains("-p 2222 -- ops@2001:db8::1"), "\(dry.stdout)")
  }

  /// A tunnel that came in a bundle is stored unapproved: connect refuses it until the user
  /// approves its exact text.
  @Test func aTunnelFromABundleNeedsApproval() throws {
    let alice = Sandbox()
    alice.initVault()
    let bob = Sandbox()
    bob.initVault()
    #expect(
      alice.run(
        [
          "add", "vm", "--host", "10.255.0.1", "--kind", "local", "--user", "u", "--password-stdin",
        ],
        stdin: "pw\n"
      ).status == 0)
    #expect(alice.run(["set", "vm", "tunnel", "exit 7"]).status == 0)
    let bundle = alice.export("vm", to: bob)
    let imported = bob.run(["import", bundle])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(
      imported.stderr.contains("tunnel: exit 7 (not approved: connect will not use it)"),
      "\(imported.stderr)")
    let shown = bob.run(["show", "vm"]).stdout
    #expect(shown.contains("exit 7  (NOT approved: rdpvault hook approve vm)"), "\(shown)")
    #expect(!shown.contains("tunnel-approved"))
    let refused = bob.run(["connect", "vm", "--client-path", "/bin/true"])
    #expect(refused.status == 1)
    #expect(
      refused.stderr.contains("vm's tunnel came from outside this vault and is not approved"),
      "\(refused.stderr)")
    let approve = bob.run(["hook", "approve", "vm", "--yes"])
    #expect(approve.status == 0, "\(approve.stderr)")
    #expect(approve.stdout.contains("tunnel of vm"))
    let runs = bob.run(["connect", "vm", "--client-path", "/bin/true"])
    #expect(runs.stderr.contains("the tunnel ended (exit status 7)"), "\(runs.stderr)")
  }
}
