/// macOS: the Remote Desktop app opens a temporary .rdp file and takes no password, so the
/// password goes to the clipboard and is cleared after 30 seconds.
struct MacOSAdapter: ClientAdapter {
  static let clipboardSeconds = 30

  func plan(for entry: ProfileEntry, program: String, extraArguments: [String]) throws -> LaunchPlan
  {
    let rdp = RDPFileWriter.lines(for: entry).map { $0 + "\r\n" }.joined()
    let clipboard =
      "the Remote Desktop app takes no password: it is on the clipboard for \(Self.clipboardSeconds) s, then cleared"
    return LaunchPlan(
      client: .macos,
      files: [PlannedFile(name: "connection.rdp", contents: SecretText([.text(rdp)]))],
      steps: [
        LaunchStep(
          role: .prepare, program: "pbcopy", arguments: [], stdin: SecretText([.password])),
        LaunchStep(
          role: .client, program: program, arguments: ["{tmp}/connection.rdp"] + extraArguments),
        LaunchStep(role: .cleanup, program: "pbcopy", arguments: [], stdin: SecretText([])),
      ],
      notes: [.fact(clipboard)], announcements: [clipboard],
      clearClipboardAfter: Self.clipboardSeconds)
  }
}
