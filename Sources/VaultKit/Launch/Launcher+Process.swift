import Foundation
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Spawning, waiting and signalling: the parts of a launch that touch processes.
///
/// Hand-written on posix_spawn rather than swiftlang/swift-subprocess (1.0.2, available here)
/// for what the library does not do, or not the way a credential launcher needs:
/// - the password goes from guarded (`sodium_malloc`) memory straight into the pipe with
///   `write(2)` (`writeAll`), never through an `Array` or `String` the library's input types
///   would hold and not wipe;
/// - SIGINT/SIGTERM/SIGHUP are forwarded to the client from a C signal handler, with the
///   escalation below, in the same synchronous loop that relays the client's output and
///   watches it for the sign-in line; Subprocess is `async`, which would make every command
///   an `AsyncParsableCommand` for one step;
/// - the launch directory, its 0600 files and their removal on every way out are one plan.
/// The library closes inherited descriptors with `close_range`, as this code does by reading
/// /proc/self/fd; that alone would not pay for the rest.
extension Launcher {
  /// After a forwarded signal: the same signal again after `stopGrace`, SIGKILL after twice
  /// that.
  struct StopEscalation {
    private var since: Date?
    private var repeated = false
    var started: Bool { since != nil }

    mutating func check(_ pid: pid_t) {
      guard receivedSignal != 0 else { return }
      guard let since else {
        self.since = Date()
        return
      }
      let elapsed = Date().timeIntervalSince(since)
      if elapsed > 2 * Launcher.stopGrace {
        kill(pid, SIGKILL)
      } else if elapsed > Launcher.stopGrace && !repeated {
        kill(pid, receivedSignal)
        repeated = true
      }
    }
  }

