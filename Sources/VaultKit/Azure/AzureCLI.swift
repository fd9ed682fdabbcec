import Foundation

/// How rdpvault runs the Azure CLI: the user's own `az` (found on PATH), with the user's
/// environment minus rdpvault's variables, each value one argument. az's messages reach the
/// terminal; its output is read (at most 8 MiB) and never trusted: every caller checks it.
public enum AzureCLI {
  public static let maximumOutput = 8 << 20

  /// Runs `az ARGUMENTS` and returns its standard output; `step` names it in errors.
  public static func run(
    _ arguments: [String], step: String, environment: [String: String]
  ) throws -> [UInt8] {
    let az = try executable(environment)
    let output = try Launcher.output(
      az, arguments: arguments, environment: cleaned(environment), limit: maximumOutput)
    guard output.status == 0 else {
      throw VaultError.azureFailed(step: step, reason: "exit status \(output.status)")
    }
    return output.bytes
  }

  /// Runs `az ARGUMENTS` with its output on the terminal (a long step: `az vm start`).
  public static func runShowingOutput(
    _ arguments: [String], step: String, environment: [String: String]
  ) throws {
    let az = try executable(environment)
    let pid = try Launcher.spawn(
      az, arguments: arguments, environment: cleaned(environment), stdin: nil
    ).pid
    let status = Launcher.wait(for: pid).status
    currentChild = 0
    guard status == 0 else {
      throw VaultError.azureFailed(step: step, reason: "exit status \(status)")
    }
  }

  /// The `value` list of an Azure list answer (`{"value": [{…}, …]}`); anything else is
  /// `step`'s failure, "its output is not a list of `what`".
  static func valueList(_ json: [UInt8], step: String, what: String) throws -> [[String: Any]] {
    guard
      let root = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
      let list = root["value"] as? [[String: Any]]
    else {
      throw VaultError.azureFailed(step: step, reason: "its output is not a list of \(what)")
    }
    return list
  }

  public static func executable(_ environment: [String: String]) throws -> String {
    guard let az = Launcher.findExecutable("az", environment: environment) else {
      throw VaultError.clientNotFound(program: "az", reason: "not installed (the Azure CLI)")
    }
    return az
  }

  public static func isInstalled(_ environment: [String: String]) -> Bool {
    Launcher.findExecutable("az", environment: environment) != nil
  }

  static func cleaned(_ environment: [String: String]) -> [String: String] {
    environment.filter { !$0.key.hasPrefix("RDPVAULT_") }
  }
}

/// An Azure name as `az` takes it: letters, digits, `-`, `_`, `.`, `(`, `)`, never starting
/// with `-` (which az's parser would take for an option) nor ending with `.` (so never `.`
/// or `..`, which a URL path would climb), at most 90 characters.
public enum AzureName {
  public static func isValid(_ value: String) -> Bool {
    let allowed = value.unicodeScalars.allSatisfy {
      Validation.isASCIIAlnum($0) || "-_.()".unicodeScalars.contains($0)
    }
    return !value.isEmpty && !value.hasPrefix("-") && !value.hasSuffix(".") && allowed
      && value.count <= 90
  }

  public static func check(_ value: String, field: String) throws {
    guard isValid(value) else {
      throw VaultError.invalidField(
        field: field, value: value,
        rule:
          "an Azure name: letters, digits, '-', '_', '.', '(' and ')', not starting with '-' nor ending with '.'"
      )
    }
  }

  /// The variable parts of an Azure resource id of this `shape` (after the leading `/`, one
  /// entry per segment: a literal compared without case, or nil for an Azure name), or nil
  /// when the id has another shape.
  public static func parts(of id: String, shape: [String?]) -> [String]? {
    let segments = id.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    guard segments.count == shape.count + 1, segments[0].isEmpty else { return nil }
    var names: [String] = []
    for (segment, expected) in zip(segments.dropFirst(), shape) {
      if let expected {
        guard segment.lowercased() == expected.lowercased() else { return nil }
      } else {
        guard isValid(segment) else { return nil }
        names.append(segment)
      }
    }
    return names
  }

  /// A subscription id: a GUID (8-4-4-4-12 hex digits).
  public static func checkSubscription(_ value: String) throws {
    let groups = value.split(separator: "-", omittingEmptySubsequences: false)
    guard groups.map(\.count) == [8, 4, 4, 4, 12],
      groups.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isHexDigit } })
    else {
      throw VaultError.invalidField(
        field: "subscription", value: value,
        rule: "a subscription id is a GUID: 8-4-4-4-12 hex digits")
    }
  }
}
