import Foundation
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// Reads passphrases and passwords straight into guarded memory, never through a String.
enum SecretInput {
  /// Longer input is refused rather than truncated.
  static let maximumLength = 1024

  /// A secret from a file: its whole content, less one trailing newline (LF or CRLF).
  static func readFile(_ path: String, what: String) throws -> SecretBytes {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw CLIError("cannot read the \(what) \(path): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_mode & 0o077 != 0 {
      throw CLIError(
        "the \(what) \(path) can be read by other users",
        hint: "run: chmod 600 \(path)")
    }
    return try readAll(fd: fd, what: what)
  }

  /// Everything on `fd` up to EOF, less one trailing newline.
  static func readAll(fd: Int32, what: String) throws -> SecretBytes {
    var secret = try SecretBytes(capacity: maximumLength + 2)
    var byte: UInt8 = 0
    while true {
      let n = read(fd, &byte, 1)
      if n == 0 { break }
      if n < 0 {
        if errno == EINTR { continue }
        throw CLIError("cannot read the \(what): \(String(cString: strerror(errno)))")
      }
      do {
        try secret.append(byte)
      } catch {
        throw CLIError("the \(what) is longer than \(maximumLength) bytes")
      }
    }
    byte = 0
    stripNewline(&secret)
    try check(secret, what: what)
    return secret
  }

  static func stripNewline(_ secret: inout SecretBytes) {
    if secret.count > 0, secret[secret.count - 1] == 0x0A {
      secret.removeLast()
      if secret.count > 0, secret[secret.count - 1] == 0x0D { secret.removeLast() }
    }
  }

  /// Empty, NUL-bearing or non-UTF-8 secrets cannot be typed into Windows; refuse them.
  static func check(_ secret: borrowing SecretBytes, what: String) throws {
    if secret.isEmpty { throw CLIError("the \(what) is empty") }
    if secret.count > maximumLength {
      throw CLIError("the \(what) is longer than \(maximumLength) bytes")
    }
    let valid = secret.withUnsafeBytes { bytes in
      !bytes.contains(0) && String(validating: bytes, as: UTF8.self) != nil
    }
    if !valid { throw CLIError("the \(what) is not valid UTF-8 text") }
    // RDP clients read a password as one line; Windows does not take line breaks in one.
    if what == "password", secret.withUnsafeBytes({ $0.contains(0x0A) || $0.contains(0x0D) }) {
      throw CLIError(
        "the password contains a line break", hint: "give the password alone on one line")
    }
  }

  /// A new master passphrase must be one the terminal prompt can reproduce: no control
  /// character (a line break would end it, Ctrl-U or Ctrl-C would act), no DEL.
  static func checkTypeable(_ secret: borrowing SecretBytes) throws {
    let typeable = secret.withUnsafeBytes { bytes in
      !bytes.contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }
    }
    if !typeable {
      throw CLIError(
        "the passphrase contains a control character or a line break, which the passphrase prompt could never reproduce",
        hint: "choose a passphrase of printable characters")
    }
  }

  /// A secret typed at the terminal (`/dev/tty`) without echo. With no terminal this fails
  /// at once instead of waiting for input that cannot come.
  static func readFromTerminal(
    prompt: String, confirmPrompt: String?, what: String, hint: String
  ) throws -> SecretBytes {
    guard let tty = Terminal.open() else {
      throw CLIError("no terminal to read the \(what) from", hint: hint)
    }
    defer { close(tty) }
    let first = try readLine(tty: tty, prompt: prompt, what: what)
    if let confirmPrompt {
      let second = try readLine(tty: tty, prompt: confirmPrompt, what: what)
      guard first.isEqual(to: second) else {
        throw CLIError("the two \(what)s do not match")
      }
    }
    return first
  }

  /// Echo goes off (and type-ahead is discarded) before the prompt shows, and stays off
  /// until the command ends (or `QuietTerminal.end()`): nothing typed while the key is
  /// derived, or between two prompts, is shown.
  private static func readLine(tty: Int32, prompt: String, what: String) throws -> SecretBytes {
    QuietTerminal.begin(tty)
    tcflush(tty, TCIFLUSH)
    _ = prompt.withCString { write(tty, $0, strlen($0)) }
    defer { _ = write(tty, "\n", 1) }
    var secret = try SecretBytes(capacity: maximumLength + 1)
    var byte: UInt8 = 0
    while true {
      let n = read(tty, &byte, 1)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 || byte == 0x0A { break }
      do {
        try secret.append(byte)
      } catch {
        throw CLIError("the \(what) is longer than \(maximumLength) bytes")
      }
    }
    byte = 0
    if secret.count > 0, secret[secret.count - 1] == 0x0D { secret.removeLast() }
    try check(secret, what: what)
    return secret
  }
}

/// Echo off from a command's first secret prompt to its end: the terminal's settings are
/// put back at exit, on a fatal signal, or when a client or hook is about to use the terminal.
enum QuietTerminal {
  nonisolated(unsafe) private static var active = false

  /// Turns echo off on `tty` (the first time; later prompts find it off already).
  static func begin(_ tty: Int32) {
    guard !active else { return }
    var saved = termios()
    guard tcgetattr(tty, &saved) == 0, let own = Terminal.open() else { return }
    var quiet = saved
    quiet.c_lflag &= ~tcflag_t(ECHO)
    quiet.c_lflag |= tcflag_t(ICANON)
    // A descriptor of its own, kept open until the end: the prompt's may close first.
    TerminalRestore.arm(fd: own, settings: saved)
    tcsetattr(own, TCSAFLUSH, &quiet)
    active = true
    atexit { QuietTerminal.end() }
  }

  /// Puts the terminal back as it was (discarding what was typed meanwhile, which may be a
  /// secret typed ahead); nothing when echo was never turned off.
  static func end() {
    guard active else { return }
    active = false
    if TerminalRestore.fd >= 0 {
      TerminalRestore.restore()
      close(TerminalRestore.fd)
    }
    TerminalRestore.disarm()
  }

  /// While echo is held off: turns it on for `body` (a question whose answer should show).
  static func echoing<T>(_ tty: Int32, _ body: () throws -> T) rethrows -> T {
    guard active else { return try body() }
    var quiet = termios()
    tcgetattr(tty, &quiet)
    var loud = quiet
    loud.c_lflag |= tcflag_t(ECHO)
    tcsetattr(tty, TCSAFLUSH, &loud)
    defer { tcsetattr(tty, TCSAFLUSH, &quiet) }
    return try body()
  }
}

/// Puts the terminal's echo back if Ctrl-C arrives while a secret is being typed.
enum TerminalRestore {
  nonisolated(unsafe) static var fd: Int32 = -1
  nonisolated(unsafe) static var settings = termios()

  static func arm(fd: Int32, settings: termios) {
    Self.settings = settings
    Self.fd = fd
    for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
      signal(sig) { received in
        TerminalRestore.restore()
        signal(received, SIG_DFL)
        raise(received)
      }
    }
  }

  /// The saved settings back on the terminal (from a signal handler too: one system call).
  static func restore() {
    if fd >= 0 { tcsetattr(fd, TCSAFLUSH, &settings) }
  }

  static func disarm() {
    fd = -1
    for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { signal(sig, SIG_DFL) }
  }
}
