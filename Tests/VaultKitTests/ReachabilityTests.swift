import Foundation
import Testing

@testable import VaultKit

/// The check before connecting gives up after 3 s on a port that does not answer (SECURITY.md
/// and README promise it), here a loopback listener whose accept queue is full, so the
/// kernel drops further connection attempts as a filtering firewall would.
struct ReachabilityTests {
  @Test func aPortThatDoesNotAnswerTimesOutInThreeSeconds() throws {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #expect(listener >= 0)
    defer { close(listener) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
    }
    #expect(listen(listener, 0) == 0)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
    }
    let port = Int(UInt16(bigEndian: address.sin_port))
    // Fill the accept queue with connections nobody accepts.
    var fillers: [Int32] = []
    defer { for fd in fillers { close(fd) } }
    for _ in 0..<8 {
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
      _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
      }
      fillers.append(fd)
    }
    usleep(200_000)
    let started = Date()
    let result = Reachability.check(host: "127.0.0.1", port: port)
    let elapsed = Date().timeIntervalSince(started)
    #expect(result == .timedOut(address: "127.0.0.1:\(port)"))
    #expect(elapsed >= 2.5 && elapsed < 6, "gave up after \(elapsed) s")
  }

  /// The verdict `check` and `connect` report: each outcome becomes its own error, naming the
  /// VM's host and port.
  @Test func theVerdictNamesTheCause() throws {
    // Closed once, below.
    let (listener, _, port) = loopbackSocket(backlog: 8)
    let open = Profile(
      name: "web-01", host: "127.0.0.1", port: port, computerName: "WEB-01", kind: .local)
    #expect(try Reachability.probe(open) == "127.0.0.1:\(port)")
    close(listener)
    #expect(throws: VaultError.refused(host: "127.0.0.1", port: port)) {
      try Reachability.probe(open)
    }
    let nowhere = Profile(
      name: "web-02", host: "no-such-host.invalid", computerName: "WEB-02", kind: .local)
    #expect { try Reachability.probe(nowhere) } throws: { error in
      if case VaultError.unresolvable(let host, _) = error {
        host == "no-such-host.invalid"
      } else {
        false
      }
    }
  }
}
