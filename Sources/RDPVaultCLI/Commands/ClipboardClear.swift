import ArgumentParser
import Foundation
import VaultCrypto
import VaultKit

#if canImport(Glibc)
  import Glibc
#endif

extension Clipboard.Tool: ExpressibleByArgument {}

extension RDPVault {
  /// `password --clip`'s clearer: a process of its own, so the command returns at once.
  struct ClipboardClear: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "clipboard-clear",
      abstract: "Clear the clipboard later if it still holds the secret given on stdin.",
      discussion: "Started by password --clip; not for use by hand.",
      shouldDisplay: false)

    @Option var tool: Clipboard.Tool
    @Option var after: Int

    /// The environment the clipboard tools need, and nothing else.
    static let passedVariables = [
      "PATH", "HOME", "DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR",
    ]

    /// Starts the clearer, in a session of its own (Ctrl-C in the terminal does not stop
    /// it), with the password on its stdin: never in its arguments or environment.
    static func schedule(
      _ clipboard: Clipboard, after seconds: Int, password: borrowing SecretBytes
    )
      throws
    {
      let environment = ProcessInfo.processInfo.environment.filter {
        passedVariables.contains($0.key)
      }
      let input = try password.withUnsafeBytes { try SecretBytes(copying: $0) }
      let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
      _ = try Launcher.startDetached(
        executable,
        arguments: [
          "clipboard-clear", "--tool", clipboard.tool.rawValue, "--after", String(seconds),
        ],
        environment: environment, stdin: consume input)
    }

    func run() throws {
      let secret = try SecretInput.readAll(fd: 0, what: "password")
      close(0)
      var request = timespec(tv_sec: after, tv_nsec: 0)
      var remaining = timespec()
      while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
      let clipboard = try Clipboard(tool: tool, environment: ProcessInfo.processInfo.environment)
      if clipboard.holds(secret) { try clipboard.clear() }
    }
  }
}
