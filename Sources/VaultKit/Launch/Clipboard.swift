import Foundation
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// The desktop's clipboard, through the tool the session has: `wl-copy` and `wl-paste` under
/// Wayland, `xclip` or `xsel` under X11. A secret reaches the tool on its stdin, never in its
/// arguments or environment.
public struct Clipboard: Sendable {
  public enum Tool: String, Sendable, CaseIterable {
    case wlClipboard = "wl-copy"
    case xclip
    case xsel
  }

  public let tool: Tool
  /// The tool's path.
  public let program: String
  let environment: [String: String]

  /// The tool for this session: Wayland's when `WAYLAND_DISPLAY` is set and wl-copy is
  /// installed, else xclip or xsel when `DISPLAY` is set.
  public init(environment: [String: String]) throws {
    let tools: [Tool] =
      (environment["WAYLAND_DISPLAY"].map { !$0.isEmpty } ?? false ? [.wlClipboard] : [])
      + (environment["DISPLAY"].map { !$0.isEmpty } ?? false ? [.xclip, .xsel] : [])
    guard !tools.isEmpty else { throw VaultError.noClipboard(reason: .noDisplay) }
    for tool in tools {
      if let program = Launcher.findExecutable(tool.rawValue, environment: environment) {
        self.tool = tool
        self.program = program
        self.environment = environment.filter { !$0.key.hasPrefix("RDPVAULT_") }
        return
      }
    }
    throw VaultError.noClipboard(reason: .noTool(tools.map(\.rawValue)))
  }

  /// The same tool, found again by name on the same `PATH` (the clearer runs later).
  public init(tool: Tool, environment: [String: String]) throws {
    guard let program = Launcher.findExecutable(tool.rawValue, environment: environment) else {
      throw VaultError.noClipboard(reason: .noTool([tool.rawValue]))
    }
    self.tool = tool
    self.program = program
    self.environment = environment.filter { !$0.key.hasPrefix("RDPVAULT_") }
  }

  var copyArguments: [String] {
    switch tool {
    case .wlClipboard: []
    case .xclip: ["-selection", "clipboard", "-in"]
    case .xsel: ["--clipboard", "--input"]  // the tool's own options
    }
  }

  /// The program and arguments that print the clipboard.
  var paste: (program: String, arguments: [String]) {
    switch tool {
    case .wlClipboard:
      (
        Launcher.findExecutable("wl-paste", environment: environment) ?? "wl-paste",
        ["--no-newline"]  // the tool's own options
      )
    case .xclip: (program, ["-selection", "clipboard", "-out"])
    case .xsel: (program, ["--clipboard", "--output"])  // the tool's own options
    }
  }

  /// Puts `secret` on the clipboard.
  public func copy(_ secret: borrowing SecretBytes) throws {
    let input = try secret.withUnsafeBytes { try SecretBytes(copying: $0) }
    let pid = try Launcher.spawn(
      program, arguments: copyArguments, environment: environment, stdin: consume input,
      discardOutput: true, newSession: true
    ).pid
    let status = Launcher.wait(for: pid).status
    if status != 0 { throw VaultError.launchFailed(program: program, status: status) }
  }

  /// Empties the clipboard.
  public func clear() throws {
    let pid: pid_t
    switch tool {
    case .wlClipboard:
      pid = try Launcher.spawn(
        program, arguments: ["--clear"], environment: environment, stdin: nil, discardOutput: true
      ).pid
    case .xsel:
      pid = try Launcher.spawn(
        program, arguments: ["--clipboard", "--clear"], environment: environment, stdin: nil,
        discardOutput: true
      ).pid
    case .xclip:
      // An empty selection: xclip serves nothing in place of the secret.
      pid = try Launcher.spawn(
        program, arguments: copyArguments, environment: environment,
        stdin: SecretBytes(capacity: 1),
        discardOutput: true, newSession: true
      ).pid
    }
    let status = Launcher.wait(for: pid).status
    if status != 0 { throw VaultError.launchFailed(program: program, status: status) }
  }

  /// Whether the clipboard still holds exactly `secret` (read into guarded memory, compared
  /// in constant time). Anything unreadable counts as changed.
  public func holds(_ secret: borrowing SecretBytes) -> Bool {
    let (program, arguments) = paste
    guard
      let (pid, output) = try? Launcher.spawn(
        program, arguments: arguments, environment: environment, stdin: nil, captureOutput: true)
    else { return false }
    defer { close(output) }
    guard var current = try? SecretBytes(capacity: secret.count + 1) else {
      _ = Launcher.wait(for: pid)
      return false
    }
    var byte: UInt8 = 0
    var overflow = false
    while true {
      let n = read(output, &byte, 1)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      if (try? current.append(byte)) == nil { overflow = true }
    }
    byte = 0
    let status = Launcher.wait(for: pid).status
    return status == 0 && !overflow && current.isEqual(to: secret)
  }
}
