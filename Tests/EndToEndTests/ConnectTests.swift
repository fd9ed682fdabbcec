import Foundation
import Testing

/// `connect` end to end: rdpvault starts real FreeRDP (xfreerdp 2, and FreeRDP 3's xfreerdp3
/// and sdl-freerdp3) against a real RDP server on loopback, and hands it the credentials.
@Suite(.serialized) struct ConnectTests {
  static let special = "sp ace \"q\" 'x' \\ é ü"
  static let users = [
    RDPServer.User(name: "azureuser", domain: "WEB-01", password: "L0cal-pw!"),
    RDPServer.User(name: "alice", domain: "CONTOSO", password: "D0main-pw!"),
    RDPServer.User(name: "bob", domain: "CONTOSO", password: special),
    RDPServer.User(name: "dave", domain: "CONTOSO", password: "the-right-one"),
    RDPServer.User(name: "carol@contoso.com", domain: "", password: "Upn-pw1!"),
    // `.\eve`: FreeRDP sends the `.` as it is (NTLM and CredSSP), so the server's SAM entry
    // names it; Windows takes `.` as its own account database.
    RDPServer.User(name: "eve", domain: ".", password: "Dot-pw1!"),
  ]

  /// A vault with one VM of each kind pointing at `server`.
  func vault(for server: RDPServer) -> Sandbox {
    let box = Sandbox()
    box.initVault()
    let at = ["--host", server.host, "--port", "\(server.port)"]
    #expect(
      box.run(
        ["add", "web-01"] + at + ["--kind", "local", "--user", "azureuser", "--password-stdin"],
        stdin: "L0cal-pw!\n"
      ).status == 0)
    #expect(
      box.run(
        ["add", "app-01"] + at + [
          "--kind", "domain", "--user", "CONTOSO\\alice", "--admin", "--password-stdin",
        ], stdin: "D0main-pw!\n"
      ).status == 0)
    #expect(
      box.run(["add", "dc-01"] + at + ["--kind", "dc", "--user", "CONTOSO\\alice"]).status == 0)
    #expect(
      box.run(
        ["add", "app-02"] + at + [
          "--kind", "domain", "--user", "CONTOSO\\bob", "--password-stdin",
        ], stdin: Self.special + "\n"
      ).status == 0)
    #expect(
      box.run(
        ["add", "app-03"] + at + [
          "--kind", "domain", "--user", "CONTOSO\\dave", "--password-stdin",
        ], stdin: "a-wrong-one\n"
      ).status == 0)
    #expect(
      box.run(
        ["add", "app-04"] + at + [
          "--kind", "domain", "--user", "carol@contoso.com", "--password-stdin",
        ], stdin: "Upn-pw1!\n"
      ).status == 0)
    // An Azure VM name longer than 15 characters: its account signs in as `.\eve`.
    #expect(
      box.run(
        ["add", "web-frontend-prod-01"] + at + [
          "--kind", "local", "--user", "eve", "--password-stdin",
        ], stdin: "Dot-pw1!\n"
      ).status == 0)
    return box
  }

  func connect(
    _ box: Sandbox, _ server: RDPServer, _ name: String, client: String? = nil,
    _ extra: [String] = []
  ) -> Run {
    box.run(
      ["connect", name] + (client.map { ["--client", $0] } ?? []) + extra + ["--", "+auth-only"],
      environment: ["DISPLAY": server.display], timeout: 90)
  }

  /// A local, a domain, a domain-admin and a UPN account sign in with each FreeRDP; a wrong
  /// password is reported as one. FreeRDP 3.10 ends every +auth-only run with a failure
  /// status, so connect reads its log for the real result and says so.
  @Test(arguments: RDPServer.clients) func everyKindSignsInAndAWrongPasswordIsReported(
    client: String
  ) throws {
    let server = try RDPServer(users: Self.users)
    defer { server.stop() }
    let box = vault(for: server)
    for name in ["web-01", "app-01", "dc-01", "app-02", "app-04", "web-frontend-prod-01"] {
      let result = connect(box, server, name, client: client)
      #expect(result.status == 0, "\(client) \(name): \(result.stderr)")
      #expect(
        !result.output.contains("pw!") && !result.output.contains("sp ace")
          && !result.output.contains("Upn-pw1"))
      if client != "xfreerdp" {
        #expect(
          result.stderr.contains("rdpvault: \(client) exited with status "),
          "\(client) \(name): \(result.stderr)")
        #expect(result.stderr.contains(", but it logged a successful sign-in"))
      }
      // A local account goes straight to NTLM: no Kerberos lookup of the computer's realm.
      if name.hasPrefix("web-") {
        #expect(!result.output.contains("Cannot find KDC"), "\(client): \(result.output)")
      }
    }
    let wrong = connect(box, server, "app-03", client: client)
    // FreeRDP 2's server closes the connection (147); FreeRDP 3's refuses the sign-in (132).
    let meaning: [Int32: String] = [
      147: "the server closed the connection during sign-in: usually a wrong password or user name",
      132: "the server refused the credentials",
    ]
    let expected = try #require(meaning[wrong.status], "\(client): \(wrong.status) \(wrong.stderr)")
    #expect(
      wrong.stderr.contains(
        "rdpvault: error: \(client) exited with status \(wrong.status): \(expected)"))
    #expect(!wrong.stderr.contains("logged a successful sign-in"))
    #expect(!wrong.output.contains("a-wrong-one"))
    // After the password is fixed, it signs in.
    #expect(
      box.run(["account", "passwd", "CONTOSO\\dave", "--password-stdin"], stdin: "the-right-one\n")
        .status == 0)
    #expect(connect(box, server, "app-03", client: client).status == 0)
  }

  /// FreeRDP 3 without OpenSSL's legacy provider (made unloadable for the client with
  /// OPENSSL_MODULES) has no MD4 for NTLM and refuses every password; connect says why.
  @Test(arguments: RDPServer.clients.filter { $0 != "xfreerdp" })
  func aMissingMD4IsExplained(client: String) throws {
    let server = try RDPServer(users: Self.users)
    defer { server.stop() }
    let box = vault(for: server)
    let result = box.run(
      ["connect", "web-01", "--client", client, "--", "+auth-only"],
      environment: ["DISPLAY": server.display, "OPENSSL_MODULES": box.root + "/no-such-directory"],
      timeout: 90)
    #expect(result.status != 0, "\(client): \(result.stderr)")
    #expect(
      result.stderr.contains(
        "rdpvault: hint: FreeRDP logged that OpenSSL's legacy provider did not load"),
      "\(client): \(result.stderr)")
    // With the provider, the same account signs in, and no such hint is given.
    let fine = connect(box, server, "web-01", client: client)
    #expect(
      fine.status == 0 && !fine.stderr.contains("legacy provider did not load"),
      "\(client): \(fine.stderr)")
  }

  /// The client tests run with whichever FreeRDP is installed, never with none.
  @Test func aFreeRDPClientIsInstalled() {
    #expect(
      !RDPServer.clients.isEmpty,
      "install freerdp2-x11, or freerdp3-x11 and freerdp3-sdl (scripts/install-deps)")
  }

  /// `--client auto` takes FreeRDP 3 where it is installed, then FreeRDP 2, and says which.
  @Test func autoTakesTheNewestFreeRDPInstalled() throws {
    let server = try RDPServer(users: Self.users)
    defer { server.stop() }
    let box = vault(for: server)
    let installed = ["xfreerdp3", "sdl-freerdp3", "xfreerdp"].first {
      FileManager.default.isExecutableFile(atPath: "/usr/bin/\($0)")
    }
    let expected = try #require(installed)
    let result = connect(box, server, "app-01")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stderr.hasPrefix(
        "rdpvault: using \(expected) (FreeRDP \(expected == "xfreerdp" ? 2 : 3)) at /usr/bin/\(expected)\n"
      ))
  }

  @Test(arguments: RDPServer.clients) func aPinnedFingerprintMustMatch(client: String) throws {
    let server = try RDPServer(users: Self.users)
    defer { server.stop() }
    let box = vault(for: server)
    let fingerprint = try server.certificateSHA256()
    #expect(box.run(["set", "web-01", "cert-sha256", fingerprint]).status == 0)
    let dry = box.run(["connect", "web-01", "--dry-run", "--client", client])
    let colonHex = stride(from: 0, to: 64, by: 2).map { i in String(Array(fingerprint)[i..<i + 2]) }
      .joined(separator: ":")
    // FreeRDP 3 would ask the user about a mismatch: `deny` makes it a failure.
    #expect(
      dry.stdout.contains(
        (client == "xfreerdp" ? "/cert:" : "/cert:deny,") + "fingerprint:sha256:\(colonHex)"),
      "\(dry.stdout)")
    #expect(connect(box, server, "web-01", client: client).status == 0)
    let wrong = String(fingerprint.reversed())
    #expect(box.run(["set", "web-01", "cert-sha256", wrong]).status == 0)
    let refused = connect(box, server, "web-01", client: client)
    // The certificate error itself, not any failure, and never a question (no hang).
    #expect(refused.status == 143, "\(refused.stderr)")
    #expect(
      refused.stderr.contains(
        "\(client) exited with status 143: TLS failed: the server's certificate does not match the pinned fingerprint"
      ))
  }

  /// While the client runs, neither its argv nor its environment holds the password, and no
  /// file rdpvault made does; the client still gets the password on stdin.
  @Test func nothingLeaks() throws {
    let server = try RDPServer(users: Self.users)
    defer { server.stop() }
    let box = vault(for: server)
    let runtime = box.root + "/runtime"
    try FileManager.default.createDirectory(
      atPath: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let spyOut = box.root + "/spy"
    let spy = box.write(
      """
      #!/bin/sh
      tr '\\0' '\\n' < /proc/$$/cmdline > "$SPY_OUT.cmdline"
      tr '\\0' '\\n' < /proc/$$/environ > "$SPY_OUT.environ"
      IFS= read -r secret
      printf '%s' "$secret" > "$SPY_OUT.stdin"
      grep -rlF -- "$secret" "$XDG_RUNTIME_DIR" > "$SPY_OUT.files" 2>/dev/null
      find "$XDG_RUNTIME_DIR" -mindepth 1 > "$SPY_OUT.listing"
      exit 7

      """, to: "spy.sh", mode: 0o700)
    let result = box.run(
      ["connect", "app-02", "--client-path", spy, "--no-check"],
      environment: [
        "SPY_OUT": spyOut, "XDG_RUNTIME_DIR": runtime, "RDPVAULT_SECRET_SETTING": "should-not-pass",
      ])
    #expect(result.status == 7)
    let stdin = try String(contentsOfFile: spyOut + ".stdin", encoding: .utf8)
    #expect(stdin == Self.special)
    let argv = try String(contentsOfFile: spyOut + ".cmdline", encoding: .utf8)
    #expect(argv.contains("/u:bob") && argv.contains("/from-stdin:force"))
    #expect(!argv.contains("sp ace"))
    let environ = try String(contentsOfFile: spyOut + ".environ", encoding: .utf8)
    #expect(!environ.contains("sp ace"))
    #expect(!environ.contains("RDPVAULT_"))
    #expect(environ.contains("SPY_OUT="))
    #expect(try String(contentsOfFile: spyOut + ".files", encoding: .utf8).isEmpty)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: runtime).isEmpty,
      "the private directory was not removed")

    // The real clients, in a real session: look at their /proc while they run.
    for client in RDPServer.clients {
      let marker = "rdpvault-test-\(UUID().uuidString)"
      let running = try box.start(
        ["connect", "app-02", "--client", client],
        environment: ["DISPLAY": server.display, "SPY_MARKER": marker])
      var found: (argv: String, environ: String, parent: Int32)?
      let deadline = Date().addingTimeInterval(30)
      while found == nil && Date() < deadline && running.isRunning {
        found = Self.findProcess(withEnvironment: "SPY_MARKER=\(marker)", named: client)
        if found == nil { usleep(100_000) }
      }
      let seen = try #require(found, "\(client) was not seen running")
      // FreeRDP 2 has the user name on its command line; FreeRDP 3 reads everything on stdin.
      if client == "xfreerdp" {
        #expect(seen.argv.contains("/u:bob"))
      } else {
        #expect(seen.argv == "/usr/bin/\(client)\n/args-from:stdin\n")
      }
      #expect(!seen.argv.contains("sp ace") && !seen.environ.contains("sp ace"))
      #expect(!seen.environ.contains("RDPVAULT_"))
      // SIGTERM to rdpvault reaches the client, and connect exits with the client's status.
      #expect(seen.parent == running.processIdentifier)
      kill(running.processIdentifier, SIGTERM)
      let started = Date()
      let finished = box.finish(running)
      // It ends within the escalation's bound (SIGKILL at 10 s: sdl-freerdp3 can lose a
      // SIGTERM that lands while it starts)...
      #expect(Date().timeIntervalSince(started) < 15, "\(client): \(finished.stderr)")
      // ...with the client's own status: FreeRDP 3 exits 0 when the signal lands after its
      // session started (a clean disconnect), and non-zero before, so only FreeRDP 2's is fixed.
      if client == "xfreerdp" {
        // xfreerdp ends on SIGTERM as 128 + 15.
        #expect(finished.status == 143, "\(finished.stderr)")
      }
      #expect(Self.findProcess(withEnvironment: "SPY_MARKER=\(marker)", named: client) == nil)
    }
  }

  static func findProcess(withEnvironment needle: String, named name: String) -> (
    argv: String, environ: String, parent: Int32
  )? {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
      return nil
    }
    for pid in entries where pid.allSatisfy(\.isNumber) {
      guard let environ = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")),
        let argv = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")),
        let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
      else { continue }
      let environment = String(decoding: environ.map { $0 == 0 ? 10 : $0 }, as: UTF8.self)
      let arguments = String(decoding: argv.map { $0 == 0 ? 10 : $0 }, as: UTF8.self)
      guard environment.contains(needle),
        arguments.split(separator: "\n").first == "/usr/bin/\(name)"
      else { continue }
      let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
      return (arguments, environment, fields.count > 1 ? Int32(fields[1]) ?? 0 : 0)
    }
    return nil
  }

  @Test func signalsReachTheClientAndCleanUp() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        ["add", "vm", "--host", "127.0.0.1", "--kind", "local", "--user", "u", "--password-stdin"],
        stdin: "pw\n"
      ).status == 0)
    let runtime = box.root + "/runtime"
    try FileManager.default.createDirectory(
      atPath: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let spy = box.write(
      """
      #!/bin/sh
      trap 'echo TERM > "$SPY_OUT.signal"; exit 143' TERM
      echo ready > "$SPY_OUT.ready"
      sleep 60 &
      wait

      """, to: "sleeper.sh", mode: 0o700)
    let running = try box.start(
      ["connect", "vm", "--client-path", spy, "--no-check"],
      environment: ["SPY_OUT": box.root + "/sleeper", "XDG_RUNTIME_DIR": runtime])
    let deadline = Date().addingTimeInterval(20)
    while !FileManager.default.fileExists(atPath: box.root + "/sleeper.ready") && Date() < deadline
    { usleep(50_000) }
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: runtime).count == 1,
      "a private directory while running")
    kill(running.processIdentifier, SIGTERM)
    let result = box.finish(running)
    #expect(result.status == 143)
    #expect(try String(contentsOfFile: box.root + "/sleeper.signal", encoding: .utf8) == "TERM\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: runtime).isEmpty)
  }

  /// A client that ignores the forwarded SIGTERM (sdl-freerdp3 loses one that arrives while
  /// it starts) gets it again after 5 s and SIGKILL after 10 s: connect never waits forever.
  @Test func aClientThatIgnoresTheSignalIsStopped() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        ["add", "vm", "--host", "127.0.0.1", "--kind", "local", "--user", "u", "--password-stdin"],
        stdin: "pw\n"
      ).status == 0)
    let spy = box.write(
      """
      #!/bin/sh
      trap '' TERM
      echo ready > "$SPY_OUT.ready"
      exec sleep 60

      """, to: "stubborn.sh", mode: 0o700)
    let running = try box.start(
      ["connect", "vm", "--client-path", spy, "--no-check"],
      environment: ["SPY_OUT": box.root + "/stubborn"])
    let deadline = Date().addingTimeInterval(20)
    while !FileManager.default.fileExists(atPath: box.root + "/stubborn.ready") && Date() < deadline
    { usleep(50_000) }
    let sent = Date()
    kill(running.processIdentifier, SIGTERM)
    let result = box.finish(running)
    let took = Date().timeIntervalSince(sent)
    #expect(result.status == 137, "\(result.stderr)")
    #expect(result.stderr.contains("was ended by signal 9"), "\(result.stderr)")
    #expect(took >= 9 && took < 30, "stopped after \(took) s")
  }

  @Test func aClosedPortIsDiagnosedBeforeAnyClient() throws {
    let box = Sandbox()
    box.initVault()
    let port = try RDPServer.freePort(host: "127.0.0.1")
    #expect(
      box.run(
        [
          "add", "stopped", "--host", "127.0.0.1", "--port", "\(port)", "--kind", "local", "--user",
          "u", "--password-stdin",
        ], stdin: "pw\n"
      ).status == 0)
    let spy = box.write("#!/bin/sh\ntouch \"$SPY_OUT\"\n", to: "spy.sh", mode: 0o700)
    let result = box.run(
      ["connect", "stopped", "--client-path", spy], environment: ["SPY_OUT": box.root + "/ran"])
    #expect(result.status == 1)
    #expect(
      result.stderr == """
        rdpvault: error: 127.0.0.1 port \(port) refused the connection: nothing is listening
        rdpvault: hint: the VM is stopped, its Remote Desktop service is off, or the port is wrong (rdpvault show NAME)

        """)
    #expect(!FileManager.default.fileExists(atPath: box.root + "/ran"))
    let check = box.run(["check", "stopped"])
    #expect(check.status == 1)
    #expect(
      check.stdout
        == "ok    127.0.0.1 resolves\nFAIL  TCP 127.0.0.1:\(port) does not accept connections\n")
    #expect(
      box.run(
        [
          "add", "nowhere", "--host", "no-such-host.invalid", "--kind", "local", "--user", "u",
          "--password-stdin",
        ], stdin: "pw\n"
      ).status == 0)
    let dns = box.run(["connect", "nowhere", "--client-path", spy])
    #expect(dns.status == 1)
    #expect(dns.stderr.contains("rdpvault: error: cannot resolve no-such-host.invalid"))
    #expect(dns.stderr.contains("rdpvault: hint: the name does not resolve"))
  }

  @Test func dryRunShowsThePlanAndStartsNothing() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "azureuser",
          "--password-stdin",
        ], stdin: "Dry-Run-Secret\n"
      ).status == 0)
    let spy = box.write("#!/bin/sh\ntouch \"$SPY_OUT\"\n", to: "spy.sh", mode: 0o700)
    let result = box.run(
      ["connect", "web-01", "--dry-run", "--client-path", spy, "--", "+auth-only"],
      environment: ["SPY_OUT": box.root + "/ran"])
    #expect(result.status == 0)
    // One line says which client and where it is; the plan's lines say what runs.
    #expect(
      result.stdout.split(separator: "\n").filter { $0.hasPrefix("client:") }
        == ["client: xfreerdp (FreeRDP 2), \(spy)"], "\(result.stdout)")
    #expect(
      result.stdout.contains(
        "run: \(spy) /v:10.0.0.4 /port:3389 /u:azureuser /d:WEB-01 /cert:tofu /from-stdin:force +auth-only\n"
      ))
    #expect(result.stdout.contains("  stdin: \"<redacted>\\n\"\n"))
    #expect(
      result.stdout.contains(
        "note: certificate: not pinned; FreeRDP's own trust-on-first-use applies"))
    #expect(!result.output.contains("Dry-Run-Secret"))
    #expect(!FileManager.default.fileExists(atPath: box.root + "/ran"))
    for client in ["xfreerdp3", "remmina", "mstsc", "macos"] {
      let plan = box.run([
        "connect", "web-01", "--dry-run", "--client", client, "--client-path", spy,
      ])
      #expect(plan.status == 0, "\(client): \(plan.stderr)")
      #expect(
        plan.stdout.contains("<redacted>") && !plan.output.contains("Dry-Run-Secret"), "\(client)")
      #expect(
        plan.stdout.split(separator: "\n").filter { $0.hasPrefix("client:") }.count == 1,
        "\(client): \(plan.stdout)")
    }
  }

  @Test func aPreConnectCommandRunsFirstAndCanStopTheConnection() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "jit-vm", "--host", "127.0.0.1", "--port", "3390", "--kind", "local", "--user",
          "u", "--password-stdin", "--resource-group", "rg-jit", "--subscription", "sub-1",
        ], stdin: "pw\n"
      ).status == 0)
    let spy = box.write("#!/bin/sh\ntouch \"$SPY_OUT\"\n", to: "spy.sh", mode: 0o700)
    let hookOut = box.root + "/hook"
    #expect(
      box.run([
        "set", "jit-vm", "pre-connect",
        "echo \"$VM_NAME $VM_HOST $VM_PORT $VM_COMPUTER_NAME $VM_RESOURCE_GROUP $VM_SUBSCRIPTION\" > \(hookOut); exit 3",
      ]).status == 0)
    let stopped = box.run(
      ["connect", "jit-vm", "--client-path", spy, "--no-check"],
      environment: ["SPY_OUT": box.root + "/ran"])
    #expect(stopped.status == 1)
    #expect(
      stopped.stderr.contains(
        "rdpvault: error: the pre-connect command failed (exit status 3); not connecting"))
    #expect(
      try String(contentsOfFile: hookOut, encoding: .utf8)
        == "jit-vm 127.0.0.1 3390 JIT-VM rg-jit sub-1\n")
    #expect(!FileManager.default.fileExists(atPath: box.root + "/ran"))
    #expect(box.run(["set", "jit-vm", "pre-connect", "true"]).status == 0)
    #expect(
      box.run(
        ["connect", "jit-vm", "--client-path", spy, "--no-check"],
        environment: ["SPY_OUT": box.root + "/ran"]
      ).status == 0)
    #expect(FileManager.default.fileExists(atPath: box.root + "/ran"))
  }

  /// Without a display a client that opens a window cannot show the session: connect says so
  /// before it asks for the passphrase or runs anything, with another way (an .rdp file).
  /// What can run without one still runs: a program given by path, `+auth-only`, Remmina
  /// under Wayland, SDL with a video driver of its own.
  @Test func aClientWithoutADisplayIsRefusedBeforeAnythingRuns() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        ["add", "vm", "--host", "127.0.0.1", "--kind", "local", "--user", "u", "--password-stdin"],
        stdin: "pw\n"
      ).status == 0)
    let bin = box.root + "/bin"
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    for client in ["xfreerdp3", "remmina", "sdl-freerdp3"] {
      box.write(
        "#!/bin/sh\necho \"$0\" >> \"$SPY_OUT\"\ncat > /dev/null\nexit 0\n", to: "bin/\(client)",
        mode: 0o700)
    }
    let ran = box.root + "/ran"
    let base = ["PATH": bin + ":/usr/bin:/bin", "SPY_OUT": ran]
    func connect(_ arguments: [String], _ extra: [String: String]) -> Run {
      box.run(
        ["connect", "vm", "--no-check"] + arguments,
        environment: base.merging(extra) { $1 })
    }
    for client in ["xfreerdp3", "remmina", "sdl-freerdp3"] {
      let refused = connect(
        ["--client", client], ["RDPVAULT_PASSPHRASE_FILE": box.root + "/no-such-file"])
      #expect(refused.status == 1, "\(client): \(refused.stderr)")
      #expect(
        refused.stderr.hasPrefix("rdpvault: error: no display to show the session on: "),
        "\(client): \(refused.stderr)")
      #expect(
        refused.stderr.contains(
          "rdpvault: hint: run connect in a desktop session (over SSH: ssh -X), or write an .rdp file with: rdpvault rdp vm\n"
        ), "\(refused.stderr)")
      #expect(!refused.stderr.contains("passphrase"), "checked before the passphrase")
    }
    let wayland = connect(["--client", "xfreerdp3"], ["WAYLAND_DISPLAY": "wayland-0"])
    #expect(wayland.stderr.contains("DISPLAY is not set"), "FreeRDP's X11 client needs X")
    #expect(!FileManager.default.fileExists(atPath: ran), "no client ran")
    for (arguments, extra) in [
      (["--client", "xfreerdp3"], ["DISPLAY": ":99"]),
      (["--client", "remmina"], ["WAYLAND_DISPLAY": "wayland-0"]),
      (["--client", "sdl-freerdp3"], ["SDL_VIDEODRIVER": "kmsdrm"]),
      (["--client", "xfreerdp3", "--", "+auth-only"], [:]),
      (["--client-path", bin + "/xfreerdp3"], [:]),
    ] {
      let result = connect(arguments, extra)
      #expect(result.status == 0, "\(arguments) \(extra): \(result.stderr)")
    }
    // Each of the five ran its client (Remmina's plan runs remmina twice).
    let ranClients = try String(contentsOfFile: ran, encoding: .utf8).split(separator: "\n")
      .map { $0.split(separator: "/").last.map(String.init) ?? "" }
    #expect(
      ranClients == ["xfreerdp3", "remmina", "remmina", "sdl-freerdp3", "xfreerdp3", "xfreerdp3"],
      "\(ranClients)")
  }

  /// A FreeRDP client's exit status is put in words. A session the user ended (signed out,
  /// 12, or disconnected from the Start menu, 11) is no failure: connect says so and exits 0.
  /// Stand-in clients exit with each status; the real FreeRDP 3, given no display to open,
  /// fails its pre-connect (136) and that is explained too.
  @Test func aClientsExitStatusIsPutInWords() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        ["add", "vm", "--host", "127.0.0.1", "--kind", "local", "--user", "u", "--password-stdin"],
        stdin: "pw\n"
      ).status == 0)
    let bin = box.root + "/bin"
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    box.write(
      "#!/bin/sh\ncat > /dev/null\nexit $STAND_IN_STATUS\n", to: "bin/xfreerdp3", mode: 0o700)
    func connect(_ client: String, _ status: Int32) -> Run {
      box.run(
        ["connect", "vm", "--no-check", "--client", client],
        environment: [
          "PATH": bin + ":/usr/bin:/bin", "DISPLAY": ":99", "STAND_IN_STATUS": "\(status)",
        ])
    }
    let cases: [(client: String, status: Int32, exit: Int32, stderr: String)] = [
      (
        "xfreerdp3", 12, 0,
        "rdpvault: the session ended: the server reports that you signed out of the session\n"
      ),
      (
        "xfreerdp3", 11, 0,
        "rdpvault: the session ended: the server reports a disconnect from inside the session "
          + "(its Start menu); the session stays signed in there\n"
      ),
      (
        "xfreerdp3", 5, 5,
        "rdpvault: error: xfreerdp3 exited with status 5: another connection took over the session\n"
      ),
      (
        "xfreerdp3", 151, 151,
        "rdpvault: error: xfreerdp3 exited with status 151: the account is disabled\n"
      ),
      ("xfreerdp3", 1, 1, "rdpvault: error: xfreerdp3 exited with status 1\n"),
    ]
    for item in cases {
      let result = connect(item.client, item.status)
      #expect(result.status == item.exit, "\(item.client) \(item.status): \(result.stderr)")
      #expect(
        result.stderr.hasSuffix(item.stderr), "\(item.client) \(item.status): \(result.stderr)")
    }
    // The real client, given by path and with no DISPLAY, fails before it connects.
    guard RDPServer.installed("xfreerdp3") else { return }
    let real = box.run(
      [
        "connect", "vm", "--no-check", "--client", "xfreerdp3", "--client-path",
        "/usr/bin/xfreerdp3",
      ],
      timeout: 60)
    #expect(real.status == 136, "\(real.stderr)")
    #expect(
      real.stderr.contains(
        "rdpvault: error: xfreerdp3 exited with status 136: FreeRDP could not prepare the connection "
          + "(pre-connect failed): usually no display to open"), "\(real.stderr)")
  }
}
