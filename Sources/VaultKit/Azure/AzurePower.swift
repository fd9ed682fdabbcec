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

  /// Starts the VM unless it runs; returns whether it started it.
  public static func ensureRunning(_ vm: AzureVM, environment: [String: String]) throws -> Bool {
    let statuses = try AzureCLI.run(
      statusArguments(vm), step: "az vm get-instance-view", environment: environment)
    guard try powerState(statuses) != "PowerState/running" else { return false }
    try AzureCLI.runShowingOutput(
      startArguments(vm), step: "az vm start", environment: environment)
    return true
  }
}
