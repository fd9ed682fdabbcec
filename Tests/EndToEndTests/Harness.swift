import Foundation
import Testing

/// The result of one run of the real binary.
struct Run {
  var status: Int32
  var stdout: String
  var stderr: String

  var output: String { stdout + stderr }
}

/// A private directory with a passphrase file and a vault path, and a way to run the real
/// `rdpvault` binary against them, in its own session so that it has no terminal.
final class Sandbox {
  static let binary: String = {
    let exe =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
    return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("rdpvault")
      .path
  }()

  static let passphrase = "correct horse battery staple"

  /// `RDPVAULT_E2E_AGENT=1` (scripts/test's second pass): every vault `initVault` makes is
  /// unlocked in an agent of the sandbox's own, so the same tests run through the agent.
  static let agentMode = ProcessInfo.processInfo.environment["RDPVAULT_E2E_AGENT"] == "1"

  let root: String
  var vault: String { root + "/data/vault.db" }
  var passphraseFile: String { root + "/passphrase" }

  init() {
    var template = Array((NSTemporaryDirectory() + "/rdpvault-e2e-XXXXXX").utf8CString)
    root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    write(Self.passphrase + "\n", to: passphraseFile)
    mkdir(runtimeDirectory, 0o700)
  }

  /// `XDG_RUNTIME_DIR` for every run: each sandbox has its own agent socket, and none of the
  /// user's.
  var runtimeDirectory: String { root + "/run" }

  deinit {
    if FileManager.default.fileExists(atPath: runtimeDirectory + "/rdpvault/agent.sock") {
      _ = run(["agent", "stop"], vaultEnvironment: false, timeout: 10)
    }
    try? FileManager.default.removeItem(atPath: root)
  }

  /// Writes a private (0600) file.
  @discardableResult
  func write(_ text: String, to path: String, mode: Int = 0o600) -> String {
    writeBytes(Array(text.utf8), to: path, mode: mode)
  }

