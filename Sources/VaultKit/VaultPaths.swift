/// Where a vault lives when `--vault` is not given.
public enum VaultPaths {
  /// `$XDG_DATA_HOME/rdpvault/vault.db`, else `~/.local/share/rdpvault/vault.db`.
  public static func defaultPath(environment: [String: String]) -> String? {
    if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
      return data + "/rdpvault/vault.db"
    }
    guard let home = environment["HOME"], !home.isEmpty else { return nil }
    return home + "/.local/share/rdpvault/vault.db"
  }
}
