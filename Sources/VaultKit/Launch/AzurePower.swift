import Foundation

/// `azure-start on`: before connecting, ask Azure whether the VM runs
/// (`az vm get-instance-view … --query instanceView.statuses`), and start it when it does not
/// (`az vm start …`). connect then waits for the port as after a pre-connect command.
public enum AzurePower {
  /// The two az commands, for `connect --dry-run` and for running.
  public static func statusArguments(_ vm: AzureVM) -> [String] {
    ["vm", "get-instance-view"] + vm.vmArguments + [
      "--query", "instanceView.statuses", "--output", "json",
    ]
  }

  public static func startArguments(_ vm: AzureVM) -> [String] {
    ["vm", "start"] + vm.vmArguments
  }

  /// The power state code (`PowerState/running`, `PowerState/deallocated`) in az's JSON.
  public static func powerState(_ json: [UInt8]) throws -> String {
    guard
      let statuses = try? JSONSerialization.jsonObject(with: Data(json)) as? [[String: Any]]
    else {
      throw VaultError.azureFailed(
        step: "az vm get-instance-view", reason: "its output is not a list of statuses")
    }
    guard
      let code = statuses.compactMap({ $0["code"] as? String }).first(where: {
        $0.hasPrefix("PowerState/")
      })
    else {
      throw VaultError.azureFailed(
        step: "az vm get-instance-view", reason: "no PowerState among the statuses")
    }
    return code
  }

  /// Starts the VM unless it runs; returns whether it started it. az's own messages reach
  /// the terminal; its environment is the user's without rdpvault's variables.
  public static func ensureRunning(_ vm: AzureVM, environment: [String: String]) throws -> Bool {
    guard let az = Launcher.findExecutable("az", environment: environment) else {
      throw VaultError.clientNotFound(program: "az", reason: "not installed (the Azure CLI)")
    }
    let clean = environment.filter { !$0.key.hasPrefix("RDPVAULT_") }
    let status = try Launcher.output(
      az, arguments: statusArguments(vm), environment: clean, limit: 1 << 20)
    guard status.status == 0 else {
      throw VaultError.azureFailed(
        step: "az vm get-instance-view", reason: "exit status \(status.status)")
    }
    guard try powerState(status.bytes) != "PowerState/running" else { return false }
    let pid = try Launcher.spawn(
      az, arguments: startArguments(vm), environment: clean, stdin: nil
    ).pid
    let started = Launcher.wait(for: pid).status
    currentChild = 0
    guard started == 0 else {
      throw VaultError.azureFailed(step: "az vm start", reason: "exit status \(started)")
    }
    return true
  }
}
