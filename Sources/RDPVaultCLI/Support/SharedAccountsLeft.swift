import VaultKit

/// The shared accounts (domain accounts, template credentials) that an `edit` or `rm` leaves
/// with no VM. They stay in the vault with their passwords, ready for the next VM, which is
/// not obvious: the command names each one, with the command that deletes it.
struct SharedAccountsLeft {
  private let watched: [String]

  /// The shared accounts of `entries` that some VM uses before the change.
  init(_ vault: any VaultService, _ entries: [ProfileEntry]) {
    var seen = Set<String>()
    watched = entries.compactMap { entry in
      guard entry.account.isShared else { return nil }
      let name = entry.account.accountName(computerName: "")
      guard seen.insert(name.lowercased()).inserted,
        let found = try? vault.account(named: name), !found.profiles.isEmpty
      else { return nil }
      return name
    }
  }

  /// After the change: a note for each watched account that no VM uses any more.
  func note(_ vault: any VaultService) {
    for name in watched where (try? vault.account(named: name))?.profiles.isEmpty == true {
      Diagnostics.note(
        "\(name) is now used by no VM; it stays in the vault with its password "
          + "(delete both with: rdpvault account rm \(ShellWords.quote(name)))")
    }
  }
}
