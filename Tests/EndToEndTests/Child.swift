import Foundation
import Testing

/// A child process the harness can always end: it starts in its own session and process
/// group (so it has no controlling terminal, as `setsid` gave it), with an empty signal mask
/// and default dispositions whatever the test runner's threads block, and a deadline that
/// kills the whole group, so a stuck client fails its test in seconds instead of hanging the
/// suite.
final class Child {
  let processIdentifier: pid_t
  private var status: Int32?
  /// True when the deadline passed and the group was killed.
  private(set) var timedOut = false

  init(
    _ executable: String, _ arguments: [String], environment: [String: String],
    directory: String? = nil,
    stdin: String? = nil, stdout: String, stderr: String
  ) throws {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o600)
    var attributes = Self.sessionAttributes()
    defer { posix_spawnattr_destroy(&attributes) }
    // `env -C` changes directory and execs in place: the pid stays the child's.
    let program = directory == nil ? executable : "/usr/bin/env"
    let words = directory.map { ["-C", $0, executable] + arguments } ?? arguments
    let argv = ([program] + words).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv { free(pointer) }
      for pointer in envp { free(pointer) }
    }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
    guard result == 0 else { throw ChildError.spawn(executable, String(cString: strerror(result))) }
    processIdentifier = pid
  }

  enum ChildError: Error { case spawn(String, String) }

  /// Attributes for a child in a session of its own, with an empty signal mask and default
  /// dispositions; the caller destroys them.
  static func sessionAttributes() -> posix_spawnattr_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    var empty = sigset_t()
    sigemptyset(&empty)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &all)
    // glibc's POSIX_SPAWN_SETSID (0x80, since 2.26), which Swift's Glibc module does not export.
    let setsid: Int32 = 0x80
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | setsid))
    return attributes
  }

  var isRunning: Bool {
    if status != nil { return false }
    var raw: Int32 = 0
    if waitpid(processIdentifier, &raw, WNOHANG) == processIdentifier {
      status = Self.decode(raw)
      return false
    }
    return true
  }

  /// The exit status (128 + N for signal N), waiting at most `timeout` seconds; past that the
  /// whole process group is killed and the test records an issue.
  func wait(timeout: TimeInterval, what: @autoclosure () -> String) -> Int32 {
    let deadline = Date().addingTimeInterval(timeout)
    while isRunning && Date() < deadline { usleep(10_000) }
    if isRunning {
      kill(-processIdentifier, SIGKILL)
      timedOut = true
      Issue.record("\(what()) did not finish within \(timeout) s; its process group was killed")
      var raw: Int32 = 0
      while waitpid(processIdentifier, &raw, 0) < 0 && errno == EINTR {}
      status = Self.decode(raw)
    }
    // Anything the child left in its group (a client it started) goes too.
    kill(-processIdentifier, SIGKILL)
    return status ?? -1
  }

  /// Ends a child the test no longer needs (a listener): its whole process group is killed
  /// and reaped. Foundation's Process would start it with the runner's blocked signals, so
  /// its terminate() could leave it running after the suite.
  func stop() {
    guard isRunning else { return }
    kill(-processIdentifier, SIGKILL)
    var raw: Int32 = 0
    while waitpid(processIdentifier, &raw, 0) < 0 && errno == EINTR {}
    status = Self.decode(raw)
  }

  private static func decode(_ raw: Int32) -> Int32 {
    let signal = raw & 0x7f
    return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
  }
}
