/// The RDP clients `connect` can hand credentials to.
public enum ClientKind: String, CaseIterable, Sendable, Codable {
  case auto
  case xfreerdp
  case xfreerdp3
  case sdlFreerdp3 = "sdl-freerdp3"
  case remmina
  case mstsc
  case macos

  public var displayName: String {
    switch self {
    case .auto: "auto"
    case .xfreerdp: "xfreerdp (FreeRDP 2)"
    case .xfreerdp3: "xfreerdp3 (FreeRDP 3)"
    case .sdlFreerdp3: "sdl-freerdp3 (FreeRDP 3)"
    case .remmina: "Remmina"
    case .mstsc: "mstsc (Windows Remote Desktop Connection)"
    case .macos: "the macOS Remote Desktop app"
    }
  }

  /// The executable looked up on PATH.
  public var executableName: String {
    switch self {
    case .auto, .xfreerdp: "xfreerdp"
    case .xfreerdp3: "xfreerdp3"
    case .sdlFreerdp3: "sdl-freerdp3"
    case .remmina: "remmina"
    case .mstsc: "mstsc.exe"
    case .macos: "open"
    }
  }

  /// What `auto` tries, in order, on this platform.
  public static var autoOrder: [ClientKind] {
    #if os(macOS)
      [.macos, .xfreerdp3, .sdlFreerdp3, .xfreerdp, .remmina]
    #elseif os(Windows)
      [.mstsc]
    #else
      [.xfreerdp3, .sdlFreerdp3, .xfreerdp, .remmina]
    #endif
  }

  func adapter() -> any ClientAdapter {
    switch self {
    case .auto, .xfreerdp: FreeRDP2Adapter()
    case .xfreerdp3, .sdlFreerdp3: FreeRDP3Adapter(kind: self)
    case .remmina: RemminaAdapter()
    case .mstsc: MstscAdapter()
    case .macos: MacOSAdapter()
    }
  }
}

/// Turns a profile into a launch plan for one client.
protocol ClientAdapter {
  func plan(for entry: ProfileEntry, program: String, extraArguments: [String]) throws -> LaunchPlan
}