  /// Copies everything from `fd` to `destination` until end of file, and tells which of
  /// `markers` went past (by index; also across two reads). With `child`, a signal forwarded
  /// to it is followed up as `wait` does, so a client that ignores it cannot keep the pipe open.
  static func relay(
    _ fd: Int32, to destination: Int32, watchingFor markers: [[UInt8]], child: pid_t? = nil
  ) -> Set<Int> {
    var seen: Set<Int> = []
    let keep = max(0, (markers.map(\.count).max() ?? 0) - 1)
    var tail: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16384)
    var stopping = StopEscalation()
    while true {
      var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      let ready = poll(&poller, 1, 100)
      if let child { stopping.check(child) }
      if ready == 0 || (ready < 0 && errno == EINTR) { continue }
      let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
      if count < 0 && errno == EINTR { continue }
      if count <= 0 { break }
      buffer.withUnsafeBytes {
        writeAll(destination, UnsafeRawBufferPointer(rebasing: $0[0..<count]))
      }
      if seen.count < markers.count {
        let window = tail + buffer[0..<count]
        for (index, marker) in markers.enumerated() where !seen.contains(index) && !marker.isEmpty {
          if window.count >= marker.count,
            (0...(window.count - marker.count)).contains(where: { start in
              window[start..<start + marker.count].elementsEqual(marker)
            })
          {
            seen.insert(index)
          }
        }
        tail = Array(window.suffix(keep))
      }
    }
    return seen
  }

  /// Spawns `program` with `stdin` written into a pipe (then closed), or /dev/null.
  /// With `captureOutput` the child's stdout and stderr go into one pipe, whose read end is
  /// returned (the caller closes it); with `discardOutput` they go to /dev/null (a tool that
  /// forks a server, as xclip does, must not hold our caller's pipes open); with `newSession`
  /// it starts a session of its own (that server then outlives our terminal and our group).
  static func spawn(
    _ program: String, arguments: [String], environment: [String: String],
    stdin: borrowing SecretBytes?,
    captureOutput: Bool = false, discardOutput: Bool = false, newSession: Bool = false,
    newProcessGroup: Bool = false,
    stdoutOnly: Bool = false
  ) throws -> (pid: pid_t, output: Int32) {
    let feedsStdin = stdin != nil
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var pipeFDs: [Int32] = [-1, -1]
    if feedsStdin {
      guard pipe(&pipeFDs) == 0 else {
        throw VaultError.launchFailed(program: program, status: -1)
      }
      // Neither end leaks into the child: dup2 gives it fd 0 without the close-on-exec flag.
      for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
      posix_spawn_file_actions_adddup2(&actions, pipeFDs[0], 0)
    } else {
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    }
    var outputFDs: [Int32] = [-1, -1]
    if captureOutput {
      guard pipe(&outputFDs) == 0 else {
        if feedsStdin { for fd in pipeFDs { close(fd) } }
        throw VaultError.launchFailed(program: program, status: -1)
      }
      for fd in outputFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
      posix_spawn_file_actions_adddup2(&actions, outputFDs[1], 1)
      if !stdoutOnly { posix_spawn_file_actions_adddup2(&actions, outputFDs[1], 2) }
    } else if discardOutput {
      posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
      posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    }
    // Nothing else of ours reaches the client: not the vault's database, not a caller's pipe.
    closeInheritedDescriptors(&actions, keeping: [pipeFDs[0], outputFDs[1]])
    let argv = ([program] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv { free(pointer) }
      for pointer in envp { free(pointer) }
    }
    // The child starts with no blocked signals and default handlers for the ones we forward.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in forwardedSignals + [SIGPIPE] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    // glibc's POSIX_SPAWN_SETSID (0x80, since 2.26), which Swift's Glibc module does not export.
    let setsid: Int32 = newSession ? 0x80 : 0
    // A group of its own (its id is its pid), so the whole group can be stopped at once.
    if newProcessGroup { posix_spawnattr_setpgroup(&attributes, 0) }
    let setpgroup: Int32 = newProcessGroup ? Int32(POSIX_SPAWN_SETPGROUP) : 0
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | setsid | setpgroup))
    var pid: pid_t = 0
    let status =
      program.contains("/")
      ? posix_spawn(&pid, program, &actions, &attributes, argv, envp)
      : posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
    if feedsStdin { close(pipeFDs[0]) }
    if captureOutput { close(outputFDs[1]) }
    guard status == 0 else {
      if feedsStdin { close(pipeFDs[1]) }
      if captureOutput { close(outputFDs[0]) }
      throw VaultError.clientNotFound(program: program, reason: String(cString: strerror(status)))
    }
    currentChild = pid
    if feedsStdin {
      switch stdin {
      case .some(let bytes): bytes.withUnsafeBytes { writeAll(pipeFDs[1], $0) }
      case .none: break
      }
      close(pipeFDs[1])
    }
    return (pid, outputFDs[0])
  }

  /// Closes in the child every descriptor of ours it would inherit, but 0-2 and `keeping`.
  static func closeInheritedDescriptors(
    _ actions: inout posix_spawn_file_actions_t, keeping: Set<Int32>
  ) {
    for fd in inheritableDescriptors() where fd > 2 && !keeping.contains(fd) {
      posix_spawn_file_actions_addclose(&actions, fd)
    }
  }

  /// Starts a process that outlives this one (the agent): no environment, /dev/null for its
  /// standard streams (a caller reading our output to its end must not wait for it), none of
  /// our descriptors, and default signal handling, in a session of its own.
  /// With `stdin`, it reads those bytes from a pipe instead (the clipboard's clearer gets the
  /// password that way), and `environment` is its environment.
  public static func startDetached(
    _ program: String, arguments: [String], environment: [String: String] = [:],
    stdin: borrowing SecretBytes? = nil
  ) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var pipeFDs: [Int32] = [-1, -1]
    let feedsStdin = stdin != nil
    if feedsStdin {
      guard pipe(&pipeFDs) == 0 else { throw VaultError.launchFailed(program: program, status: -1) }
      for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
      posix_spawn_file_actions_adddup2(&actions, pipeFDs[0], 0)
    } else {
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    closeInheritedDescriptors(&actions, keeping: [pipeFDs[0]])
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in forwardedSignals + [SIGPIPE] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    // A session of its own from the start (POSIX_SPAWN_SETSID): whoever ends our process
    // group (a terminal's hangup, a test harness) cannot end it before it could call setsid.
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | 0x80))
    let argv = ([program] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv { free(pointer) }
      for pointer in envp { free(pointer) }
    }
    var pid: pid_t = 0
    let status = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
    if feedsStdin { close(pipeFDs[0]) }
    guard status == 0 else {
      if feedsStdin { close(pipeFDs[1]) }
      throw VaultError.clientNotFound(program: program, reason: String(cString: strerror(status)))
    }
    if feedsStdin {
      switch stdin {
      case .some(let bytes): bytes.withUnsafeBytes { writeAll(pipeFDs[1], $0) }
      case .none: break
      }
      close(pipeFDs[1])
    }
    return pid
  }

  /// Runs a tool (`az`) and returns its exit status and standard output, at most `limit`
  /// bytes (more is an error: the tool is stopped); its stderr is ours, so its messages show.
  public static func output(
    _ program: String, arguments: [String], environment: [String: String], limit: Int
  ) throws -> (status: Int32, bytes: [UInt8]) {
    let (pid, output) = try spawn(
      program, arguments: arguments, environment: environment, stdin: nil, captureOutput: true,
      stdoutOnly: true)
    defer { close(output) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      bytes.append(contentsOf: buffer.prefix(n))
      if bytes.count > limit {
        kill(pid, SIGTERM)
        _ = wait(for: pid)
        throw VaultError.inventory(
          reason: "\(program) wrote more than \(limit >> 20) MiB; stopped")
      }
    }
    return (wait(for: pid).status, bytes)
  }

  /// Runs a program that prints secrets (a password manager's export), with `stdin` fed to it,
  /// and reads its standard output straight into guarded memory, growing it by copies that
  /// are wiped. Its standard error goes where ours goes.
  public static func secretOutput(
    _ program: String, arguments: [String], environment: [String: String],
    stdin: consuming SecretBytes, limit: Int, status: inout Int32
  ) throws -> SecretBytes {
    let (pid, output) = try spawn(
      program, arguments: arguments, environment: environment, stdin: consume stdin,
      captureOutput: true, stdoutOnly: true)
    defer { close(output) }
    var reaped = false
    // However this ends (a failed allocation included), the child is not left behind.
    defer {
      if !reaped {
        kill(pid, SIGTERM)
        _ = wait(for: pid)
      }
    }
    var bytes = try SecretBytes(capacity: 1 << 20)
    while true {
      if bytes.count == bytes.capacity {
        guard bytes.capacity < limit else {
          throw VaultError.inventory(
            reason: "\(program) wrote more than \(limit >> 20) MiB; stopped")
        }
        var larger = try SecretBytes(capacity: min(limit, bytes.capacity * 2))
        try bytes.withUnsafeBytes { try larger.append(contentsOf: $0) }
        bytes = larger
      }
      var n = 0
      bytes.appendInPlace { free in
        n = read(output, free.baseAddress, free.count)
        return max(n, 0)
      }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
    }
    status = wait(for: pid).status
    reaped = true
    return bytes
  }

  /// A client still running this long after a forwarded signal gets it again, and SIGKILL
  /// after twice as long: sdl-freerdp3 loses a SIGTERM that comes while it starts up, and
  /// `connect` must not then wait forever.
  static let stopGrace: TimeInterval = 5

  /// Never a blocking `waitpid`: a forwarded signal may be handled on another thread of
  /// ours (the runtime's), which would not interrupt it, and the escalation below would then
  /// never run. A check every 100 ms (50 ms once stopping) costs nothing measurable.
  static func wait(for pid: pid_t) -> Outcome {
    var status: Int32 = 0
    var stopping = StopEscalation()
    while true {
      let result = waitpid(pid, &status, WNOHANG)
      if result == pid { break }
      if result < 0 && errno != EINTR { return Outcome(status: 255) }
      stopping.check(pid)
      if result == 0 { usleep(stopping.started ? 50_000 : 100_000) }
    }
    currentChild = 0
    let signal = status & 0x7f
    return signal == 0
      ? Outcome(status: (status >> 8) & 0xff) : Outcome(status: 128 + signal, signal: signal)
  }

  /// Runs a profile's pre-connect command with `/bin/sh -c`, the VM's name, host, port,
  /// computer name, resource group and subscription in `VM_NAME`, `VM_HOST`, `VM_PORT`,
  /// `VM_COMPUTER_NAME`, `VM_RESOURCE_GROUP` and `VM_SUBSCRIPTION` (empty when unknown); never
  /// a secret. Returns its exit status.
  /// What a hook or a tunnel gets: the user's environment without rdpvault's own variables,
  /// and the VM's context; never a secret.
  static func hookEnvironment(for profile: Profile, from environment: [String: String])
    -> [String: String]
  {
    var context = environment.filter { !$0.key.hasPrefix("RDPVAULT_") }
    context["VM_NAME"] = profile.name
    context["VM_HOST"] = profile.host
    context["VM_PORT"] = String(profile.port)
    context["VM_COMPUTER_NAME"] = profile.computerName
    context["VM_RESOURCE_GROUP"] = profile.resourceGroup
    context["VM_SUBSCRIPTION"] = profile.subscription
    return context
  }

  public static func runHook(_ command: String, profile: Profile, environment: [String: String])
    throws -> Int32
  {
    let hookEnvironment = hookEnvironment(for: profile, from: environment)
    let pid = try spawn(
      "/bin/sh", arguments: ["-c", command], environment: hookEnvironment, stdin: nil
    ).pid
    return wait(for: pid).status
  }

  /// Our open descriptors without close-on-exec, from /proc/self/fd.
  static func inheritableDescriptors() -> [Int32] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else {
      return []
    }
    return names.compactMap(Int32.init).filter { fd in
      let flags = fcntl(fd, F_GETFD)
      return flags >= 0 && flags & FD_CLOEXEC == 0
    }
  }

  /// Writes every byte to `fd`, going on after a short write or EINTR; at another error it
  /// stops and returns the errno (nil when everything was written).
  @discardableResult
  public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
    var offset = 0
    while offset < bytes.count {
      let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        return errno
      }
      if n == 0 { return EIO }
      offset += n
    }
    return nil
  }
}
