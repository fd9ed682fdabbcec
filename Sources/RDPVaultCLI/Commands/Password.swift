import ArgumentParser
import Foundation
import VaultKit

extension RDPVault {
  struct Password: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "password",
      abstract: "Print a VM's password to standard output, for piping, or copy it (--clip).",
      discussion: """
        The only command that shows a secret. --clip copies it to the desktop's clipboard \
        instead, with wl-copy (Wayland), xclip or xsel (X11), the password on the tool's \
        stdin; after --clip-time seconds (default 45, as pass; env RDPVAULT_CLIP_TIME) the \
        clipboard is cleared, unless it holds something else by then.
        """)

    @OptionGroup var options: VaultOptions
    @Argument(help: "The VM's name.", completion: VMNameCompletion.kind) var name: String
    @Flag(name: [.customShort("c"), .long], help: "Copy to the clipboard, and clear it later.")
    var clip = false
    @Option(
      help: ArgumentHelp(
        "With --clip, clear the clipboard after this many seconds.", valueName: "seconds"))
    var clipTime: Int?

    static let clipTimes = 1...86_400

    var seconds: Int {
      get throws {
        if let clipTime { return clipTime }
        guard let text = ProcessInfo.processInfo.environment["RDPVAULT_CLIP_TIME"], !text.isEmpty
        else { return 45 }
        guard let value = Int(text), Self.clipTimes.contains(value) else {
          throw CLIError(
            "RDPVAULT_CLIP_TIME is \(quoted(text)), not a number of seconds from 1 to 86400")
        }
        return value
      }
    }

    func validate() throws {
      if clipTime != nil && !clip { throw ValidationError("--clip-time goes with --clip") }
      if let clipTime, !Self.clipTimes.contains(clipTime) {
        throw ValidationError("--clip-time takes 1 to 86400 seconds, not \(clipTime)")
      }
    }

    func run() throws {
      guard clip else {
        let password = try options.openVault().password(forProfile: name)
        Output.writeSecretLine(password)
        return
      }
      // No clipboard is found out before the passphrase is asked for.
      let environment = ProcessInfo.processInfo.environment
      let clipboard = try Clipboard(environment: environment)
      let seconds = try self.seconds
      let vault = try options.openVault()
      let entry = try vault.profile(named: name)
      let password = try vault.password(forProfile: entry.profile.name)
      try clipboard.copy(password)
      try ClipboardClear.schedule(clipboard, after: seconds, password: password)
      Diagnostics.note(
        "copied the password of \(entry.profile.name) to the clipboard (\(clipboard.tool.rawValue)); "
          + "it is cleared in \(seconds) s unless the clipboard changes meanwhile")
    }
  }
}
