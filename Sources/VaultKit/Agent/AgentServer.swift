import CSystem
import Foundation
import GRDB
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// Set from the signal handler: SIGTERM, SIGINT or SIGHUP asked the agent to stop.
nonisolated(unsafe) private var agentStopRequested: Int32 = 0
nonisolated(unsafe) private var agentWakeFD: Int32 = -1

private let agentStopSignal: @convention(c) (Int32) -> Void = { _ in
  agentStopRequested = 1
  var byte: UInt8 = 1
  _ = write(agentWakeFD, &byte, 1)
}

/// The agent: holds vaults unlocked for a working session and serves their `VaultService`
/// operations to the user's own commands over a Unix socket. It is the same `Vault` code as a
/// command runs in-process; the vault key never leaves this process.
///
/// One thread accepts connections and locks vaults whose idle time ran out (it sleeps in
/// `poll` until the next deadline: no polling); each connection gets a thread of its own, and
/// the vaults are used one request at a time.
public final class AgentServer: @unchecked Sendable {
  /// One unlocked vault.
  struct Held {
    let vault: Vault
    let timeout: Int
    var lastUsed: Date
    /// The file it was opened from, and the header's key wrap then: a file replaced or
    /// re-keyed under the agent locks the vault instead of being served.
    let device: UInt64
    let inode: UInt64
    let header: [UInt8]
    /// The last listing and the change mark it was made at: `list` again on an unchanged
    /// vault costs no decryption. Names, hosts and settings, never a password.
    var list: (mark: ChangeMark, key: ListKey, bytes: [UInt8])?

    var locksAt: Date { lastUsed.addingTimeInterval(TimeInterval(timeout)) }
  }

  /// The idle times an unlock may ask for, in seconds.
  public static let timeouts = 1...86_400
  /// An hour without use, as rbw's `lock_timeout`: a working session's pauses (a meeting, a
  /// meal) lock it, and a day of connects costs a few passphrases instead of forty.
  public static let defaultTimeout = 3600

  let socketPath: String
  var held: [String: Held] = [:]
  private let mutex = NSLock()
  private var wake: (read: Int32, write: Int32) = (-1, -1)
  private var stopping = false

  public init(socketPath: String) {
    self.socketPath = socketPath
  }

  /// No core dumps, no ptrace by other processes of the user, no memory another process of
  /// the user can read through /proc (`ProcessHardening`, as every command has, applied here
  /// again so no way of starting the agent misses it): gpg-agent's protections. The Swift
  /// runtime's crash handler, which would print registers and memory from a crash (and takes
  /// its time doing so), is replaced by the kernel's default: the agent just dies.
  public static func harden() {
    ProcessHardening.apply()
    for crash in [SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, SIGTRAP] { signal(crash, SIG_DFL) }
  }

