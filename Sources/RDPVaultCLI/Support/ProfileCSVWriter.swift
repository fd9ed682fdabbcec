import VaultKit

/// `list --format csv`: the columns `import` reads back (`CSVInventory.columns`), one VM per
/// record, no password. The user is written as the account signs in (`WEB-01\azureuser`,
/// `CONTOSO\alice`, `alice@contoso.com`), so the domain column stays empty.
enum ProfileCSVWriter {
  static func text(_ entries: [ProfileEntry]) -> String {
    var out = CSVInventory.columns.joined(separator: ",") + "\r\n"
    for entry in entries {
      let profile = entry.profile
      let fields: [String] = [
        profile.name, profile.host, String(profile.port), profile.kind.rawValue, entry.signInName,
        "", profile.computerName, profile.tags.joined(separator: ";"), profile.resourceGroup,
        profile.subscription, profile.note,
      ]
      out += fields.map(CSVInventory.field).joined(separator: ",") + "\r\n"
    }
    return out
  }
}
