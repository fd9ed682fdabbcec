import ArgumentParser
import Foundation
import VaultCrypto
import VaultKit

extension RDPVault {
  struct Unlock: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "unlock",
      abstract: "Unlock the vault once: the agent holds it open until it has been idle a while.",
      discussion: """
        Asks for the passphrase once and hands it to your agent (started if none runs), which \
        opens the vault and serves your commands without asking again. It locks after \
        --timeout without use (default 1h, like rbw), on `rdpvault lock`, when `passwd` runs, \
        and when the vault file is replaced. The vault key never leaves the agent; only your \
        own user's processes can reach it. Each vault path is unlocked on its own.
        """)

    @OptionGroup var options: VaultOptions

    @Option(
      help: ArgumentHelp(
        "Lock after this long without use: 90s, 30m, 8h, 1h30m (up to 24 hours).",
        valueName: "duration"))
    var timeout: String = "1h"

    func validate() throws {
      guard DurationText.seconds(timeout) != nil else {
        throw ValidationError(
          "invalid --timeout \(quoted(timeout)): give 1 second to 24 hours, such as 90s, 30m, 8h or 1h30m"
        )
      }
    }

    func run() throws {
      let path = try options.canonicalVaultPath()
      let seconds = DurationText.seconds(timeout)!
      let passphrase = try options.readPassphrase()
      let client = try AgentLauncher.connectOrStart(socketPath: options.agentSocket)
      let (status, upgraded) = try client.unlock(
        path: path, passphrase: passphrase, timeout: seconds)
      if let upgraded { VaultOptions.noteUpgrade(path, from: upgraded) }
      Diagnostics.note(
        "unlocked \(path) in the agent (pid \(status.agentPID)); it locks after \(DurationText.text(seconds)) without use"
      )
    }
  }

  struct Lock: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "lock",
      abstract: "Make the agent forget the vault (with --all, every vault).")

    @OptionGroup var options: VaultOptions
    @Flag(help: "Lock every vault the agent holds.") var all = false

    func run() throws {
      guard let client = AgentClient(socketPath: options.agentSocket) else {
        Diagnostics.note("no agent is running; nothing was unlocked")
        return
      }
      let locked = try client.lock(path: all ? nil : try options.canonicalVaultPath())
      Diagnostics.note(
        locked.isEmpty ? "nothing was unlocked" : "locked \(locked.joined(separator: ", "))")
    }
  }
}
