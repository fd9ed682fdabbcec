import Foundation
import Testing

/// The agent of issue 14: unlock once, commands ask for nothing, and it locks, stays apart
/// per vault, refuses other users and keeps its secrets to itself. (The whole end-to-end suite
/// also runs through an agent: scripts/test's second pass.)
@Suite struct AgentTests {
  /// No passphrase file: a command that needs the passphrase has no way to get one.
  static let noPassphrase = ["RDPVAULT_PASSPHRASE_FILE": ""]
  static let canary = "Agent-Canary-7f3e!"

  func sandbox() -> Sandbox {
    let box = Sandbox()
    let initialised = box.run(["init", "--kdf", "interactive"])
    #expect(initialised.status == 0, "\(initialised.stderr)")
    let add = box.run(
      [
        "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "azureuser",
        "--password-stdin",
      ], stdin: Self.canary + "\n")
    #expect(add.status == 0, "\(add.stderr)")
    return box
  }

  func status(_ box: Sandbox, vault: String? = nil) throws -> [String: Any] {
    var environment: [String: String] = [:]
    if let vault { environment["RDPVAULT_PATH"] = vault }
    let result = box.run(["agent", "status", "--json"], environment: environment)
    let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect((json?["unlocked"] as? Bool == true) == (result.status == 0), "\(result.stderr)")
    return json ?? [:]
  }

  func agentPID(_ box: Sandbox) throws -> pid_t {
    pid_t(try #require(try status(box)["agent_pid"] as? Int))
  }

  @Test func unlockOnceThenCommandsAskForNothing() throws {
    let box = sandbox()
    #expect(box.run(["password", "web-01"], environment: Self.noPassphrase).status == 1)
    let unlock = box.run(["unlock"])
    #expect(unlock.status == 0, "\(unlock.stderr)")
    #expect(unlock.stderr.contains("it locks after 1h without use"))
    let password = box.run(["password", "web-01"], environment: Self.noPassphrase)
    #expect(password.status == 0, "\(password.stderr)")
    #expect(password.stdout == Self.canary + "\n")
    for arguments in [
      ["show", "web-01"], ["list", "--json"], ["rdp", "web-01"], ["verify"], ["account", "list"],
      ["connect", "web-01", "--dry-run", "--client", "xfreerdp", "--client-path", "/bin/true"],
    ] {
      let result = box.run(arguments, environment: Self.noPassphrase)
      #expect(result.status == 0, "\(arguments): \(result.stderr)")
    }
    // Writes go through it too, and a direct open sees them.
    let add = box.run(
      [
        "add", "app-01", "--host", "10.0.0.5", "--kind", "domain", "--user", "CONTOSO\\alice",
        "--password-stdin",
      ],
      stdin: "D0main!\n", environment: Self.noPassphrase)
    #expect(add.status == 0, "\(add.stderr)")
    #expect(box.run(["show", "app-01", "--no-agent"]).status == 0)
    #expect(box.run(["show", "app-01", "--no-agent"], environment: Self.noPassphrase).status == 1)
    #expect(
      box.run(
        ["show", "app-01"],
        environment: Self.noPassphrase.merging(["RDPVAULT_NO_AGENT": "1"]) { $1 }
      )
      .status == 1)
    let json = try status(box)
    #expect(json["unlocked"] as? Bool == true)
    #expect(json["timeout_seconds"] as? Int == 3600)
    // The socket's directory is the user's alone.
    var info = stat()
    #expect(stat(box.runtimeDirectory + "/rdpvault", &info) == 0)
    #expect(info.st_mode & 0o777 == 0o700)
    #expect(stat(box.runtimeDirectory + "/rdpvault/agent.sock", &info) == 0)
    #expect(info.st_mode & 0o077 == 0)
  }

