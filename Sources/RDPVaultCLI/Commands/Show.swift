import ArgumentParser
import VaultKit

extension RDPVault {
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: "Show a VM: everything but its password, including the sign-in name.")

    @OptionGroup var options: VaultOptions
    @Argument(help: "The VM's name.", completion: VMNameCompletion.kind) var name: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
      let entry = try options.openVault().profile(named: name)
      if json {
        print(try Format.json(ProfileJSON(entry, withSettings: true)))
        return
      }
      let profile = entry.profile
      var lines: [(String, String)] = [
        ("name", profile.name),
        ("address", Output.address(profile)),
        ("computer name", profile.computerName),
        ("kind", profile.kind.rawValue),
        ("sign-in name", entry.signInName),
      ]
      switch profile.kind {
      case .local where entry.account.scope == .template:
        lines.append(
          (
            "account",
            "shared credential \(entry.account.accountName(computerName: "")): the same user and password on every VM made from one template"
          ))
      case .local:
        lines.append(
          (
            "account",
            profile.computerName == Profile.thisComputer
              ? "local account of the VM itself (.)" : "local account of \(profile.computerName)"
          ))
      case .domain:
        lines.append(
          (
            "account",
            "shared domain account of \(entry.account.domain)\(entry.account.isDomainAdmin ? " (domain admin)" : ""); "
              + "it must be in the VM's Administrators group or be granted Remote Desktop access "
              + "(rdpvault cannot check this)"
          ))
      case .dc:
        lines.append(("account", "domain administrator of \(entry.account.domain)"))
      }
      if !profile.tags.isEmpty { lines.append(("tags", profile.tags.joined(separator: ", "))) }
      if !profile.resourceGroup.isEmpty { lines.append(("resource group", profile.resourceGroup)) }
      if !profile.subscription.isEmpty { lines.append(("subscription", profile.subscription)) }
      if !profile.note.isEmpty { lines.append(("note", profile.note)) }
      for key in profile.settings.values.keys.sorted() {
        var text = "\(key) = \(profile.settings.values[key]!)"
        if key == ConnectOption.gateway, profile.settings.unapprovedGateway != nil {
          text += "  (NOT approved: rdpvault hook approve \(profile.name))"
        }
        lines.append(("setting", text))
      }
      for line in profile.settings.extraLines { lines.append(("extra line", line)) }
      for key in profile.settings.options.keys.sorted()
      where !ConnectOption.approvals.contains(key) {
        var value = profile.settings.options[key]!
        if ConnectOption.needingApproval.contains(key) {
          value +=
            profile.settings.approved(key) == nil
            ? "  (NOT approved: rdpvault hook approve \(profile.name))" : "  (approved)"
        }
        lines.append((key, value))
      }
      let width = lines.map(\.0.count).max() ?? 0
      for (key, value) in lines {
        print(
          "\((key + ":").padding(toLength: width + 1, withPad: " ", startingAt: 0)) \(Output.printable(value))"
        )
      }
    }
  }
}
