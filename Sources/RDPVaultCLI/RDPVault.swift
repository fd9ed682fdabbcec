import ArgumentParser

/// The root command. Each subcommand lives in its own file under Commands/.
public struct RDPVault: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "rdpvault",
    abstract: "An encrypted vault for Remote Desktop connections and their credentials.",
    discussion: """
      Start with: rdpvault init, rdpvault add NAME --host HOST --kind local --user USER, then \
      rdpvault connect NAME. rdpvault unlock keeps the vault open in an agent for a session.

      Environment: RDPVAULT_PATH (the vault; default $XDG_DATA_HOME/rdpvault/vault.db), \
      RDPVAULT_PASSPHRASE_FILE, RDPVAULT_NO_AGENT=1, RDPVAULT_AUTO_UNLOCK=1, \
      RDPVAULT_AGENT_SOCKET, RDPVAULT_CLIP_TIME. A passphrase or password is never read from \
      the command line or the environment.

      Exit status: 0 on success, 64 for a usage error (reported before any passphrase is asked \
      for), 1 for any other failure; connect passes on the client's status.

      Every command takes -q/--quiet and -v/--verbose. More: README.md and SECURITY.md.
      """,
    version: "0.1.0",
    subcommands: [
      Init.self, Info.self, Passwd.self, Add.self, List.self, Show.self, Password.self, Edit.self,
      Rename.self, Remove.self, Set.self, Unset.self, Rdp.self, Import.self, Connect.self,
      Check.self,
      Identity.self, TeammateCommand.self, Export.self, AccountCommand.self, Hook.self, Verify.self,
      Unlock.self, Lock.self, AgentCommand.self, ClipboardClear.self,
    ]
  )

  public init() {}
}