  /// The agent keeps its last listing while the vault is unchanged: a change through it, or
  /// by another process on the file, shows in the next list, and a filter is never answered
  /// with another filter's list.
  @Test func listThroughTheAgentFollowsEveryChange() throws {
    let box = sandbox()
    #expect(box.run(["unlock"]).status == 0)
    func names(_ filter: [String] = []) -> [String] {
      let result = box.run(["list", "--json"] + filter, environment: Self.noPassphrase)
      #expect(result.status == 0, "\(result.stderr)")
      let json =
        try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
      return (json ?? []).compactMap { $0["name"] as? String }
    }
    #expect(names() == ["web-01"])
    #expect(names() == ["web-01"])
    let direct = box.run(
      [
        "add", "app-01", "--host", "10.0.0.6", "--kind", "local", "--user", "u", "--password-stdin",
        "--no-agent",
      ], stdin: "pw\n")
    #expect(direct.status == 0, "\(direct.stderr)")
    #expect(names() == ["app-01", "web-01"])
    #expect(names(["app*"]) == ["app-01"])
    #expect(names(["--kind", "domain"]) == [])
    #expect(names() == ["app-01", "web-01"])
    #expect(box.run(["rename", "app-01", "app-02"], environment: Self.noPassphrase).status == 0)
    #expect(names() == ["app-02", "web-01"])
    #expect(box.run(["list"], environment: Self.noPassphrase).stdout.contains("app-02"))
    #expect(box.run(["rm", "app-02", "--yes", "--no-agent"]).status == 0)
    #expect(names() == ["web-01"])
  }

  @Test func theIdleTimeoutLockAndPasswdLock() throws {
    let box = sandbox()
    #expect(box.run(["unlock", "--timeout", "2s"]).status == 0)
    #expect(box.run(["password", "web-01"], environment: Self.noPassphrase).status == 0)
    #expect(try status(box)["timeout_seconds"] as? Int == 2)
    sleep(3)
    #expect(try status(box)["unlocked"] as? Bool == false)
    let locked = box.run(["password", "web-01"], environment: Self.noPassphrase)
    #expect(locked.status == 1)
    #expect(locked.stderr.contains("no terminal to read the passphrase from"))

    #expect(box.run(["unlock"]).status == 0)
    let lock = box.run(["lock"])
    #expect(lock.status == 0 && lock.stderr.hasPrefix("rdpvault: locked /"), "\(lock.stderr)")
    #expect(try status(box)["unlocked"] as? Bool == false)

    #expect(box.run(["unlock"]).status == 0)
    let new = box.write("a new passphrase\n", to: "new")
    let passwd = box.run(["passwd", "--new-passphrase-file", new])
    #expect(passwd.status == 0, "\(passwd.stderr)")
    #expect(passwd.stderr.contains("the agent locked"))
    #expect(try status(box)["unlocked"] as? Bool == false)
    #expect(box.run(["password", "web-01"], environment: Self.noPassphrase).status == 1)
  }

