/// Which client `connect` runs, and the plan for it.
public struct ClientChoice: Equatable, Sendable {
  public var kind: ClientKind
  public var program: String
  /// True when `auto` picked it, so `connect` says which.
  public var picked: Bool
  /// True for a program given by path (`--client-path`).
  public var given = false

  /// `auto` takes the first client installed for the platform; `--client-path` runs the given
  /// executable as `kind` (as FreeRDP 2 when `kind` is auto).
  public static func choose(
    _ kind: ClientKind, clientPath: String?, environment: [String: String]
  ) throws -> ClientChoice {
    if let clientPath {
      guard let program = Launcher.findExecutable(clientPath, environment: environment) else {
        throw VaultError.clientNotFound(program: clientPath, reason: "not an executable file")
      }
      return ClientChoice(
        kind: kind == .auto ? .xfreerdp : kind, program: program, picked: false, given: true)
    }
    if kind != .auto {
      guard let program = Launcher.findExecutable(kind.executableName, environment: environment)
      else {
        throw VaultError.clientNotFound(program: kind.executableName, reason: "not found on PATH")
      }
      return ClientChoice(kind: kind, program: program, picked: false)
    }
    for candidate in ClientKind.autoOrder {
      if let program = Launcher.findExecutable(candidate.executableName, environment: environment) {
        return ClientChoice(kind: candidate, program: program, picked: true)
      }
    }
    throw VaultError.noClientInstalled(tried: ClientKind.autoOrder.map(\.executableName))
  }

  /// Why this client cannot show a session here, or nil. FreeRDP's X11 clients need DISPLAY
  /// (XWayland sets it under Wayland), Remmina DISPLAY or WAYLAND_DISPLAY, and SDL either
  /// unless SDL_VIDEODRIVER names another driver. A program given by path, `+auth-only`
  /// (no window) and the clients of other systems are not judged.
  public func missingDisplay(environment: [String: String], extraArguments: [String]) -> String? {
    func set(_ name: String) -> Bool { !(environment[name] ?? "").isEmpty }
    guard !given, !extraArguments.contains(where: { $0 == "+auth-only" || $0 == "/auth-only" })
    else { return nil }
    switch kind {
    case .xfreerdp, .xfreerdp3:
      return set("DISPLAY") ? nil : "DISPLAY is not set"
    case .remmina:
      return set("DISPLAY") || set("WAYLAND_DISPLAY")
        ? nil : "neither DISPLAY nor WAYLAND_DISPLAY is set"
    case .sdlFreerdp3:
      return set("DISPLAY") || set("WAYLAND_DISPLAY") || set("SDL_VIDEODRIVER")
        ? nil : "neither DISPLAY nor WAYLAND_DISPLAY is set"
    case .auto, .mstsc, .macos:
      return nil
    }
  }

  /// The launch plan for `entry` with this client; CLIENT-ARGS are appended verbatim.
  public func plan(for entry: ProfileEntry, extraArguments: [String]) throws -> LaunchPlan {
    try kind.adapter().plan(for: entry, program: program, extraArguments: extraArguments)
  }

  /// What an exit status of this client means, when it is known (FreeRDP's statuses only:
  /// Remmina and the other systems' clients have none documented).
  public func meaning(ofStatus status: Int32) -> FreeRDPExitStatus? {
    switch kind {
    case .xfreerdp, .xfreerdp3, .sdlFreerdp3: FreeRDPExitStatus(status)
    case .auto, .remmina, .mstsc, .macos: nil
    }
  }
}