  /// Listens until stopped. Throws when the socket cannot be made, or another agent already
  /// answers on it.
  public func run() throws {
    Self.harden()
    signal(SIGPIPE, SIG_IGN)
    let directory = AgentSocket.parentDirectory(socketPath)
    try AgentSocket.prepareDirectory(directory)
    if let other = AgentSocket.connect(socketPath, timeout: 2) {
      close(other)
      throw VaultError.fileSystem(path: socketPath, reason: "an agent already listens there")
    }
    // Nothing answered: a socket left there is a killed agent's, and is replaced.
    unlink(socketPath)
    let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard listener >= 0 else {
      throw VaultError.fileSystem(path: socketPath, reason: String(cString: strerror(errno)))
    }
    defer { close(listener) }
    var address = try AgentSocket.address(socketPath)
    let oldMask = umask(0o177)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    umask(oldMask)
    guard bound == 0, listen(listener, 64) == 0 else {
      throw VaultError.fileSystem(path: socketPath, reason: String(cString: strerror(errno)))
    }
    defer { unlink(socketPath) }
    var pipeFDs: [Int32] = [-1, -1]
    guard pipe(&pipeFDs) == 0 else {
      throw VaultError.fileSystem(path: "pipe", reason: String(cString: strerror(errno)))
    }
    for fd in pipeFDs {
      _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
      _ = fcntl(fd, F_SETFL, O_NONBLOCK)
    }
    wake = (pipeFDs[0], pipeFDs[1])
    agentWakeFD = pipeFDs[1]
    for signalNumber in [SIGTERM, SIGINT, SIGHUP] { signal(signalNumber, agentStopSignal) }
    while agentStopRequested == 0 && !isStopping {
      var fds = [
        pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
        pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0),
      ]
      let ready = poll(&fds, 2, lockExpired())
      if ready < 0 && errno != EINTR { break }
      if fds[1].revents != 0 {
        var drain = [UInt8](repeating: 0, count: 64)
        while read(wake.read, &drain, drain.count) > 0 {}
      }
      if fds[0].revents & Int16(POLLIN) != 0 {
        let connection = csystem_accept_cloexec(listener)
        if connection < 0 { continue }
        // Another user's process is refused before it can say anything.
        guard AgentSocket.peerUID(connection) == getuid() else {
          close(connection)
          continue
        }
        AgentSocket.setTimeout(connection, seconds: 30)
        Thread.detachNewThread { [self] in
          serve(connection)
          close(connection)
        }
      }
    }
    lockAll()
  }

  private var isStopping: Bool {
    mutex.lock()
    defer { mutex.unlock() }
    return stopping
  }

  private func wakeUp() {
    var byte: UInt8 = 1
    _ = write(wake.write, &byte, 1)
  }

  /// Locks every vault whose idle time ran out; returns the milliseconds until the next
  /// deadline, or -1 (sleep until a connection) when nothing is unlocked.
  private func lockExpired() -> Int32 {
    mutex.lock()
    defer { mutex.unlock() }
    let now = Date()
    for (path, entry) in held where entry.locksAt <= now { held[path] = nil }
    guard let next = held.values.map(\.locksAt).min() else { return -1 }
    return Int32(min(max(next.timeIntervalSince(now) * 1000, 1), 3_600_000)) + 1
  }

  private func lockAll() {
    mutex.lock()
    held.removeAll()
    mutex.unlock()
  }

  // MARK: Serving one connection

  private func serve(_ fd: Int32) {
    let decoder = JSONDecoder()
    while let frame = AgentFrame.read(from: fd) {
      let reply: AgentFrame
      var stop = false
      do {
        let request = try decoder.decode(AgentRequest.self, from: Data(frame.json))
        if case .stop = request { stop = true }
        reply = handle(request, secret: frame.secret, connection: fd)
      } catch {
        reply = Self.encode(
          AgentReply<Nothing>.failed(.agentFailed(reason: "a request it could not read")))
      }
      let written = reply.write(to: fd)
      // `stop` is answered first, then the agent ends: the command hears that it did.
      if stop {
        mutex.lock()
        stopping = true
        mutex.unlock()
        wakeUp()
      }
      guard written else { return }
    }
  }

  static func encode<Value: Codable>(
    _ reply: AgentReply<Value>, secret: consuming SecretBytes? = nil
  ) -> AgentFrame {
    let json =
      (try? JSONEncoder().encode(reply)).map(Array.init)
      ?? Array(#"{"failed":{"_0":{"agentFailed":{"reason":"an answer it could not write"}}}}"#.utf8)
    return AgentFrame(json: json, secret: secret)
  }

  static func failure(_ error: Error) -> AgentFrame {
    encode(AgentReply<Nothing>.failed(asVaultError(error)))
  }

  /// Errors cross as `VaultError`s; anything else is named in one.
  static func asVaultError(_ error: Error) -> VaultError {
    switch error {
    case let error as VaultError: error
    case let error as CryptoError: .agentFailed(reason: "\(error)")
    default: .database(detail: "\(error)")
    }
  }

  private func handle(_ request: AgentRequest, secret: consuming SecretBytes?, connection: Int32)
    -> AgentFrame
  {
    switch request {
    case .status(let path):
      return Self.encode(AgentReply.ok(status(path)))
    case .unlock(let path, let timeout):
      guard let passphrase = secret else {
        return Self.failure(VaultError.emptyPassphrase)
      }
      return unlock(path, passphrase: passphrase, timeout: timeout)
    case .lock(let path):
      mutex.lock()
      let paths = path.map { held[$0] == nil ? [] : [$0] } ?? Array(held.keys).sorted()
      if let path { held[path] = nil } else { held.removeAll() }
      mutex.unlock()
      wakeUp()
      return Self.encode(AgentReply.ok(paths))
    case .stop:
      // Everything locks now; the agent ends once the answer is written (`serve`).
      mutex.lock()
      held.removeAll()
      mutex.unlock()
      return Self.encode(AgentReply.ok(Nothing()))
    case .call(let path, let call):
      mutex.lock()
      defer { mutex.unlock() }
      guard var entry = held[path] else { return Self.encode(AgentReply<Nothing>.locked) }
      guard Self.stillTheSame(entry, path: path) else {
        held[path] = nil
        return Self.encode(AgentReply<Nothing>.locked)
      }
      entry.lastUsed = Date()
      held[path] = entry
      switch call {
      case .profilesPacked(let withSettings):
        return cachedList(path, .packed(withSettings: withSettings))
      case .listJSON(let filter): return cachedList(path, .json(filter))
      default: break
      }
      // At most a progress frame every 50 ms: the command redraws its line, no more.
      var lastProgress = Date.distantPast
      return AgentDispatch.perform(call, on: entry.vault, secret: secret) { done, total in
        let now = Date()
        guard done == total || now.timeIntervalSince(lastProgress) > 0.05 else { return }
        lastProgress = now
        _ = Self.encode(AgentReply<Nothing>.progress(done: done, total: total)).write(
          to: connection)
      }
    }
  }

  private func status(_ path: String) -> AgentStatus {
    mutex.lock()
    defer { mutex.unlock() }
    if let entry = held[path], !Self.stillTheSame(entry, path: path) { held[path] = nil }
    let entry = held[path]
    return AgentStatus(
      path: path, unlocked: entry != nil,
      locksAt: entry.map { Int64($0.locksAt.timeIntervalSince1970) }, timeout: entry?.timeout,
      agentPID: getpid())
  }

  private func unlock(_ path: String, passphrase: consuming SecretBytes, timeout: Int)
    -> AgentFrame
  {
    do {
      guard Self.timeouts.contains(timeout) else {
        throw VaultError.invalidField(
          field: "timeout", value: "\(timeout) s", rule: "from 1 second to 24 hours")
      }
      let file = try Self.fileIdentity(path)
      // The key derivation runs outside the lock: other vaults stay served meanwhile.
      let vault = try Vault.open(at: path, passphrase: passphrase)
      let header = try Self.headerFingerprint(vault)
      mutex.lock()
      held[path] = Held(
        vault: vault, timeout: timeout, lastUsed: Date(), device: file.device, inode: file.inode,
        header: header)
      mutex.unlock()
      wakeUp()
      return Self.encode(
        AgentReply.ok(
          UnlockReply(status: status(path), upgradedFromFormat: vault.upgradedFromFormat)))
    } catch {
      return Self.failure(error)
    }
  }
}