  /// `RDPVAULT_AUTO_UNLOCK=1`: the command that asks unlocks the agent for the next ones.
  @Test func autoUnlockUnlocksTheAgentOnTheFirstPrompt() throws {
    let box = sandbox()
    let first = box.run(["password", "web-01"], environment: ["RDPVAULT_AUTO_UNLOCK": "1"])
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout == Self.canary + "\n")
    #expect(first.stderr.contains("for the next commands"))
    #expect(try status(box)["unlocked"] as? Bool == true)
    #expect(try status(box)["timeout_seconds"] as? Int == 3600)
    #expect(box.run(["password", "web-01"], environment: Self.noPassphrase).status == 0)
    // Without the switch, or with --no-agent, a command never starts an agent.
    let other = Sandbox()
    #expect(other.run(["init", "--kdf", "interactive"]).status == 0)
    #expect(other.run(["list"]).status == 0)
    #expect(
      other.run(["list", "--no-agent"], environment: ["RDPVAULT_AUTO_UNLOCK": "1"]).status == 0)
    #expect(
      !FileManager.default.fileExists(atPath: other.runtimeDirectory + "/rdpvault/agent.sock"))
  }

  /// Idle, the agent spends no CPU: it sleeps in `poll` until a request or the next lock.
  @Test func anIdleAgentUsesNoCPU() throws {
    let box = sandbox()
    #expect(box.run(["unlock"]).status == 0)
    let pid = try agentPID(box)
    // utime and stime, in clock ticks: fields 14 and 15 of /proc/PID/stat.
    func ticks() throws -> Int {
      let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
      let fields = stat[stat.range(of: ")", options: .backwards)!.upperBound...].split(
        separator: " ")
      return Int(fields[11])! + Int(fields[12])!
    }
    usleep(200_000)
    let before = try ticks()
    sleep(3)
    #expect(try ticks() == before, "the idle agent used CPU")
  }

  @Test func badTimeoutsAreUsageErrors() {
    let box = sandbox()
    for bad in ["0", "25h", "1x", "h", "-5m", "99999999s", "1h-5m"] {
      let result = box.run(["unlock", "--timeout=\(bad)"])
      #expect(result.status == 64, "\(bad): \(result.stderr)")
      #expect(result.stderr.contains("invalid --timeout"), "\(bad)")
    }
  }

  /// A file replaced under the agent (a restored backup, a synced copy) is not served: the
  /// agent locks it, and the command opens the new file itself.
  @Test func aReplacedVaultFileLocks() throws {
    let box = sandbox()
    #expect(box.run(["unlock"]).status == 0)
    let copy = box.root + "/copy.db"
    try FileManager.default.copyItem(atPath: box.vault, toPath: copy)
    #expect(rename(copy, box.vault) == 0)
    #expect(box.run(["password", "web-01"], environment: Self.noPassphrase).status == 1)
    #expect(try status(box)["unlocked"] as? Bool == false)
    // A directory others can write is refused as a direct open refuses it.
    #expect(box.run(["unlock"]).status == 0)
    let directory = (box.vault as NSString).deletingLastPathComponent
    chmod(directory, 0o777)
    defer { chmod(directory, 0o700) }
    let refused = box.run(["list"])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("writable by other users"), "\(refused.stderr)")
  }

  /// A killed agent leaves its socket behind: commands fall back to asking (and do not hang),
  /// and the next unlock replaces the stale socket.
  @Test func aKilledAgentMeansAskingAgain() throws {
    let box = sandbox()
    #expect(box.run(["unlock"]).status == 0)
    let pid = try agentPID(box)
    kill(pid, SIGKILL)
    usleep(200_000)
    #expect(FileManager.default.fileExists(atPath: box.runtimeDirectory + "/rdpvault/agent.sock"))
    let started = Date()
    let result = box.run(["password", "web-01"], environment: Self.noPassphrase, timeout: 10)
    #expect(result.status == 1)
    #expect(result.stderr.contains("no terminal to read the passphrase from"))
    #expect(Date().timeIntervalSince(started) < 5)
    #expect(box.run(["password", "web-01"]).stdout == Self.canary + "\n")
    #expect(box.run(["unlock"]).status == 0)
    #expect(try agentPID(box) != pid)
    #expect(box.run(["password", "web-01"], environment: Self.noPassphrase).status == 0)
  }

  @Test func twoVaultsStayApart() throws {
    let box = sandbox()
    let other = box.root + "/other/vault.db"
    let environment = ["RDPVAULT_PATH": other]
    #expect(box.run(["init", "--kdf", "interactive"], environment: environment).status == 0)
    #expect(box.run(["unlock"]).status == 0)
    #expect(
      box.run(["list"], environment: environment.merging(Self.noPassphrase) { $1 }).status == 1)
    #expect(box.run(["unlock"], environment: environment).status == 0)
    #expect(
      box.run(["list"], environment: environment.merging(Self.noPassphrase) { $1 }).status == 0)
    #expect(box.run(["show", "web-01"], environment: environment).status == 1)
    #expect(box.run(["lock"], environment: environment).status == 0)
    #expect(try status(box, vault: other)["unlocked"] as? Bool == false)
    #expect(try status(box)["unlocked"] as? Bool == true)
    #expect(box.run(["lock", "--all"]).status == 0)
    #expect(try status(box)["unlocked"] as? Bool == false)
    // `agent stop` answers before the agent ends, every time.
    for _ in 0..<5 {
      #expect(box.run(["unlock"]).status == 0)
      let stop = box.run(["agent", "stop"])
      #expect(
        stop.status == 0 && stop.stderr == "rdpvault: the agent locked everything and stopped\n",
        "\(stop.stderr)")
      #expect(box.run(["agent", "status"]).stdout.contains("no agent is running"))
    }
  }

  @Test func twoCommandsAtOnceAreBothServed() throws {
    let box = sandbox()
    #expect(box.run(["unlock"]).status == 0)
    var children: [(Child, String)] = []
    for index in 0..<4 {
      let log = box.root + "/parallel-\(index)"
      children.append(
        (try box.start(["verify"], environment: Self.noPassphrase, output: log), log))
    }
    for (child, log) in children {
      let result = box.finish(child, output: log)
      #expect(result.status == 0, "\(result.stderr)")
    }
  }

  /// The canary password reaches neither the agent's environment nor its command line, its
  /// core size limit is zero, and killed by SIGSEGV or SIGABRT it leaves no core file, even
  /// started with an unlimited core limit in its working directory.
  @Test(arguments: [SIGSEGV, SIGABRT]) func nothingLeaksFromTheAgent(_ signal: Int32) throws {
    let box = sandbox()
    let agent = try box.start(
      ["agent", "run"], environment: ["RDPVAULT_PASSPHRASE_FILE": ""],
      output: box.root + "/agent-log", launcher: ["/usr/bin/prlimit", "--core=unlimited", "--"])
    for _ in 0..<100
    where !FileManager.default.fileExists(
      atPath: box.runtimeDirectory + "/rdpvault/agent.sock")
    {
      usleep(20_000)
    }
    #expect(box.run(["unlock"]).status == 0)
    #expect(
      box.run(["password", "web-01"], environment: Self.noPassphrase).stdout.contains(Self.canary))
    let pid = try agentPID(box)
    #expect(pid == agent.processIdentifier)
    for file in ["environ", "cmdline"] {
      let bytes = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/\(file)"))
      #expect(!String(decoding: bytes, as: UTF8.self).contains(Self.canary), "\(file)")
      #expect(!String(decoding: bytes, as: UTF8.self).contains(Sandbox.passphrase), "\(file)")
    }
    let limits = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
    #expect(
      limits.split(separator: "\n").contains {
        $0.hasPrefix("Max core file size")
          && $0.split(separator: " ").dropFirst(4).prefix(2) == ["0", "0"]
      }, "\(limits)")
    kill(pid, signal)
    let status = box.finish(agent, output: box.root + "/agent-log").status
    #expect(status == 128 + signal)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: box.root)
    #expect(!leftovers.contains { $0.hasPrefix("core") }, "\(leftovers)")
  }
}

