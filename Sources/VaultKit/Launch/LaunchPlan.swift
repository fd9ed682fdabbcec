import VaultCrypto

/// Text that may contain the password. It is only ever assembled into guarded memory, and
/// shown with the password as `<redacted>`.
public struct SecretText: Equatable, Sendable {
  public enum Part: Equatable, Sendable {
    case text(String)
    case password
  }

  public var parts: [Part]

  public init(_ parts: [Part]) { self.parts = parts }

  public var containsPassword: Bool { parts.contains(.password) }

  public var redacted: String {
    parts.map {
      switch $0 {
      case .text(let text): text
      case .password: "<redacted>"
      }
    }.joined()
  }

  /// The bytes, with the password in place, in guarded memory.
  public func assemble(password: borrowing SecretBytes) throws -> SecretBytes {
    var capacity = 0
    for part in parts {
      switch part {
      case .text(let text): capacity += text.utf8.count
      case .password: capacity += password.count
      }
    }
    var out = try SecretBytes(capacity: capacity)
    for part in parts {
      switch part {
      case .text(let text):
        for byte in text.utf8 { try out.append(byte) }
      case .password:
        for index in 0..<password.count { try out.append(password[index]) }
      }
    }
    return out
  }
}

/// One process a launch runs. `{tmp}` in an argument is the launch's private directory.
public struct LaunchStep: Equatable, Sendable {
  public enum Role: String, Sendable {
    /// Runs before the client; a failure stops the launch.
    case prepare
    /// The client: waited for, sent SIGINT/SIGTERM, and its exit status is connect's.
    case client
    /// Runs after the client, whatever happened.
    case cleanup

    /// How `--dry-run` introduces a step of this role.
    public var label: String {
      switch self {
      case .prepare: "run first"
      case .client: "run"
      case .cleanup: "run afterwards"
      }
    }
  }

  public var role: Role
  public var program: String
  public var arguments: [String]
  /// What the process reads on stdin; nil for /dev/null.
  public var stdin: SecretText?
  /// A line the client logs when a sign-in succeeded. When set, the client's output is passed
  /// through to stderr and watched for it, and a non-zero exit after it is a sign-in that
  /// worked: FreeRDP 3.10 ends every `+auth-only` run with a failure status.
  public var signInMarker: String?
  /// Log text that explains a failure, watched for the same way.
  public var findings: [ClientFinding: String]

  public init(
    role: Role, program: String, arguments: [String], stdin: SecretText? = nil,
    signInMarker: String? = nil,
    findings: [ClientFinding: String] = [:]
  ) {
    self.role = role
    self.program = program
    self.arguments = arguments
    self.stdin = stdin
    self.signInMarker = signInMarker
    self.findings = findings
  }

  /// Whether the client's output is read (and passed through to stderr) while it runs.
  var watchesOutput: Bool { signInMarker != nil || !findings.isEmpty }
}

/// What a client's log can say about why it failed.
public enum ClientFinding: String, Sendable, Hashable, CaseIterable {
  /// FreeRDP 3 could not load OpenSSL's legacy provider, so NTLM has no MD4 (and, in 3.10,
  /// signs in with a wrong hash: every password looks wrong).
  case noMD4
}

/// A file written (0600) into the launch's private directory before the steps run.
public struct PlannedFile: Equatable, Sendable {
  public var name: String
  public var contents: SecretText
}

/// Something `connect --dry-run` says about a plan: a fact in prose, or, where the remedy is
/// an option or a command, a typed value the command line words.
public enum LaunchNote: Equatable, Sendable, ExpressibleByStringInterpolation {
  case fact(String)
  /// No certificate pin: FreeRDP's own trust-on-first-use applies.
  case certificateNotPinned(profile: String)
  /// `enablerdsaadauth 1`, which FreeRDP 2 cannot do and FreeRDP 3 can.
  case entraIDNeedsFreeRDP3
  /// Extra .rdp lines reach written .rdp files, not FreeRDP's command line.
  case extraLinesOnlyInFiles

  public init(stringLiteral value: String) { self = .fact(value) }
  public init(stringInterpolation: DefaultStringInterpolation) {
    self = .fact(String(stringInterpolation: stringInterpolation))
  }

  /// The prose of a fact; nil for the typed notes.
  public var text: String? {
    if case .fact(let text) = self { return text }
    return nil
  }
}

/// Everything a launch does, decided before anything runs, so `--dry-run` can show it.
public struct LaunchPlan: Equatable, Sendable {
  public var client: ClientKind
  public var files: [PlannedFile] = []
  public var steps: [LaunchStep] = []
  public var notes: [LaunchNote] = []
  /// Notes `connect` also says when it launches (not only under `--dry-run`).
  public var announcements: [String] = []
  /// macOS: clear the clipboard this many seconds after putting the password there.
  public var clearClipboardAfter: Int?

  /// The plan as `--dry-run` prints it after its `client:` line, every secret shown as
  /// `<redacted>`; the notes follow, worded by the command line.
  public func rendered() -> [String] {
    var lines: [String] = []
    for file in files {
      lines.append("file {tmp}/\(file.name) (0600, removed afterwards):")
      // "\r\n" is one Character in Swift: normalise before splitting.
      lines += file.contents.redacted.replacingOccurrences(of: "\r\n", with: "\n")
        .split(separator: "\n").map { "  " + $0 }
    }
    for step in steps {
      let command = ShellWords.join([step.program] + step.arguments)
      lines.append("\(step.role.label): \(command)")
      if let stdin = step.stdin {
        lines.append("  stdin: \(stdin.redacted.debugDescription)")
      }
      if let marker = step.signInMarker {
        lines.append("  signed in when it logs: \(marker.debugDescription)")
      }
      for (finding, text) in step.findings.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
        lines.append("  watched for (\(finding.rawValue)): \(text.debugDescription)")
      }
    }
    return lines
  }
}
