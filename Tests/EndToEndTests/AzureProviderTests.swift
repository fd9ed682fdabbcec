import Foundation
import Testing

/// The Azure providers of `connect` (issue 17): `azure-start on` and `bastion RG/NAME`,
/// through an `az` stand-in on PATH that records its arguments and plays back Azure's
/// instance view (fixtures README); `az` itself cannot reach Azure here.
@Suite(.serialized) struct AzureProviderTests {
  static let statuses = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent(
      "VaultKitTests/Fixtures/imports/azure-cli/vm-instance-view-statuses-deallocated.json")
  static let subscription = "2ca40be1-7680-4f2b-92f7-06b2123a68cc"

  /// `az` for the tests: logs each call's arguments; `vm get-instance-view` prints the
  /// statuses file; `vm start` makes the VM's port answer a second later; `network bastion
  /// tunnel` listens on its `--port`.
  func standIn(_ box: Sandbox, statuses: String, vmPort: Int) throws -> String {
    let bin = box.root + "/bin"
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    box.write(
      """
      #!/bin/sh
      printf '%s\\n' "$*" >> '\(box.root)/az.log'
      case "$1 $2" in
        "vm get-instance-view") cat '\(statuses)' ;;
        "vm start")
          (sleep 1; exec socat TCP-LISTEN:\(vmPort),bind=127.0.0.1,reuseaddr,fork SYSTEM:true) >/dev/null 2>&1 &
          echo $! > '\(box.root)/vm.pid' ;;
        "network bastion")
          while [ $# -gt 0 ]; do [ "$1" = "--port" ] && port=$2; shift; done
          exec socat TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo bastion-az-test' ;;
        *) exit 9 ;;
      esac

      """, to: bin + "/az", mode: 0o755)
    return bin
  }

  func vm(_ box: Sandbox, host: String, port: Int) {
    let added = box.run(
      [
        "add", "vm", "--host", host, "--port", String(port), "--kind", "local", "--user", "u",
        "--resource-group", "rg-lab", "--subscription", Self.subscription, "--password-stdin",
      ], stdin: "pw\n")
    #expect(added.status == 0, "\(added.stderr)")
  }

  func log(_ box: Sandbox) -> [String] {
    ((try? String(contentsOfFile: box.root + "/az.log", encoding: .utf8)) ?? "")
      .split(separator: "\n").map(String.init)
  }

  @Test func azureStartStartsADeallocatedVMAndWaitsForIt() throws {
    let box = Sandbox()
    box.initVault()
    let port = try RDPServer.freePort(host: "127.0.0.1")
    vm(box, host: "127.0.0.1", port: port)
    let bin = try standIn(box, statuses: Self.statuses.path, vmPort: port)
    #expect(box.run(["set", "vm", "azure-start", "on"]).status == 0)
    let environment = ["PATH": bin + ":/usr/bin:/bin"]
    let dry = box.run(["connect", "vm", "--dry-run", "--client-path", "/bin/true"], environment: environment)
    #expect(
      dry.stdout.contains(
        "azure-start: then, unless the VM runs: az vm start --resource-group rg-lab --name vm --subscription \(Self.subscription)"
      ), "\(dry.stdout)")
    #expect(log(box).isEmpty, "--dry-run ran az")
    let result = box.run(["connect", "vm", "--client-path", "/bin/true"], environment: environment)
    if let pid = try? String(contentsOfFile: box.root + "/vm.pid", encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines), let number = Int32(pid)
    {
      kill(number, SIGTERM)
    }
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("started vm (az vm start)"))
    #expect(
      log(box) == [
        "vm get-instance-view --resource-group rg-lab --name vm --subscription \(Self.subscription) --query instanceView.statuses --output json",
        "vm start --resource-group rg-lab --name vm --subscription \(Self.subscription)",
      ], "\(log(box))")
  }

  @Test func aRunningVMIsNotStarted() throws {
    let box = Sandbox()
    box.initVault()
    let port = try RDPServer.freePort(host: "127.0.0.1")
    vm(box, host: "127.0.0.1", port: port)
    let running = box.write(
      try String(contentsOf: Self.statuses, encoding: .utf8)
        .replacingOccurrences(of: "PowerState/deallocated", with: "PowerState/running")
        .replacingOccurrences(of: "VM deallocated", with: "VM running"), to: "running.json")
    let bin = try standIn(box, statuses: running, vmPort: port)
    #expect(box.run(["set", "vm", "azure-start", "on"]).status == 0)
    let listener = Process()
    listener.executableURL = URL(fileURLWithPath: "/usr/bin/socat")
    listener.arguments = ["TCP-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork", "SYSTEM:true"]
    try listener.run()
    defer { listener.terminate() }
    usleep(300_000)
    let result = box.run(
      ["connect", "vm", "--client-path", "/bin/true"], environment: ["PATH": bin + ":/usr/bin:/bin"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(log(box).count == 1 && log(box)[0].hasPrefix("vm get-instance-view"), "\(log(box))")
  }

  @Test func aBastionTunnelCarriesTheVMsResourceID() throws {
    let box = Sandbox()
    box.initVault()
    // The VM's own address leads nowhere: only the Bastion tunnel reaches "it".
    vm(box, host: "203.0.113.9", port: 3389)
    let bin = try standIn(box, statuses: Self.statuses.path, vmPort: 1)
    #expect(box.run(["set", "vm", "bastion", "rg-hub/bastion-01"]).status == 0)
    let result = box.run(
      ["connect", "vm", "--client-path", "/bin/true"], environment: ["PATH": bin + ":/usr/bin:/bin"])
    #expect(result.status == 0, "\(result.stderr)")
    let call = try #require(log(box).first, "az was not run")
    #expect(
      call.hasPrefix(
        "network bastion tunnel --name bastion-01 --resource-group rg-hub --target-resource-id /subscriptions/\(Self.subscription)/resourceGroups/rg-lab/providers/Microsoft.Compute/virtualMachines/vm --resource-port 3389 --port "
      ) && call.hasSuffix(" --subscription \(Self.subscription)"), "\(call)")
    usleep(200_000)
    #expect(processes(containing: "bastion-az-test").isEmpty, "the az tunnel outlived connect")
  }

  @Test func valuesThatAzCouldTakeForOptionsAreRefused() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        ["add", "bare", "--host", "10.0.0.1", "--kind", "local", "--user", "u", "--password-stdin"],
        stdin: "pw\n"
      ).status == 0)
    for value in ["-x/bastion", "rg/--debug", "a/b/c", "rg/na me", "rg/", "rg;id/b"] {
      let result = box.run(["set", "bare", "bastion", "--", value])
      #expect(result.status != 0, "\(value) was accepted")
    }
    #expect(box.run(["set", "bare", "azure-start", "yes"]).status != 0)
    // Without a resource group and subscription there is no resource id to give az.
    #expect(box.run(["set", "bare", "bastion", "rg-hub/bastion-01"]).status == 0)
    let missing = box.run(["connect", "bare", "--client-path", "/bin/true"])
    #expect(missing.status == 1)
    #expect(
      missing.stderr.contains("bare has no resource group or subscription"), "\(missing.stderr)")
  }
}
