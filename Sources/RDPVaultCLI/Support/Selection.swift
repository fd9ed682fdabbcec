import ArgumentParser
import VaultKit

/// The VMs a command that can change many works on, and its one confirmation.
enum Selection {
  /// The VMs `selection` picks (exact names or globs, and a filter), each once.
  static func resolve(_ vault: any VaultService, _ selection: ProfileSelection) throws
    -> [ProfileEntry]
  {
    let entries = try vault.profiles(selectedBy: selection)
    Diagnostics.detail("selected \(count(entries.count)): \(list(entries))")
    return entries
  }

  /// A usage error (exit 64, before any prompt) when nothing at all was named or filtered:
  /// "every VM" is never the default.
  static func requireSomething(_ selection: ProfileSelection) throws {
    if selection.isEmpty {
      throw ValidationError(
        "name a VM, or pick VMs with globs ('lab-*') or filters (--tag, --resource-group, …)")
    }
    for name in selection.names where !ProfileSelection.isGlob(name) {
      try UsageError.check { try Validation.profileName(name) }
    }
  }

  /// Asks once, on the terminal, listing every VM the change touches; `yes` skips it.
  /// Declining is an error (exit 1), and nothing is changed.
  static func confirm(
    _ action: String, _ entries: [ProfileEntry], yes: Bool,
    declined: String = "nothing was changed",
    suffix: String = ""
  ) throws {
    if yes { return }
    let rows = entries.map {
      ["  " + $0.profile.name, Output.address($0.profile), $0.profile.kind.rawValue, $0.signInName]
    }
    let table = Output.table(["  NAME", "ADDRESS", "KIND", "SIGN-IN"], rows)
    guard
      try Prompt.confirm(
        "\(table)\n\(action) \(entries.count == 1 ? "this VM" : "these \(entries.count) VMs")\(suffix)?",
        hint: "pass --yes to change several VMs without a terminal")
    else { throw CLIError(declined) }
  }

  /// "3 VMs", "1 VM".
  static func count(_ n: Int) -> String { n == 1 ? "1 VM" : "\(n) VMs" }

  /// The names, cut after ten: "a, b, c" or "a, …, j and 190 more".
  static func list(_ entries: [ProfileEntry]) -> String {
    let names = entries.map(\.profile.name)
    if names.count <= 10 { return names.joined(separator: ", ") }
    return names.prefix(10).joined(separator: ", ") + " and \(names.count - 10) more"
  }

  /// For a note: the VM's name, or "3 VMs (a, b, c)".
  static func described(_ entries: [ProfileEntry]) -> String {
    entries.count == 1 ? entries[0].profile.name : "\(count(entries.count)) (\(list(entries)))"
  }
}
