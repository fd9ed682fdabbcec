import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A pre-connect step that stays up: a command (`set NAME tunnel CMD`) or OpenSSH through a
/// jump host (`set NAME jump user@host`) that forwards a free local port to the VM while the
/// client runs. rdpvault picks the port (the command gets it as `LOCAL_PORT`), waits until it
/// accepts connections, points the client at 127.0.0.1 and that port, and stops the tunnel
/// when the client is done, however it ended.
public final class Tunnel {
  /// What to run: a shell command, or ssh with its arguments.
  public enum Kind: Equatable, Sendable {
    case command(String)
    case jump(JumpHost)
    /// `az network bastion tunnel` to the VM through this Bastion host.
    case bastion(BastionHost, AzureVM)
  }

  public let kind: Kind
  /// Chosen when the plan is made (for `--dry-run`), and again just before the tunnel starts.
  public private(set) var localPort: Int
  private(set) var pid: pid_t = 0
  private var stopped = false

  /// The tunnel a profile asks for, if any (a jump host first), with a free local port.
  public static func plan(for profile: Profile) throws -> Tunnel? {
    let options = profile.settings.options
    let kind: Kind
    if let jump = options[ConnectOption.jump] {
      kind = .jump(try JumpHost.parse(jump))
    } else if let bastion = options[ConnectOption.bastion] {
      kind = .bastion(try BastionHost.parse(bastion), try AzureVM(profile))
    } else if let command = options[ConnectOption.tunnel] {
      kind = .command(command)
    } else {
      return nil
    }
    return Tunnel(kind: kind, localPort: try freeLocalPort())
  }

  init(kind: Kind, localPort: Int) {
    self.kind = kind
    self.localPort = localPort
  }

  deinit { stop() }

  /// The option whose approval it needs.
  public var option: String {
    switch kind {
    case .command: ConnectOption.tunnel
    case .jump: ConnectOption.jump
    case .bastion: ConnectOption.bastion
    }
  }

  /// The exact program and arguments, for `connect --dry-run` and for running.
  public func command(for profile: Profile) -> [String] {
    switch kind {
    case .command(let text): ["/bin/sh", "-c", text]
    case .jump(let host): ["ssh"] + host.sshArguments(localPort: localPort, to: profile)
    case .bastion(let host, let vm):
      ["az"] + host.tunnelArguments(to: vm, port: profile.port, localPort: localPort)
    }
  }

  /// The profile as the client must see it: the tunnel's end on loopback.
  public func rewrite(_ entry: ProfileEntry) -> ProfileEntry {
    var rewritten = entry
    rewritten.profile.host = "127.0.0.1"
    rewritten.profile.port = localPort
    return rewritten
  }

  /// Starts the tunnel and waits up to `seconds` for its port; the tunnel is stopped on any
  /// failure. A command gets the VM's context (`VM_*`) and `LOCAL_PORT`, never a secret.
  public func start(
    for profile: Profile, environment: [String: String], seconds: Int,
    progress: ((_ waited: Int, _ total: Int) -> Void)? = nil
  ) throws {
    // Picked now, not when planned: a pre-connect command may have taken minutes.
    localPort = try Self.freeLocalPort()
    var context = Launcher.hookEnvironment(for: profile, from: environment)
    context["LOCAL_PORT"] = String(localPort)
    let words = command(for: profile)
    let program: String
    switch kind {
    case .command: program = "/bin/sh"
    case .bastion:
      program = try AzureCLI.executable(environment)
    case .jump:
      guard let ssh = Launcher.findExecutable("ssh", environment: environment) else {
        throw VaultError.clientNotFound(
          program: "ssh", reason: "not installed (Debian: openssh-client)")
      }
      program = ssh
    }
    // A command runs in a process group of its own, so that stopping it stops what it
    // started (az, socat); ssh stays in ours, so it can ask for a passphrase on the terminal.
    pid = try Launcher.spawn(
      program, arguments: Array(words.dropFirst()), environment: context, stdin: nil,
      newProcessGroup: isCommand
    ).pid
    // The tunnel is stopped by `stop`, not by the client's signal forwarding.
    currentChild = 0
    let start = Date()
    let deadline = start.addingTimeInterval(TimeInterval(max(seconds, 1)))
    while Date() < deadline {
      var status: Int32 = 0
      if receivedSignal != 0 {
        stop()
        throw VaultError.interrupted(signal: receivedSignal)
      }
      if waitpid(pid, &status, WNOHANG) == pid {
        stopped = true
        // What it started in its group (a `cmd &`) goes with it.
        if isCommand { Self.stopGroup(pid) }
        let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        throw VaultError.tunnelEnded(status: code, port: localPort)
      }
      if case .reachable = Reachability.check(host: "127.0.0.1", port: localPort, timeout: 0.5) {
        progress?(seconds, seconds)
        // Another local user may have bound the port first: the client must not go there.
        if let uid = Self.foreignListener(port: localPort) {
          stop()
          throw VaultError.tunnelPortTaken(port: localPort, uid: uid)
        }
        return
      }
      progress?(min(seconds, Int(Date().timeIntervalSince(start))), seconds)
      usleep(200_000)
    }
    progress?(seconds, seconds)
    stop()
    throw VaultError.tunnelNeverOpened(port: localPort, seconds: seconds)
  }

  /// A command and az run in a process group of their own (az is Python starting more).
  private var isCommand: Bool {
    if case .jump = kind { return false }
    return true
  }

  /// Stops the tunnel (its whole process group for a command): SIGTERM, then SIGKILL after
  /// 3 s, and reaps it. Safe to call twice.
  public func stop() {
    guard pid > 0, !stopped else { return }
    stopped = true
    let target = isCommand ? -pid : pid
    kill(target, SIGTERM)
    let deadline = Date().addingTimeInterval(3)
    var status: Int32 = 0
    while Date() < deadline {
      if waitpid(pid, &status, WNOHANG) == pid {
        if isCommand { Self.stopGroup(pid) }  // what it started, if still there
        return
      }
      usleep(50_000)
    }
    kill(target, SIGKILL)
    _ = waitpid(pid, &status, 0)
  }

  /// SIGTERM to a process group, then SIGKILL after a second if any member is left.
  static func stopGroup(_ group: pid_t) {
    guard kill(-group, SIGTERM) == 0 else { return }
    for _ in 0..<20 {
      usleep(50_000)
      if kill(-group, 0) != 0 { return }
    }
    kill(-group, SIGKILL)
  }

  /// The uid of a listener on `port` (any local address) that is not this user, from
  /// /proc/net/tcp and tcp6; nil when every listener there is ours.
  static func foreignListener(port: Int) -> UInt32? {
    let me = getuid()
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
      guard let text = try? String(contentsOfFile: table, encoding: .ascii) else { continue }
      for line in text.split(separator: "\n").dropFirst() {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid …
        guard fields.count > 7, fields[3] == "0A",
          let colon = fields[1].lastIndex(of: ":"),
          Int(fields[1][fields[1].index(after: colon)...], radix: 16) == port,
          let uid = UInt32(fields[7])
        else { continue }
        if uid != me { return uid }
      }
    }
    return nil
  }

  /// A port nobody listens on now, on 127.0.0.1, from the kernel.
  static func freeLocalPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw VaultError.tunnelNoPort(reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
      }
    }
    guard bound else { throw VaultError.tunnelNoPort(reason: String(cString: strerror(errno))) }
    return Int(UInt16(bigEndian: address.sin_port))
  }
}
