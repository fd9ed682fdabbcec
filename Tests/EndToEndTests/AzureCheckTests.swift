import Foundation
import Testing

/// `check NAME`'s Azure checks (issue 17): the VM's power state and public IP from
/// `az vm show --show-details` (a real VM of az's own output), its effective inbound rules
/// (Microsoft's example) against this machine's public address, and the JIT policies. The
/// `az` and `curl` stand-ins play those back and log their arguments.
@Suite(.serialized) struct AzureCheckTests {
  static let subscription = "2ca40be1-7680-4f2b-92f7-06b2123a68cc"

  static func fixture(_ name: String) -> String {
    AzureProviderTests.fixture(name)
  }

  /// The `windows` VM of the real `az vm list --show-details` output (what `az vm show
  /// --show-details` prints for it), with `edit` applied to its fields.
  func showOutput(_ box: Sandbox, edit: (inout [String: Any]) -> Void = { _ in }) throws -> String {
    let list = try #require(
      try JSONSerialization.jsonObject(
        with: Data(
          contentsOf: URL(
            fileURLWithPath: Self.fixture("az-vm-list-show-details-2018-linux-windows.json")))
      ) as? [[String: Any]])
    var vm = list[1]
    #expect(vm["name"] as? String == "windows")
    edit(&vm)
    let data = try JSONSerialization.data(withJSONObject: vm)
    return box.write(String(decoding: data, as: UTF8.self), to: "show.json")
  }

  /// A sandbox with the VM `windows` on a free loopback port (the rules' 3389 edited to it),
  /// az and curl stand-ins; returns the PATH and the port.
  func setUp(
    _ box: Sandbox, address: String, show: String? = nil,
    jitEdit: String = "s/virtualMachines\\/vm1/virtualMachines\\/vm9/"
  ) throws -> (String, Int) {
    box.initVault()
    let port = try RDPServer.freePort(host: "127.0.0.1")
    let added = box.run(
      [
        "add", "windows", "--host", "127.0.0.1", "--port", String(port), "--kind", "local",
        "--user", "richeney", "--resource-group", "businessContinuityTest", "--subscription",
        Self.subscription, "--password-stdin",
      ], stdin: "pw\n")
    #expect(added.status == 0, "\(added.stderr)")
    let shown = try show ?? showOutput(box)
    let bin = box.root + "/bin"
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    let rules = Self.fixture("rest-spec-example-NetworkInterfaceEffectiveNSGList-body.json")
    let policies = Self.fixture(
      "rest-spec-example-GetJitNetworkAccessPoliciesResourceGroupLocation-body.json")
    box.write(
      """
      #!/bin/sh
      printf '%s\\n' "$*" >> '\(box.root)/az.log'
      case "$1 $2 $3 $4" in
        "vm show"*) cat '\(shown)' ;;
        "network nic list-effective-nsg"*) sed 's/"3389-3389"/"\(port)-\(port)"/' '\(rules)' ;;
        "rest --method get"*) sed -e 's/"number": 3389/"number": \(port)/' -e '\(jitEdit)' '\(policies)' ;;
        *) exit 9 ;;
      esac

      """, to: bin + "/az", mode: 0o755)
    box.write("#!/bin/sh\nprintf '%s' '\(address)'\n", to: bin + "/curl", mode: 0o755)
    return (bin + ":/usr/bin:/bin", port)
  }

  func log(_ box: Sandbox) -> [String] {
    ((try? String(contentsOfFile: box.root + "/az.log", encoding: .utf8)) ?? "")
      .split(separator: "\n").map(String.init)
  }

  func listening(_ port: Int) throws -> Child {
    let child = try Child(
      "/usr/bin/socat", ["TCP-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork", "SYSTEM:true"],
      environment: [:], stdout: "/dev/null", stderr: "/dev/null")
    usleep(300_000)
    return child
  }

  @Test func aReachableVMPassesEveryCheck() throws {
    let box = Sandbox()
    // 1.1.1.1/32 is the source Microsoft's example rule default-allow-rdp lets in.
    let (path, port) = try setUp(box, address: "1.1.1.1")
    let server = try listening(port)
    defer { server.stop() }
    let result = box.run(["check", "windows"], environment: ["PATH": path])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(
      lines == [
        "ok    127.0.0.1 resolves",
        "ok    TCP 127.0.0.1:\(port) accepts connections",
        "ok    Azure: windows is running",
        "ok    Azure: public IP 52.166.204.149",
        "info  Azure: no just-in-time policy covers port \(port)",
        "ok    Azure: test-nsg lets TCP \(port) in from 1.1.1.1 (securityRules/default-allow-rdp)",
      ], "\(result.stdout)")
    #expect(
      log(box) == [
        "vm show --show-details --resource-group businessContinuityTest --name windows --subscription \(Self.subscription) --output json",
        "rest --method get --url https://management.azure.com/subscriptions/\(Self.subscription)/resourceGroups/businessContinuityTest/providers/Microsoft.Security/jitNetworkAccessPolicies?api-version=2020-01-01 --output json",
        "network nic list-effective-nsg --ids /subscriptions/2ca40be1-7680-4f2b-92f7-06b2123a68cc/resourceGroups/businessContinuityTest/providers/Microsoft.Network/networkInterfaces/windows327 --output json",
      ], "\(log(box))")
  }

  @Test func aBlockedPortGetsTheRuleThatOpensIt() throws {
    let box = Sandbox()
    let (path, port) = try setUp(box, address: "52.166.1.2")
    let result = box.run(["check", "windows"], environment: ["PATH": path])
    #expect(result.status == 1)
    #expect(
      result.stdout.contains(
        """
        FAIL  Azure: test-nsg blocks TCP \(port) from 52.166.1.2: no rule allows it, so the default denies it
              fix: az network nsg rule create --resource-group rg1 --nsg-name test-nsg --name rdp-from-52-166-1-2 --priority 4096 --direction Inbound --access Allow --protocol Tcp --source-address-prefixes 52.166.1.2/32 --destination-port-ranges \(port)
        """), "\(result.stdout)")
  }

  @Test func withAJITPolicyTheFixIsAzureJIT() throws {
    let box = Sandbox()
    // The example policy, naming this VM.
    let (path, port) = try setUp(
      box, address: "52.166.1.2",
      jitEdit:
        "s/20ff7fc3-e762-44dd-bd96-b71116dcdc23\\/resourceGroups\\/myRg1\\/providers\\/Microsoft.Compute\\/virtualMachines\\/vm1/\(Self.subscription)\\/resourceGroups\\/businessContinuityTest\\/providers\\/Microsoft.Compute\\/virtualMachines\\/windows/g; s/20ff7fc3-e762-44dd-bd96-b71116dcdc23/\(Self.subscription)/g"
    )
    let result = box.run(["check", "windows"], environment: ["PATH": path])
    #expect(result.status == 1)
    #expect(
      result.stdout.contains(
        "ok    Azure: just-in-time policy default (westeurope) covers port \(port), up to 180 min"),
      "\(result.stdout)")
    #expect(
      result.stdout.contains(
        "      fix: rdpvault set windows azure-jit on (connect then requests access each time)"),
      "\(result.stdout)")
  }

  @Test func aDeallocatedVMWithoutPublicIPGetsItsFixes() throws {
    let box = Sandbox()
    let show = try showOutput(box) {
      $0["powerState"] = "VM deallocated"
      $0["publicIps"] = ""
    }
    let (path, _) = try setUp(box, address: "1.1.1.1", show: show)
    let result = box.run(["check", "windows"], environment: ["PATH": path])
    #expect(result.status == 1)
    for line in [
      "FAIL  Azure: windows is not running (VM deallocated)",
      "      fix: az vm start --resource-group businessContinuityTest --name windows --subscription \(Self.subscription) (or rdpvault set windows azure-start on)",
      "FAIL  Azure: windows has no public IP",
      "      fix: reach it through Azure Bastion or a jump host: rdpvault set windows bastion RG/BASTION (or jump user@host)",
      "skip  Azure: inbound rules for TCP",
    ] {
      #expect(result.stdout.contains(line), "\(line)\n\(result.stdout)")
    }
    #expect(!log(box).contains { $0.hasPrefix("network nic") }, "\(log(box))")
  }

  /// az's answer names what reaches az next: a network interface that is not an Azure
  /// resource id (an option, a URL) is reported, never passed on; names with control
  /// characters are printed escaped.
  @Test func whatAzAnswersIsCheckedBeforeItIsUsedOrPrinted() throws {
    let box = Sandbox()
    let show = try showOutput(box) {
      $0["networkProfile"] = [
        "networkInterfaces": [["id": "--debug"], ["id": "https://evil.example/x"]]
      ]
      $0["publicIps"] = "52.166.204.149\u{1B}[2J"
    }
    let (path, _) = try setUp(box, address: "1.1.1.1", show: show)
    let result = box.run(["check", "windows"], environment: ["PATH": path])
    #expect(result.status == 1)
    #expect(
      result.stdout.components(separatedBy: "az named a network interface that is not one").count
        == 3,
      "\(result.stdout)")
    #expect(!result.stdout.contains("\u{1B}"), "\(result.stdout)")
    #expect(!log(box).contains { $0.hasPrefix("network nic") }, "\(log(box))")
  }

  @Test func withoutAzOrWithNoAzureOnlyTheNetworkIsChecked() throws {
    let box = Sandbox()
    let (path, _) = try setUp(box, address: "1.1.1.1")
    let skipped = box.run(["check", "windows", "--no-azure"], environment: ["PATH": path])
    #expect(skipped.status == 1)
    #expect(!skipped.stdout.contains("Azure"), "\(skipped.stdout)")
    #expect(log(box).isEmpty)
    let noAz = box.run(["check", "windows"], environment: ["PATH": "/usr/bin:/bin"])
    #expect(
      noAz.stdout.hasSuffix("skip  Azure checks: az is not installed (the Azure CLI)\n"),
      "\(noAz.stdout)")
  }

  @Test func aVMAzCannotFindGetsTheLoginFix() throws {
    let box = Sandbox()
    let (path, _) = try setUp(box, address: "1.1.1.1", show: box.root + "/missing.json")
    let result = box.run(["check", "windows"], environment: ["PATH": path])
    #expect(result.status == 1)
    #expect(
      result.stdout.contains(
        """
        FAIL  Azure: cannot read the VM windows: az vm show failed: exit status 1
              fix: az login, then check its resource group (businessContinuityTest) and subscription (rdpvault edit windows --resource-group RG --subscription SUB)
        """), "\(result.stdout)")
    #expect(log(box).count == 1)
  }

  /// What connect already handles is said, not failed: a tunnel, azure-start, azure-jit. A
  /// stored public address that is not the VM's fails.
  @Test func whatConnectHandlesIsInfoAndAStaleHostFails() throws {
    let box = Sandbox()
    let show = try showOutput(box) { $0["powerState"] = "VM deallocated" }
    let (path, _) = try setUp(box, address: "52.166.1.2", show: show)
    for (key, value) in [("azure-start", "on"), ("bastion", "rg-hub/bastion-01")] {
      #expect(box.run(["set", "windows", key, value]).status == 0)
    }
    let handled = box.run(["check", "windows"], environment: ["PATH": path])
    for line in [
      "info  Azure: windows is not running (VM deallocated); connect starts it",
      "info  Azure: public IP 52.166.204.149; connect goes through its bastion",
      "info  Azure: inbound rules not checked: connect goes through its bastion",
    ] {
      #expect(handled.stdout.contains(line), "\(line)\n\(handled.stdout)")
    }
    #expect(!handled.stdout.contains("FAIL  Azure"), "\(handled.stdout)")
    #expect(box.run(["unset", "windows", "bastion"]).status == 0)
    #expect(box.run(["edit", "windows", "--host", "52.166.204.9"]).status == 0)
    let stale = box.run(["check", "windows"], environment: ["PATH": path])
    #expect(
      stale.stdout.contains(
        """
        FAIL  Azure: the stored host 52.166.204.9 is not the VM's public IP (52.166.204.149)
              fix: rdpvault edit windows --host 52.166.204.149
        """), "\(stale.stdout)")
  }
}
