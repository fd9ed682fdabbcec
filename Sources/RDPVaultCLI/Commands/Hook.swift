import ArgumentParser
import VaultKit

extension RDPVault {
  struct Hook: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "hook",
      abstract: "Approve a VM's pre-connect command before connect runs it.",
      discussion: """
        A pre-connect command you set with `rdpvault set NAME pre-connect CMD` is approved by \
        that act. One that came from outside (a teammate's bundle) is stored unapproved, and \
        connect refuses to run it. `hook approve NAME` prints the exact command and, after a \
        yes on the terminal (or --yes), records approval of that exact text; any later change \
        needs a new approval.
        """,
      subcommands: [Approve.self])

    struct Approve: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Show a VM's pre-connect command and approve it.")

      @OptionGroup var options: VaultOptions
      @Argument(help: "The VM's name.", completion: VMNameCompletion.kind) var name: String
      @Flag(name: .shortAndLong, help: "Approve without asking (the command is still printed).")
      var yes = false

      func run() throws {
        let vault = try options.openVault()
        let entry = try vault.profile(named: name)
        guard let command = entry.profile.settings.options[ConnectOption.preConnect] else {
          throw VaultError.noPreConnect(profile: entry.profile.name)
        }
        print(
          "pre-connect command of \(entry.profile.name), run with /bin/sh -c before each connect:")
        print("  \(command)")
        if entry.profile.settings.approvedPreConnect != nil {
          Diagnostics.note("it is already approved")
          return
        }
        if !yes {
          guard
            try Prompt.confirm(
              "Approve exactly this command?", hint: "pass --yes to approve without a terminal")
          else { throw CLIError("not approved") }
        }
        try vault.approvePreConnect(profile: entry.profile.name, command: command)
        Diagnostics.note("approved the pre-connect command of \(entry.profile.name)")
      }
    }
  }
}
