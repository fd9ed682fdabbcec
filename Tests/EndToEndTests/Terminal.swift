import Foundation
import Testing

/// rdpvault on a real pseudo-terminal, as a person runs it: the pty is its controlling
/// terminal (so it prompts on /dev/tty), the test reads what the screen shows and types.
final class TerminalSession {
  let master: Int32
  let pid: pid_t
  private(set) var screen = ""
  /// Whether the terminal echoed again once the process had ended (read before the pty closes).
  private(set) var echoedAtExit = false

  init(_ box: Sandbox, _ arguments: [String], environment extra: [String: String] = [:]) throws {
    master = PTY.openpt(O_RDWR | O_NOCTTY)
    guard master >= 0, PTY.grantpt(master) == 0, PTY.unlockpt(master) == 0,
      let name = PTY.ptsname(master)
    else {
      throw TerminalError.noPty
    }
    let slave = String(cString: name)
    var environment = [
      "PATH": "/usr/bin:/bin", "HOME": box.root, "LANG": "C.UTF-8", "TERM": "dumb",
      "RDPVAULT_PATH": box.vault, "XDG_RUNTIME_DIR": box.runtimeDirectory,
      "RDPVAULT_AGENT_SOCKET": box.runtimeDirectory + "/rdpvault/agent.sock",
    ]
    environment.merge(extra) { $1 }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    // Opened after setsid and without O_NOCTTY: the pty becomes the controlling terminal.
    posix_spawn_file_actions_addopen(&actions, 0, slave, O_RDWR, 0)
    posix_spawn_file_actions_adddup2(&actions, 0, 1)
    posix_spawn_file_actions_adddup2(&actions, 0, 2)
    posix_spawn_file_actions_addclose(&actions, master)
    var attributes = Child.sessionAttributes()
    defer { posix_spawnattr_destroy(&attributes) }
    let argv = ([Sandbox.binary] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv { free(pointer) }
      for pointer in envp { free(pointer) }
    }
    var child: pid_t = 0
    guard posix_spawn(&child, Sandbox.binary, &actions, &attributes, argv, envp) == 0 else {
      throw TerminalError.spawn
    }
    pid = child
  }

  enum TerminalError: Error { case noPty, spawn }

  /// Reads until the screen shows `text` (true) or `timeout` passes (false).
  @discardableResult
  func waitFor(_ text: String, timeout: TimeInterval = 20) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while !screen.contains(text) && Date() < deadline {
      var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
      guard poll(&poller, 1, 100) > 0 else { continue }
      var buffer = [UInt8](repeating: 0, count: 4096)
      let n = read(master, &buffer, buffer.count)
      if n <= 0 { break }
      screen += String(decoding: buffer.prefix(n), as: UTF8.self)
    }
    return screen.contains(text)
  }

  func type(_ text: String) {
    _ = text.withCString { write(master, $0, strlen($0)) }
  }

  /// Whether the terminal echoes what is typed right now.
  var echoes: Bool {
    var settings = termios()
    tcgetattr(master, &settings)
    return settings.c_lflag & tcflag_t(ECHO) != 0
  }

  /// The exit status (128 + N for signal N), collecting the rest of the screen; the process
  /// is killed after `timeout`.
  func finish(timeout: TimeInterval = 30) -> Int32 {
    let deadline = Date().addingTimeInterval(timeout)
    var raw: Int32 = 0
    while waitpid(pid, &raw, WNOHANG) == 0 {
      if Date() > deadline {
        kill(pid, SIGKILL)
        Issue.record("the terminal session did not end: \(screen)")
        waitpid(pid, &raw, 0)
        break
      }
      waitFor("\u{0}", timeout: 0.1)
    }
    waitFor("\u{0}", timeout: 0.2)
    echoedAtExit = echoes
    close(master)
    let signal = raw & 0x7f
    return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
  }
}

/// glibc's pseudo-terminal calls, which Swift's Glibc module leaves out (they need
/// _XOPEN_SOURCE), looked up by name.
enum PTY {
  private static func symbol<T>(_ name: String, as type: T.Type) -> T {
    unsafeBitCast(dlsym(UnsafeMutableRawPointer(bitPattern: 0), name)!, to: type)
  }

  static let openpt = symbol("posix_openpt", as: (@convention(c) (Int32) -> Int32).self)
  static let grantpt = symbol("grantpt", as: (@convention(c) (Int32) -> Int32).self)
  static let unlockpt = symbol("unlockpt", as: (@convention(c) (Int32) -> Int32).self)
  static let ptsname = symbol(
    "ptsname", as: (@convention(c) (Int32) -> UnsafeMutablePointer<CChar>?).self)
}
