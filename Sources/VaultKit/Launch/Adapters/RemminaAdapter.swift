/// Remmina: a temporary profile without the password, then `remmina --update-profile` with
/// `--set-option password` reading the value from stdin (Remmina encrypts it with its own
/// key), then `remmina -c`. The profile is deleted when Remmina exits.
struct RemminaAdapter: ClientAdapter {
  func plan(for entry: ProfileEntry, program: String, extraArguments: [String]) throws -> LaunchPlan
  {
    let profile = entry.profile
    // Remmina has no way to take a certificate fingerprint: it asks about every certificate
    // itself and remembers the answer. A pin it would not enforce is refused, not dropped.
    if let pin = profile.settings.options[ConnectOption.certSHA256] {
      throw VaultError.pinNotEnforceable(profile: profile.name, pin: pin, client: .remmina)
    }
    let credentials = entry.account.clientCredentials(computerName: profile.computerName)
    let host = Validation.isIPv6(profile.host) ? "[\(profile.host)]" : profile.host
    var lines = [
      "[remmina]", "name=\(profile.name)", "protocol=RDP", "server=\(host):\(profile.port)",
      "username=\(credentials.user)", "domain=\(credentials.domain)",
    ]
    if profile.settings.values["screen mode id"] == "2" { lines.append("viewmode=4") }
    if let width = profile.settings.values["desktopwidth"],
      let height = profile.settings.values["desktopheight"]
    {
      lines += ["resolution_mode=2", "resolution_width=\(width)", "resolution_height=\(height)"]
    }
    for line in lines + extraArguments
    where line.utf8.contains(0x0A) || line.utf8.contains(0x0D) || line.utf8.contains(0) {
      throw VaultError.invalidField(
        field: "Remmina profile", value: line.debugDescription, rule: "no line breaks")
    }
    let file = PlannedFile(
      name: "connection.remmina",
      contents: SecretText([.text(lines.joined(separator: "\n") + "\n")]))
    return LaunchPlan(
      client: .remmina, files: [file],
      steps: [
        LaunchStep(
          role: .prepare, program: program,
          arguments: ["--update-profile", "{tmp}/connection.remmina", "--set-option", "password"],
          stdin: SecretText([.password, .text("\n")])),
        LaunchStep(
          role: .client, program: program,
          arguments: ["-c", "{tmp}/connection.remmina"] + extraArguments),
      ],
      notes: [
        "Remmina keeps the password in the temporary profile, encrypted with its own key; the profile is removed when Remmina exits",
        "if Remmina is already running, it may hand the connection to that instance and return at once",
      ])
  }
}
