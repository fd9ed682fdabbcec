import Foundation
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The child `connect` is waiting for, for the signal handler, which cannot capture context.
nonisolated(unsafe) var currentChild: pid_t = 0
nonisolated(unsafe) var receivedSignal: Int32 = 0

private let forwardSignal: @convention(c) (Int32) -> Void = { signal in
  receivedSignal = signal
  if currentChild > 0 { kill(currentChild, signal) }
}

/// Runs a launch plan: a private directory for its files, the steps in order, the password
/// only ever written into pipes, SIGINT/SIGTERM/SIGHUP forwarded to the running step, and
/// everything removed on every way out.
public enum Launcher {
  static let forwardedSignals = [SIGINT, SIGTERM, SIGHUP]

  /// SIGINT, SIGTERM and SIGHUP caught (recorded, and forwarded to a running step) instead of
  /// ending the process, until `restore()`: what `connect` started before the client (a
  /// tunnel) can then be stopped however the command is stopped.
  public struct SignalScope {
    let previous: [Int32: sigaction]

    public func restore() {
      for (signal, old) in previous {
        var action = old
        sigaction(signal, &action, nil)
      }
    }
  }

  public static func catchSignals() -> SignalScope {
    var previous: [Int32: sigaction] = [:]
    for signal in forwardedSignals {
      var action = sigaction()
      #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = forwardSignal
      #else
        action.__sigaction_u.__sa_handler = forwardSignal
      #endif
      sigemptyset(&action.sa_mask)
      var old = sigaction()
      sigaction(signal, &action, &old)
      previous[signal] = old
    }
    return SignalScope(previous: previous)
  }

  /// The signal caught since `catchSignals`, or 0.
  public static var signalReceived: Int32 { receivedSignal }

  /// How the client ended.
  public struct Outcome: Equatable, Sendable {
    /// The exit status; 128 + N when signal N ended it.
    public var status: Int32
    /// The signal that ended the client, if one did.
    public var signal: Int32?
    /// The client's own non-zero status when it logged its sign-in marker (the status is
    /// then 0).
    public var signedInDespiteStatus: Int32?
    /// What its log said that explains a failure.
    public var findings: Set<ClientFinding> = []
  }

  /// Runs the plan and returns how the client ended.
  public static func run(
    _ plan: LaunchPlan, password: borrowing SecretBytes, environment: [String: String]
  ) throws -> Outcome {
    let directory = try makePrivateDirectory(environment: environment)
    let signals = catchSignals()
    // The parent may have these blocked (a test runner's thread, a supervisor): unblock them.
    var unblock = sigset_t()
    sigemptyset(&unblock)
    for signal in forwardedSignals { sigaddset(&unblock, signal) }
    var oldMask = sigset_t()
    sigprocmask(SIG_UNBLOCK, &unblock, &oldMask)
    let oldPipeHandler = Glibc.signal(SIGPIPE, SIG_IGN)
    receivedSignal = 0
    defer {
      signals.restore()
      Glibc.signal(SIGPIPE, oldPipeHandler)
      sigprocmask(SIG_SETMASK, &oldMask, nil)
      currentChild = 0
      try? FileManager.default.removeItem(atPath: directory)
    }

    let childEnvironment = environment.filter { !$0.key.hasPrefix("RDPVAULT_") }
    for file in plan.files {
      let contents = try file.contents.assemble(password: password)
      try writePrivate(contents, to: directory + "/" + file.name)
    }

    var clientStatus = Outcome(status: 0)
    var failure: Error?
    for step in plan.steps where step.role != .cleanup {
      if receivedSignal != 0 {
        clientStatus = Outcome(status: 128 + receivedSignal, signal: receivedSignal)
        break
      }
      do {
        let outcome = try runStep(
          step, password: password, directory: directory, environment: childEnvironment)
        if step.role == .client {
          clientStatus = outcome
        } else if outcome.status != 0 {
          failure = VaultError.launchFailed(program: step.program, status: outcome.status)
          break
        }
      } catch {
        failure = error
        break
      }
    }
    if let seconds = plan.clearClipboardAfter, failure == nil {
      let deadline = Date().addingTimeInterval(TimeInterval(seconds))
      while Date() < deadline && receivedSignal == 0 { usleep(100_000) }
    }
    for step in plan.steps where step.role == .cleanup {
      _ = try? runStep(
        step, password: password, directory: directory, environment: childEnvironment)
    }
    if let failure { throw failure }
    return clientStatus
  }

  /// Runs one step to its end.
  static func runStep(
    _ step: LaunchStep, password: borrowing SecretBytes, directory: String,
    environment: [String: String]
  ) throws -> Outcome {
    let arguments = step.arguments.map { $0.replacingOccurrences(of: "{tmp}", with: directory) }
    let input: SecretBytes? = try step.stdin.map { try $0.assemble(password: password) }
    guard step.watchesOutput else {
      return wait(
        for: try spawn(step.program, arguments: arguments, environment: environment, stdin: input)
          .pid)
    }
    let (pid, output) = try spawn(
      step.program, arguments: arguments, environment: environment, stdin: input,
      captureOutput: true)
    let findings = step.findings.sorted { $0.key.rawValue < $1.key.rawValue }
    let markers =
      findings.map { Array($0.value.utf8) } + (step.signInMarker.map { [Array($0.utf8)] } ?? [])
    let seen = relay(output, to: 2, watchingFor: markers, child: pid)
    close(output)
    var outcome = wait(for: pid)
    outcome.findings = Set(findings.indices.filter { seen.contains($0) }.map { findings[$0].key })
    if step.signInMarker != nil, seen.contains(markers.count - 1), outcome.signal == nil,
      outcome.status != 0
    {
      outcome = Outcome(
        status: 0, signedInDespiteStatus: outcome.status, findings: outcome.findings)
    }
    return outcome
  }

}
