import Foundation
import Testing

/// A real RDP server on loopback for the tests: FreeRDP's shadow server under Xvfb, with NLA
/// and an NTLM SAM file made by winpr-hash. Everything is started here and stopped by
/// `stop()`; `timeout` bounds every process in case a test dies before that.
final class RDPServer {
  struct User {
    var name: String
    var domain: String
    var password: String
  }

  let root: String
  let display: String
  let host: String
  let port: Int
  private var processes: [Process] = []

  /// Starts Xvfb and the shadow server, retrying the server a few times (on a new display
  /// when it could not open its own): it sometimes fails to attach to a display that has
  /// just started.
  init(users: [User], host: String = "127.0.0.1") throws {
    var template = Array((NSTemporaryDirectory() + "/rdpvault-rdp-XXXXXX").utf8CString)
    root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    self.host = host
    var sam = ""
    for user in users {
      // A UPN account (user@domain) has no separate domain.
      let domain = user.domain.isEmpty ? [] : ["-d", user.domain]
      sam += try Self.output(
        Self.hashTool, ["-u", user.name, "-p", user.password] + domain + ["-f", "sam"])
    }
    _ = FileManager.default.createFile(atPath: root + "/sam", contents: Data(sam.utf8))

    var (xvfb, display) = try Self.startXvfb()

    var started: (Process, Int)?
    for _ in 0..<5 where started == nil {
      let port = try Self.freePort(host: host)
      let shadow = Process()
      shadow.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
      shadow.arguments = [
        "600", Self.shadowServer, "/bind-address:\(host)", "/port:\(port)", "/sec:nla",
        "/sam-file:\(root)/sam",
      ]
      shadow.environment = ["DISPLAY": display, "HOME": root, "PATH": "/usr/bin:/bin"]
      _ = FileManager.default.createFile(atPath: root + "/shadow.log", contents: nil)
      shadow.standardOutput = FileHandle(forWritingAtPath: root + "/shadow.log")
      shadow.standardError = shadow.standardOutput
      try shadow.run()
      let deadline = Date().addingTimeInterval(10)
      while Date() < deadline && shadow.isRunning && !Self.accepts(host: host, port: port) {
        usleep(50_000)
      }
      if shadow.isRunning && Self.accepts(host: host, port: port) {
        started = (shadow, port)
      } else {
        kill(-shadow.processIdentifier, SIGKILL)
        shadow.waitUntilExit()
        // A display the server cannot open (seen on a loaded machine) is not coming back:
        // the next try gets a new one.
        let log = (try? String(contentsOfFile: root + "/shadow.log", encoding: .utf8)) ?? ""
        if !xvfb.isRunning || log.contains("failed to open display") {
          Self.stopXvfb(xvfb)
          (xvfb, display) = try Self.startXvfb()
        }
        usleep(300_000)
      }
    }
    guard let (shadow, port) = started else {
      kill(-xvfb.processIdentifier, SIGKILL)
      xvfb.waitUntilExit()
      let log = (try? String(contentsOfFile: root + "/shadow.log", encoding: .utf8)) ?? ""
      throw ServerError.failed("\(Self.shadowServer) did not start: \(log)")
    }
    processes.append(xvfb)
    self.display = display
    processes.append(shadow)
    self.port = port

  }

  enum ServerError: Error { case failed(String) }

