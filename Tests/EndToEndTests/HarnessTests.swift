import Foundation
import Testing

/// The harness itself cannot hang: a stuck child that ignores SIGTERM, and the grandchild it
/// started, are killed at the deadline and the test fails in seconds.
struct HarnessTests {
  @Test func aStuckChildAndItsGroupAreKilledAtTheDeadline() throws {
    let box = Sandbox()
    let marker = box.root + "/grandchild.pid"
    let child = try Child(
      "/bin/sh", ["-c", "trap '' TERM INT HUP; sleep 300 & echo $! > \(marker); wait"],
      environment: ["PATH": "/usr/bin:/bin"],
      stdout: box.root + "/out", stderr: box.root + "/err")
    let started = Date()
    withKnownIssue {
      _ = child.wait(timeout: 1, what: "a shell that ignores SIGTERM")
    }
    #expect(child.timedOut)
    #expect(Date().timeIntervalSince(started) < 10)
    let grandchild = try #require(
      pid_t(
        try String(contentsOfFile: marker, encoding: .utf8).trimmingCharacters(
          in: .whitespacesAndNewlines)))
    usleep(300_000)
    // Gone, or a zombie waiting for its new parent to reap it: not running either way.
    let stat = (try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8)) ?? ""
    let state = stat.split(separator: ")").last?.split(separator: " ").first
    #expect(stat.isEmpty || state == "Z", "the grandchild in the same group is gone: \(stat)")
  }

  @Test func childrenStartWithNoBlockedSignals() throws {
    let box = Sandbox()
    var blocked = sigset_t()
    sigemptyset(&blocked)
    sigaddset(&blocked, SIGTERM)
    var old = sigset_t()
    pthread_sigmask(SIG_BLOCK, &blocked, &old)
    defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
    let child = try Child(
      "/bin/sh", ["-c", "grep SigBlk /proc/self/status"], environment: ["PATH": "/usr/bin:/bin"],
      stdout: box.root + "/out", stderr: box.root + "/err")
    #expect(child.wait(timeout: 10, what: "grep") == 0)
    #expect(
      try String(contentsOfFile: box.root + "/out", encoding: .utf8)
        == "SigBlk:\t0000000000000000\n")
  }
}