  @discardableResult
  func writeBytes(_ bytes: [UInt8], to path: String, mode: Int = 0o600) -> String {
    let full = path.hasPrefix("/") ? path : root + "/" + path
    // O_CLOEXEC: a process another test starts meanwhile must not inherit the descriptor,
    // or running this file (a stand-in script) fails with "Text file busy" while it lives.
    let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(mode))
    guard fd >= 0 else {
      Issue.record("cannot write \(full): \(String(cString: strerror(errno)))")
      return full
    }
    fchmod(fd, mode_t(mode))
    let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    if written != bytes.count { Issue.record("short write to \(full)") }
    close(fd)
    return full
  }

  /// Starts `rdpvault ARGS` and returns at once; `finish` waits and collects the output.
  /// `launcher` runs before the binary (`prlimit --core=unlimited --`), execing it in place.
  func start(
    _ arguments: [String], environment extra: [String: String] = [:], output: String? = nil,
    launcher: [String] = []
  ) throws -> Child {
    let log = output ?? root + "/.bg-out"
    var environment = [
      "PATH": "/usr/bin:/bin", "HOME": root, "LANG": "C.UTF-8", "XDG_RUNTIME_DIR": runtimeDirectory,
      "RDPVAULT_AGENT_SOCKET": runtimeDirectory + "/rdpvault/agent.sock",
    ]
    environment["RDPVAULT_PATH"] = vault
    environment["RDPVAULT_PASSPHRASE_FILE"] = passphraseFile
    environment.merge(extra) { $1 }
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    let command = launcher + [Self.binary] + arguments
    return try Child(
      command[0], Array(command.dropFirst()), environment: environment, directory: root,
      stdout: log, stderr: log)
  }

  func finish(_ process: Child, timeout: TimeInterval = 60, output: String? = nil) -> Run {
    let status = process.wait(timeout: timeout, what: "a background rdpvault")
    return Run(
      status: status, stdout: "",
      stderr: (try? String(contentsOfFile: output ?? root + "/.bg-out", encoding: .utf8)) ?? "")
  }

  /// Runs `rdpvault ARGS` with `--vault` and `--passphrase-file` given through the
  /// environment (as a user would set them), `stdin` as standard input, in a session of its
  /// own without a terminal. A run past `timeout` is killed, with its process group.
  /// `stdout`, when given, is where standard output goes instead (a device such as
  /// /dev/full); the result's `stdout` is then empty.
  func run(
    _ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:],
    vaultEnvironment: Bool = true, timeout: TimeInterval = 60, stdout stdoutPath: String? = nil
  ) -> Run {
    var environment = [
      "PATH": "/usr/bin:/bin", "HOME": root, "LANG": "C.UTF-8", "XDG_RUNTIME_DIR": runtimeDirectory,
      "RDPVAULT_AGENT_SOCKET": runtimeDirectory + "/rdpvault/agent.sock",
    ]
    if vaultEnvironment {
      environment["RDPVAULT_PATH"] = vault
      environment["RDPVAULT_PASSPHRASE_FILE"] = passphraseFile
      // Through the agent, a command that opens its vault itself has no passphrase to read
      // (unless the test gives one): the suite then proves the agent served it.
      if Self.agentMode && unlocked && !Self.passphraseCommands.contains(arguments.first ?? "") {
        environment["RDPVAULT_PASSPHRASE_FILE"] = ""
      }
    }
    environment.merge(extra) { $1 }
    let out = stdoutPath ?? root + "/.stdout"
    let err = root + "/.stderr"
    let input = root + "/.stdin"
    if stdoutPath == nil { _ = FileManager.default.createFile(atPath: out, contents: nil) }
    _ = FileManager.default.createFile(atPath: err, contents: nil)
    if let stdin { write(stdin, to: input) }
    defer { try? FileManager.default.removeItem(atPath: input) }
    let child: Child
    do {
      child = try Child(
        Self.binary, arguments, environment: environment, directory: root,
        stdin: stdin == nil ? nil : input,
        stdout: out, stderr: err)
    } catch {
      Issue.record("cannot start \(Self.binary): \(error)")
      return Run(status: -1, stdout: "", stderr: "")
    }
    let status = child.wait(timeout: timeout, what: "rdpvault \(arguments)")
    let result = Run(
      status: status,
      stdout: stdoutPath != nil ? "" : (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
      stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    if child.timedOut {
      Issue.record(
        "output of the killed rdpvault \(arguments):\n\(result.stdout)\n\(result.stderr)")
    }
    return result
  }

  /// Commands that read the passphrase whatever the agent holds.
  static let passphraseCommands: Set<String> = ["init", "passwd", "unlock"]
  /// True once `initVault` unlocked the vault in the agent (agent mode only).
  private(set) var unlocked = false

  /// `rdpvault init` with the fast (INTERACTIVE) preset; tests must not wait on MODERATE.
  func initVault() {
    let result = run(["init", "--kdf", "interactive"])
    #expect(result.status == 0, "init failed: \(result.stderr)")
    if Self.agentMode {
      let unlock = run(["unlock"])
      #expect(unlock.status == 0, "unlock failed: \(unlock.stderr)")
      unlocked = true
    }
  }

  /// A bundle of `name` from this vault ("alice") to `receiver` ("bob"), after each pinned
  /// the other: what a teammate would send.
  func export(_ name: String, to receiver: Sandbox) -> String {
    let receiverID = receiver.run(["identity"]).stdout.split(separator: "\n")[0]
    let senderID = run(["identity"]).stdout.split(separator: "\n")[0]
    #expect(run(["teammate", "add", "bob", String(receiverID)]).status == 0)
    #expect(receiver.run(["teammate", "add", "alice", String(senderID)]).status == 0)
    let bundle = root + "/\(name).rdpv"
    #expect(run(["export", name, "--to", "bob", "-o", bundle]).status == 0)
    return bundle
  }

  /// The words bash reads from a command line rdpvault printed (a hint's `rdpvault …`), so
  /// a test runs it exactly as a user who pastes it would.
  static func wordsAsBashReadsThem(_ command: String) throws -> [String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", "printf '%s\\0' " + command]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return output.split(separator: 0, omittingEmptySubsequences: false).dropLast()
      .map { String(decoding: $0, as: UTF8.self) }
  }

  /// The vault file's bytes and its sidecars', to prove a command changed nothing.
  func snapshot() -> [String: Data] {
    var files: [String: Data] = [:]
    for suffix in ["", "-journal", "-wal", "-shm"] {
      if let data = FileManager.default.contents(atPath: vault + suffix) { files[suffix] = data }
    }
    return files
  }
}
