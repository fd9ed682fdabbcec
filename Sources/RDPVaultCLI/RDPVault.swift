import ArgumentParser

/// The root command. Each subcommand lives in its own file under Commands/.
public struct RDPVault: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "rdpvault",
    abstract: "An encrypted vault for Remote Desktop connections and their credentials.",
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