  /// The SHA-256 of the server's certificate (DER), as hex: what a user pins.
  func certificateSHA256() throws -> String {
    let candidates = ["/.config/freerdp/shadow/shadow.crt", "/.config/freerdp3/shadow/shadow.crt"]
      .map { root + $0 }
    guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
      throw ServerError.failed("the shadow server wrote no certificate")
    }
    let pem = try String(contentsOfFile: path, encoding: .utf8)
    // FreeRDP 2 writes a NUL after the PEM: keep only the base64 between the markers.
    let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
      .filter { $0.isASCII && ($0.isLetter || $0.isNumber || "+/=".contains($0)) }
    guard let der = Data(base64Encoded: body) else {
      throw ServerError.failed("cannot read the certificate")
    }
    _ = FileManager.default.createFile(atPath: root + "/cert.der", contents: der)
    let output = try Self.output("/usr/bin/sha256sum", [root + "/cert.der"])
    return String(output.prefix(64))
  }

  /// A virtual X display of its own (under `timeout`, so it never outlives a test run by
  /// long): the process and the display's name, such as ":3".
  static func startXvfb() throws -> (Process, String) {
    let xvfb = Process()
    xvfb.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
    xvfb.arguments = [
      "600", "Xvfb", "-displayfd", "1", "-screen", "0", "800x600x24", "-nolisten", "tcp",
    ]
    let displayPipe = Pipe()
    xvfb.standardOutput = displayPipe
    xvfb.standardError = FileHandle(forWritingAtPath: "/dev/null")
    try xvfb.run()
    let number = String(decoding: displayPipe.fileHandleForReading.availableData, as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    guard !number.isEmpty else {
      xvfb.terminate()
      throw ServerError.failed("Xvfb did not report a display")
    }
    return (xvfb, ":" + number)
  }

  /// Ends an Xvfb from `startXvfb` (and what its `timeout` runs).
  static func stopXvfb(_ xvfb: Process) {
    kill(-xvfb.processIdentifier, SIGTERM)
    kill(xvfb.processIdentifier, SIGTERM)
    var status: Int32 = 0
    for _ in 0..<200 where waitpid(xvfb.processIdentifier, &status, WNOHANG) == 0 {
      usleep(10_000)
    }
  }

  /// SIGTERM, then SIGKILL after two seconds. `timeout` runs its command in its own process
  /// group, so signalling the group reaches the server too.
  func stop() {
    for process in processes.reversed() where process.isRunning {
      let group = process.processIdentifier
      kill(-group, SIGTERM)
      let deadline = Date().addingTimeInterval(2)
      while process.isRunning && Date() < deadline { usleep(20_000) }
      if process.isRunning { kill(-group, SIGKILL) }
      process.waitUntilExit()
    }
    processes.removeAll()
    try? FileManager.default.removeItem(atPath: root)
  }

  deinit { stop() }

  /// The FreeRDP clients the end-to-end tests run: those installed of FreeRDP 2 and both
  /// FreeRDP 3 clients, so the suite runs with either version or both
  /// (`ConnectTests.aFreeRDPClientIsInstalled` fails when there is none).
  static let clients = ["xfreerdp", "xfreerdp3", "sdl-freerdp3"].filter(installed)

  /// FreeRDP 2's shadow server and SAM tool, else FreeRDP 3's.
  static let shadowServer =
    installed("freerdp-shadow-cli") ? "freerdp-shadow-cli" : "freerdp-shadow-cli3"
  static let hashTool = installed("winpr-hash") ? "/usr/bin/winpr-hash" : "/usr/bin/winpr-hash3"

  static func installed(_ program: String) -> Bool {
    FileManager.default.isExecutableFile(atPath: "/usr/bin/\(program)")
  }

  /// Whether a client's `+auth-only` run signed in: FreeRDP 3.10 exits with a failure status
  /// even then, and logs the real result (FreeRDP issue 11430).
  static func signedIn(_ result: (status: Int32, log: String)) -> Bool {
    result.status == 0
      || result.log.contains("[freerdp_connect_begin]: Authentication only, exit status 1\n")
  }

  /// Runs a FreeRDP client (`program`) with `arguments` and `stdin`, on this server's display.
  func client(
    _ arguments: [String], stdin: String, program: String, timeout: TimeInterval = 60
  ) -> (status: Int32, log: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
    process.arguments = [String(Int(timeout)), program] + arguments
    process.environment = ["DISPLAY": display, "HOME": root, "PATH": "/usr/bin:/bin"]
    let input = Pipe()
    let output = root + "/client-\(UUID().uuidString).log"
    _ = FileManager.default.createFile(atPath: output, contents: nil)
    process.standardInput = input
    process.standardOutput = FileHandle(forWritingAtPath: output)
    process.standardError = process.standardOutput
    do { try process.run() } catch { return (-1, "\(error)") }
    input.fileHandleForWriting.write(Data(stdin.utf8))
    try? input.fileHandleForWriting.close()
    process.waitUntilExit()
    return (process.terminationStatus, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
  }

  static func output(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }

  /// A port nothing listens on right now.
  static func freePort(host: String) throws -> Int {
    let v6 = host.contains(":")
    let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var port = 0
    if v6 {
      var address = sockaddr_in6()
      address.sin6_family = sa_family_t(AF_INET6)
      inet_pton(AF_INET6, host, &address.sin6_addr)
      var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
      _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
      }
      _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
      }
      port = Int(UInt16(bigEndian: address.sin6_port))
    } else {
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      inet_pton(AF_INET, host, &address.sin_addr)
      var length = socklen_t(MemoryLayout<sockaddr_in>.size)
      _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
      }
      _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
      }
      port = Int(UInt16(bigEndian: address.sin_port))
    }
    guard port > 0 else { throw ServerError.failed("no free port") }
    return port
  }

  static func accepts(host: String, port: Int) -> Bool {
    let v6 = host.contains(":")
    let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    if v6 {
      var address = sockaddr_in6()
      address.sin6_family = sa_family_t(AF_INET6)
      address.sin6_port = UInt16(port).bigEndian
      inet_pton(AF_INET6, host, &address.sin6_addr)
      return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
      } == 0
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    inet_pton(AF_INET, host, &address.sin_addr)
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    } == 0
  }
}
