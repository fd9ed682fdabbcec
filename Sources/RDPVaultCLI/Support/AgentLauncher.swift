import Foundation
import VaultKit

#if canImport(Glibc)
  import Glibc
#endif

/// Finds the user's agent, or starts one: this same binary, `agent run --background`.
enum AgentLauncher {
  static func connectOrStart(socketPath: String) throws -> AgentClient {
    if let client = AgentClient(socketPath: socketPath) { return client }
    let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    let pid = try Launcher.startDetached(
      executable, arguments: ["agent", "run", "--background", "--socket", socketPath])
    // It listens within milliseconds; give it 5 s on a loaded machine, and stop waiting at
    // once if it exits (another agent won the race, or the socket directory is refused).
    for _ in 0..<500 {
      if let client = AgentClient(socketPath: socketPath) { return client }
      var status: Int32 = 0
      if waitpid(pid, &status, WNOHANG) == pid {
        if let client = AgentClient(socketPath: socketPath) { return client }
        throw CLIError(
          "the agent did not start (exit status \(status >> 8))",
          hint: "run it in the foreground to see why: rdpvault agent run")
      }
      usleep(10_000)
    }
    throw CLIError("the agent did not start listening at \(socketPath) within 5 s")
  }
}
