import CSystem
import Foundation
import VaultCrypto
import VaultKit

#if canImport(Glibc)
  import Glibc
#endif

enum Output {
  /// The first error a write to the output met (a full disk, an I/O error): the command
  /// then fails at its end (`finish`) instead of exiting 0 with its output cut short. A
  /// closed pipe (`rdpvault list | head`) ends the process with SIGPIPE, as for any Unix
  /// tool: at once, or in `finish` when whoever started it ignored SIGPIPE.
  nonisolated(unsafe) private static var writeError: Int32?

  /// Writes a secret and a newline straight to stdout with write(2): no String, no buffer.
  static func writeSecretLine(_ secret: borrowing SecretBytes) {
    fflush(nil)
    secret.withUnsafeBytes { bytes in writeAll(1, bytes) }
    [UInt8(0x0A)].withUnsafeBytes { writeAll(1, $0) }
  }

  static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
    guard writeError == nil else { return }
    writeError = Launcher.writeAll(fd, bytes)
  }

  /// The exit status after a command that would exit with `status`: stdout is flushed, and
  /// a write that failed, now or before, is reported and fails the command.
  static func finish(_ status: Int32) -> Int32 {
    let flushed = csystem_flush_stdout()
    guard let error = writeError ?? (flushed == 0 ? nil : flushed) else { return status }
    // stdio may have lost the errno of a write that failed: ask the pipe itself.
    if error == EPIPE || (error < 0 && readerIsGone) { endAsAClosedPipe() }
    Diagnostics.error(
      error < 0
        ? "cannot write the output (a write to it failed)"
        : "cannot write the output: \(String(cString: strerror(error)))",
      hint: error == ENOSPC ? "free some space, or write somewhere else" : nil)
    return status == 0 ? 1 : status
  }

  /// How many spans one writev(2) takes here: IOV_MAX (1024 on Linux and macOS), or POSIX's
  /// least, 16, when the system does not say.
  static let spansPerWrite: Int = {
    let max = sysconf(Int32(_SC_IOV_MAX))
    return max >= 16 ? min(max, 1 << 16) : 16
  }()

  /// Whether nobody reads the output any more: a pipe or socket whose reader went away.
  private static var readerIsGone: Bool {
    var output = pollfd(fd: 1, events: Int16(POLLOUT), revents: 0)
    return poll(&output, 1, 0) == 1 && output.revents & Int16(POLLERR | POLLHUP) != 0
  }

  /// Ends the process as SIGPIPE ends a tool whose reader went away: quietly, with the
  /// status a shell shows as 141, whether or not SIGPIPE was ignored or blocked when this
  /// process started (git does the same). Nothing was lost: the reader wanted no more.
  private static func endAsAClosedPipe() -> Never {
    signal(SIGPIPE, SIG_DFL)
    var pipeSignal = sigset_t()
    sigemptyset(&pipeSignal)
    sigaddset(&pipeSignal, SIGPIPE)
    pthread_sigmask(SIG_UNBLOCK, &pipeSignal, nil)
    raise(SIGPIPE)
    exit(128 + SIGPIPE)
  }

  /// The JSON array span by span with writev(2), as many spans per call as the system takes;
  /// a short write goes on from where it stopped. Like `writeAll`, it stops at an error and
  /// keeps it for `finish`.
  static func writeAll(_ fd: Int32, _ listed: ListedJSON) {
    fflush(nil)
    listed.forEachRun(limit: spansPerWrite) { spans in
      guard writeError == nil else { return }
      var vectors = spans.map {
        iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count)
      }
      var first = 0
      while first < vectors.count {
        let written = vectors.withUnsafeMutableBufferPointer {
          writev(fd, $0.baseAddress! + first, Int32($0.count - first))
        }
        if written < 0 {
          if errno == EINTR { continue }
          writeError = errno
          return
        }
        let before = first
        var left = written
        while first < vectors.count, left >= vectors[first].iov_len {
          left -= vectors[first].iov_len
          first += 1
        }
        if left > 0 {
          vectors[first].iov_base = vectors[first].iov_base! + left
          vectors[first].iov_len -= left
        } else if written == 0 && first == before {
          writeError = EIO  // nothing taken, nothing to retry
          return
        }
      }
    }
  }

  /// host:port as a user types it, with IPv6 in brackets.
  static func address(_ profile: Profile) -> String {
    address(host: profile.host, port: profile.port)
  }

  static func address(host: String, port: Int) -> String {
    "\(Validation.isIPv6(host) ? "[\(host)]" : host):\(port)"
  }

  /// Text for the terminal: any control character, escape, line break or bidirectional
  /// override (which input checks refuse, but an older vault may hold) shown as `\u{…}`.
  static func printable(_ text: String) -> String { Validation.escapedForDisplay(text) }

  /// A left-aligned text table, every cell printable.
  static func table(_ header: [String], _ rows: [[String]]) -> String {
    let all = [header] + rows.map { $0.map(printable) }
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    return all.map { row in
      row.enumerated().map { index, cell in
        index == row.count - 1
          ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
      }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }.joined(separator: "\n")
  }
}

/// The JSON shape of a profile in `list --json` and `show --json`, documented in the README.
struct ProfileJSON: Encodable {
  var name: String
  var host: String
  var port: Int
  var computerName: String
  var kind: String
  var signInName: String
  var user: String
  var domain: String
  var domainAdmin: Bool
  var tags: [String]
  var resourceGroup: String
  var subscription: String
  var note: String
  var settings: [String: String]?
  var extraLines: [String]?
  var options: [String: String]?

  enum CodingKeys: String, CodingKey {
    case name, host, port, kind, user, domain, tags, note, settings, options
    case computerName = "computer_name"
    case signInName = "sign_in_name"
    case domainAdmin = "domain_admin"
    case resourceGroup = "resource_group"
    case subscription
    case extraLines = "extra_lines"
  }

  init(_ entry: ProfileEntry, withSettings: Bool) {
    let profile = entry.profile
    name = profile.name
    host = profile.host
    port = profile.port
    computerName = profile.computerName
    kind = profile.kind.rawValue
    signInName = entry.signInName
    user = entry.account.userName
    domain = Self.domain(entry)
    domainAdmin = entry.account.isDomainAdmin
    tags = profile.tags
    resourceGroup = profile.resourceGroup
    subscription = profile.subscription
    note = profile.note
    if withSettings {
      settings = profile.settings.values
      extraLines = profile.settings.extraLines
      options = profile.settings.shownOptions
    }
  }

  /// A local account's domain is its VM's computer name.
  static func domain(_ entry: ProfileEntry) -> String {
    entry.account.signsInOnComputer ? entry.profile.computerName : entry.account.domain
  }
}