/// Another local user: refused by the socket's directory, and refused by the agent itself
/// (`SO_PEERCRED`) even when the directory is opened up; and an agent run by that user is not
/// dumpable (its /proc files belong to root, not to the user).
@Suite(.serialized) struct AgentOtherUserTests {
  static let user = "rdpvault-other"

  /// The user's uid and gid, creating the user (no home, no login) the first time.
  static func otherUser() throws -> (uid: UInt32, gid: UInt32) {
    try #require(getuid() == 0, "creating a second user needs root (CI runs as root)")
    if getpwnam(user) == nil {
      let created = run(
        "/usr/sbin/useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user])
      #expect(created.status == 0, "useradd: \(created.stderr)")
    }
    let entry = try #require(getpwnam(user))
    return (entry.pointee.pw_uid, entry.pointee.pw_gid)
  }

  static func run(
    _ program: String, _ arguments: [String], stdin: [UInt8]? = nil, in box: Sandbox? = nil
  ) -> Run {
    let root = box?.root ?? NSTemporaryDirectory()
    let token = UUID().uuidString
    let out = root + "/.o-" + token
    let err = root + "/.e-" + token
    let input = root + "/.i-" + token
    if let stdin { _ = FileManager.default.createFile(atPath: input, contents: Data(stdin)) }
    defer { for path in [out, err, input] { unlink(path) } }
    guard
      let child = try? Child(
        program, arguments, environment: ["PATH": "/usr/bin:/bin:/usr/sbin"],
        stdin: stdin == nil ? nil : input, stdout: out, stderr: err)
    else { return Run(status: -1, stdout: "", stderr: "cannot start \(program)") }
    let status = child.wait(timeout: 20, what: program)
    return Run(
      status: status, stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
      stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
  }

  /// A `status` request as the agent reads it: length, JSON, an empty secret section.
  static func statusFrame() -> [UInt8] {
    let json = Array(#"{"status":{"path":"/nonexistent"}}"#.utf8)
    func length(_ n: Int) -> [UInt8] {
      (0..<4).map { UInt8(truncatingIfNeeded: n >> (24 - 8 * $0)) }
    }
    return length(json.count) + json + length(0)
  }

  @Test func anotherUserIsRefused() throws {
    let (uid, gid) = try Self.otherUser()
    let box = Sandbox()
    box.initVault()
    if !Sandbox.agentMode { #expect(box.run(["unlock"]).status == 0) }
    let socket = box.runtimeDirectory + "/rdpvault/agent.sock"
    let asOther = [
      "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "/usr/bin/socat", "-t", "3", "-",
      "UNIX-CONNECT:\(socket)",
    ]
    // The owner gets an answer.
    let owner = Self.run(
      "/usr/bin/socat", ["-t", "3", "-", "UNIX-CONNECT:\(socket)"], stdin: Self.statusFrame(),
      in: box)
    #expect(owner.stdout.contains("unlocked"), "\(owner.stderr)")
    // The other user cannot even reach the socket.
    let blocked = Self.run("/usr/bin/setpriv", asOther, stdin: Self.statusFrame(), in: box)
    #expect(blocked.status != 0)
    #expect(blocked.stdout.isEmpty)
    // With every directory opened up, the agent itself refuses: no answer, connection closed.
    for directory in [box.root, box.runtimeDirectory, box.runtimeDirectory + "/rdpvault"] {
      chmod(directory, 0o711)
    }
    chmod(socket, 0o666)
    let refused = Self.run("/usr/bin/setpriv", asOther, stdin: Self.statusFrame(), in: box)
    #expect(refused.stdout.isEmpty, "the agent answered another user: \(refused.stdout)")
    #expect(!refused.stderr.contains("Permission denied"), "\(refused.stderr)")
    chmod(socket, 0o600)
    for directory in [box.root, box.runtimeDirectory, box.runtimeDirectory + "/rdpvault"] {
      chmod(directory, 0o700)
    }
    // And it still serves its owner.
    #expect(box.run(["password", "vm-missing"]).stderr.contains("no VM named"))
    #expect(box.run(["list"], environment: ["RDPVAULT_PASSPHRASE_FILE": ""]).status == 0)
  }

  @Test func theAgentIsNotDumpable() throws {
    let (uid, gid) = try Self.otherUser()
    let box = Sandbox()
    // The other user's own copy of the binary and a runtime directory of its own.
    chmod(box.root, 0o755)
    let binary = box.root + "/rdpvault"
    // Copied by another process: a copy written here could leave its write descriptor in a
    // child another test spawns meanwhile, and exec would then fail with "Text file busy".
    #expect(Self.run("/bin/cp", [Sandbox.binary, binary], in: box).status == 0)
    let runtime = box.root + "/other-run"
    mkdir(runtime, 0o700)
    chown(runtime, uid, gid)
    let log = box.root + "/other-agent"
    let agent = try Child(
      "/usr/bin/setpriv",
      ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", binary, "agent", "run"],
      environment: ["PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": runtime], stdout: log, stderr: log)
    defer {
      kill(agent.processIdentifier, SIGTERM)
      _ = agent.wait(timeout: 10, what: "the agent")
    }
    let socket = runtime + "/rdpvault/agent.sock"
    for _ in 0..<250 where !FileManager.default.fileExists(atPath: socket) { usleep(20_000) }
    #expect(
      FileManager.default.fileExists(atPath: socket),
      "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    var info = stat()
    // Its socket is the user's, but its /proc files are root's: the kernel's mark of a
    // process that is not dumpable.
    #expect(stat(socket, &info) == 0 && info.st_uid == uid)
    #expect(stat("/proc/\(agent.processIdentifier)/environ", &info) == 0)
    #expect(
      info.st_uid == 0, "the agent's /proc files belong to uid \(info.st_uid): it is dumpable")
    // The same user's ordinary process, for contrast.
    let sleeper = try Child(
      "/usr/bin/setpriv",
      ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "/bin/sleep", "5"],
      environment: [:], stdout: "/dev/null", stderr: "/dev/null")
    defer {
      kill(sleeper.processIdentifier, SIGKILL)
      _ = sleeper.wait(timeout: 5, what: "sleep")
    }
    // Once setpriv has changed its user (it may take a while on a loaded machine).
    var owner: uid_t = 0
    for _ in 0..<50 {
      if stat("/proc/\(sleeper.processIdentifier)/environ", &info) == 0 { owner = info.st_uid }
      if owner == uid { break }
      usleep(100_000)
    }
    #expect(owner == uid, "the same user's ordinary process has its /proc files")
  }
}
