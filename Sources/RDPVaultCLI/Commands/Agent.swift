import ArgumentParser
import Foundation
import VaultKit

#if canImport(Glibc)
  import Glibc
#endif

extension RDPVault {
  struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "agent",
      abstract: "The agent that holds vaults unlocked: its status, running it, stopping it.",
      subcommands: [AgentStatusCommand.self, AgentRun.self, AgentStop.self])
  }

  struct AgentStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "status",
      abstract: "Is the vault unlocked in the agent, and when will it lock?",
      discussion: "Exits 0 when the vault is unlocked, 1 when it is locked or no agent runs.")

    @OptionGroup var options: VaultOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
      let path = try (try? options.canonicalVaultPath()) ?? options.vaultPath()
      let status = try AgentClient(socketPath: options.agentSocket)?.status(path: path)
      if json {
        var object: [String: Any] = [
          "vault": path, "agent_running": status != nil, "unlocked": status?.unlocked ?? false,
          "socket": options.agentSocket,
        ]
        if let status { object["agent_pid"] = Int(status.agentPID) }
        if let locksAt = status?.locksAt { object["locks_at"] = Int(locksAt) }
        if let timeout = status?.timeout { object["timeout_seconds"] = timeout }
        let data = try JSONSerialization.data(
          withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
      } else if let status {
        if status.unlocked, let locksAt = status.locksAt, let timeout = status.timeout {
          let time = Date(timeIntervalSince1970: TimeInterval(locksAt))
          let formatter = DateFormatter()
          formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
          print(
            "unlocked: \(path) (agent pid \(status.agentPID); locks at \(formatter.string(from: time)) unless used, after \(DurationText.text(timeout)) idle)"
          )
        } else {
          print("locked: \(path) (agent pid \(status.agentPID))")
        }
      } else {
        print("locked: \(path) (no agent is running)")
      }
      if status?.unlocked != true { throw ExitCode(1) }
    }
  }

  struct AgentRun: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "run",
      abstract: "Run the agent in the foreground (for a systemd user unit or a shell profile).",
      discussion: """
        `rdpvault unlock` starts the agent when none runs; run it yourself to manage it with \
        systemd (README: The agent). It listens on $XDG_RUNTIME_DIR/rdpvault/agent.sock (else \
        /tmp/rdpvault-UID/agent.sock), in a 0700 directory, and serves only your own user.
        """)

    @Option(help: ArgumentHelp("Listen on this socket instead.", valueName: "path"))
    var socket: String?

    @Flag(help: .hidden) var background = false

    func run() throws {
      if background {
        // Started by `unlock`: a session of its own (no terminal's signals), and no hold on
        // the directory it was started in.
        setsid()
        chdir("/")
      }
      let path = socket ?? AgentSocket.path(environment: ProcessInfo.processInfo.environment)
      try AgentServer(socketPath: path).run()
    }
  }

  struct AgentStop: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "stop", abstract: "Lock every vault and end the agent.")

    @OptionGroup var options: VaultOptions

    func run() throws {
      guard let client = AgentClient(socketPath: options.agentSocket) else {
        Diagnostics.note("no agent is running")
        return
      }
      try client.stop()
      Diagnostics.note("the agent locked everything and stopped")
    }
  }
}
