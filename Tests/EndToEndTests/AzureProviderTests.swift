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

  static func fixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("VaultKitTests/Fixtures/imports/azure-cli/" + name).path
  }

  /// `az` for the tests: logs each call's arguments; `vm get-instance-view` prints the
  /// statuses file; `vm start` makes the VM's port answer a second later; `network bastion
  /// tunnel` listens on its `--port`; `extra` adds `case` arms (pattern, then commands).
  func standIn(
    _ box: Sandbox, statuses: String, vmPort: Int, extra: [(String, String)] = []
  ) throws -> String {
    let bin = box.root + "/bin"
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    let arms = extra.map { "  \($0.0)) \($0.1) ;;" }.joined(separator: "\n")
    box.write(
      """
      #!/bin/sh
      printf '%s\\n' "$*" >> '\(box.root)/az.log'
      case "$1 $2 $3 $4" in
      \(arms)
        "vm get-instance-view"*) cat '\(statuses)' ;;
        "vm start"*)
          (sleep 1; exec socat TCP-LISTEN:\(vmPort),bind=127.0.0.1,reuseaddr,fork SYSTEM:true) >/dev/null 2>&1 &
          echo $! > '\(box.root)/vm.pid' ;;
        "network bastion"*)
          while [ $# -gt 0 ]; do [ "$1" = "--port" ] && port=$2; shift; done
          exec socat TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo bastion-az-test' ;;
        *) exit 9 ;;
      esac

      """, to: bin + "/az", mode: 0o755)
    return bin
  }

  /// `curl` for the tests: answers `address` (what api.ipify.org would), logs its arguments.
  func curl(_ box: Sandbox, answers address: String) {
    box.write(
      """
      #!/bin/sh
      printf '%s\\n' "$*" >> '\(box.root)/curl.log'
      printf '%s' '\(address)'

      """, to: box.root + "/bin/curl", mode: 0o755)
  }

  /// Kills what the stand-in's `vm start` or `rest --method post` left listening.
  func stopVM(_ box: Sandbox) {
    if let pid = try? String(contentsOfFile: box.root + "/vm.pid", encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines), let number = Int32(pid)
    {
      kill(number, SIGKILL)
    }
  }

  func vm(
    _ box: Sandbox, host: String, port: Int, name: String = "vm", group: String = "rg-lab",
    subscription: String = Self.subscription
  ) {
    let added = box.run(
      [
        "add", name, "--host", host, "--port", String(port), "--kind", "local", "--user", "u",
        "--resource-group", group, "--subscription", subscription, "--password-stdin",
      ], stdin: "pw\n")
    #expect(added.status == 0, "\(added.stderr)")
  }

  func log(_ box: Sandbox, _ file: String = "az.log") -> [String] {
    ((try? String(contentsOfFile: box.root + "/" + file, encoding: .utf8)) ?? "")
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
    let dry = box.run(
      ["connect", "vm", "--dry-run", "--client-path", "/bin/true"], environment: environment)
    #expect(
      dry.stdout.contains(
        "azure-start: then, unless the VM runs: az vm start --resource-group rg-lab --name vm --subscription \(Self.subscription)"
      ), "\(dry.stdout)")
    #expect(log(box).isEmpty, "--dry-run ran az")
    let result = box.run(["connect", "vm", "--client-path", "/bin/true"], environment: environment)
    stopVM(box)
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
    let listener = try Child(
      "/usr/bin/socat", ["TCP-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork", "SYSTEM:true"],
      environment: [:], stdout: "/dev/null", stderr: "/dev/null")
    defer { listener.stop() }
    usleep(300_000)
    let result = box.run(
      ["connect", "vm", "--client-path", "/bin/true"], environment: ["PATH": bin + ":/usr/bin:/bin"]
    )
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
      ["connect", "vm", "--client-path", "/bin/true"], environment: ["PATH": bin + ":/usr/bin:/bin"]
    )
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
        [
          "add", "bare", "--host", "10.0.0.1", "--kind", "local", "--user", "u", "--password-stdin",
        ],
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

  // MARK: azure-jit

  static let jitSubscription = "20ff7fc3-e762-44dd-bd96-b71116dcdc23"

  /// The stand-in's JIT arms: the resource group's policies (Microsoft's example, its port
  /// 3389 edited to `port`, after `edit` if given), and an initiate that opens `port` a
  /// second later.
  func jitArms(_ box: Sandbox, port: Int, edit: String = "") -> [(String, String)] {
    let list = Self.fixture(
      "rest-spec-example-GetJitNetworkAccessPoliciesResourceGroupLocation-body.json")
    let initiate = Self.fixture("rest-spec-example-InitiateJitNetworkAccessPolicy-202-body.json")
    return [
      (
        "\"rest --method get\"*",
        "sed -e 's/\"number\": 3389/\"number\": \(port)/' \(edit) '\(list)'"
      ),
      (
        "\"rest --method post\"*",
        "cat '\(initiate)'; (sleep 1; exec socat TCP-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork SYSTEM:true) >/dev/null 2>&1 & echo $! > '\(box.root)/vm.pid'"
      ),
    ]
  }

  /// A VM with JIT on, named and placed as in Microsoft's example (vm1 in myRg1).
  func jitVM(_ box: Sandbox, value: String = "on", edit: String = "") throws -> (String, Int) {
    box.initVault()
    let port = try RDPServer.freePort(host: "127.0.0.1")
    vm(
      box, host: "127.0.0.1", port: port, name: "vm1", group: "myRg1",
      subscription: Self.jitSubscription)
    let bin = try standIn(
      box, statuses: Self.statuses.path, vmPort: port, extra: jitArms(box, port: port, edit: edit))
    #expect(box.run(["set", "vm1", "azure-jit", value]).status == 0)
    return (bin, port)
  }

  @Test func azureJITRequestsAccessForThisMachinesAddressThenWaits() throws {
    let box = Sandbox()
    let (bin, port) = try jitVM(box)
    curl(box, answers: "52.166.1.2\n")
    let environment = ["PATH": bin + ":/usr/bin:/bin"]
    let dry = box.run(
      ["connect", "vm1", "--dry-run", "--client-path", "/bin/true"], environment: environment)
    #expect(
      dry.stdout.contains(
        "azure-jit: then: az rest --method post --url 'https://management.azure.comPOLICY-ID/initiate?api-version=2020-01-01'"
      ), "\(dry.stdout)")
    #expect(
      dry.stdout.contains(
        "azure-jit: SOURCE is this machine's public address: curl -q --silent --show-error --fail --proto '=https' --max-time 10 --max-filesize 64 https://api.ipify.org"
      ), "\(dry.stdout)")
    #expect(log(box).isEmpty && log(box, "curl.log").isEmpty, "--dry-run ran something")
    let before = Date()
    let result = box.run(
      ["connect", "vm1", "--client-path", "/bin/true"], environment: environment)
    stopVM(box)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stderr.contains(
        "just-in-time access requested (policy default in westeurope): port \(port) from 52.166.1.2 for 3h"
      ),
      "\(result.stderr)")
    let calls = log(box)
    #expect(calls.count == 2, "\(calls)")
    #expect(
      calls.first
        == "rest --method get --url https://management.azure.com/subscriptions/\(Self.jitSubscription)/resourceGroups/myRg1/providers/Microsoft.Security/jitNetworkAccessPolicies?api-version=2020-01-01 --output json"
    )
    let post = try #require(calls.last)
    let prefix =
      "rest --method post --url https://management.azure.com/subscriptions/\(Self.jitSubscription)/resourceGroups/myRg1/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default/initiate?api-version=2020-01-01 --body "
    #expect(post.hasPrefix(prefix) && post.hasSuffix(" --output json"), "\(post)")
    let body = String(post.dropFirst(prefix.count).dropLast(" --output json".count))
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    let machine = try #require((object["virtualMachines"] as? [[String: Any]])?.first)
    #expect(
      machine["id"] as? String
        == "/subscriptions/\(Self.jitSubscription)/resourceGroups/myRg1/providers/Microsoft.Compute/virtualMachines/vm1"
    )
    let request = try #require((machine["ports"] as? [[String: Any]])?.first)
    #expect(request["number"] as? Int == port)
    #expect(request["allowedSourceAddressPrefix"] as? String == "52.166.1.2")
    let end = try #require(
      (request["endTimeUtc"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
    // The policy grants PT3H: the request asks for that, from now.
    #expect(abs(end.timeIntervalSince(before) - 3 * 3600) < 60, "\(end)")
    #expect(
      log(box, "curl.log") == [
        "-q --silent --show-error --fail --proto =https --max-time 10 --max-filesize 64 https://api.ipify.org"
      ])
  }

  @Test func azureJITWithAnAddressAsksNobodyForIt() throws {
    let box = Sandbox()
    let (bin, _) = try jitVM(box, value: "52.166.7.8")
    curl(box, answers: "52.166.1.2")
    let result = box.run(
      ["connect", "vm1", "--client-path", "/bin/true"],
      environment: ["PATH": bin + ":/usr/bin:/bin"])
    stopVM(box)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      log(box).last?.contains("\"allowedSourceAddressPrefix\":\"52.166.7.8\"") == true,
      "\(log(box))")
    #expect(log(box, "curl.log").isEmpty)
    for bad in ["10.0.0.7", "1.1.1.1/0", "*", "0.0.0.0", "052.1.1.1", "on --debug"] {
      #expect(box.run(["set", "vm1", "azure-jit", "--", bad]).status != 0, "\(bad) was accepted")
    }
  }

  /// Whoever answers for "this machine's address" decides who may reach the VM: anything but
  /// one public IPv4 address stops the connect before the request.
  @Test func anAddressAnswerThatIsNotAPublicAddressRequestsNothing() throws {
    let box = Sandbox()
    let (bin, _) = try jitVM(box)
    for answer in [
      "10.0.0.7", "127.0.0.1", "0.0.0.0/0", "*", "<html>52.166.1.2</html>",
      "52.166.1.2 198.51.100.1", "",
    ] {
      try? FileManager.default.removeItem(atPath: box.root + "/az.log")
      curl(box, answers: answer)
      let result = box.run(
        ["connect", "vm1", "--client-path", "/bin/true"],
        environment: ["PATH": bin + ":/usr/bin:/bin"])
      #expect(result.status == 1, "\(answer): \(result.stderr)")
      #expect(
        result.stderr.contains(
          "this machine's public address is unknown: https://api.ipify.org did not answer with a public IPv4 address"
        ),
        "\(answer): \(result.stderr)")
      #expect(log(box).count == 1, "\(answer): \(log(box))")
    }
  }

  /// The policy id az lists becomes a URL az posts to: one that is not a JIT policy of the
  /// VM's own subscription is refused, and a VM no policy lists gets a clear message.
  @Test func aPolicyListThatLeadsElsewhereRequestsNothing() throws {
    for edit in [
      "-e 's|/subscriptions/20ff7fc3-e762-44dd-bd96-b71116dcdc23/resourceGroups/myRg1/providers/Microsoft.Security|https://evil.example/x/y/z/providers/Microsoft.Security|'",
      "-e 's|locations/westeurope/jitNetworkAccessPolicies/default|locations/westeurope/jitNetworkAccessPolicies/default?x=1|'",
      "-e 's|/subscriptions/20ff7fc3-e762-44dd-bd96-b71116dcdc23/resourceGroups/myRg1/providers/Microsoft.Security|/subscriptions/ffffffff-e762-44dd-bd96-b71116dcdc23/resourceGroups/myRg1/providers/Microsoft.Security|'",
    ] {
      let box = Sandbox()
      let (bin, _) = try jitVM(box, edit: edit)
      curl(box, answers: "52.166.1.2")
      let result = box.run(
        ["connect", "vm1", "--client-path", "/bin/true"],
        environment: ["PATH": bin + ":/usr/bin:/bin"])
      #expect(result.status == 1)
      #expect(
        result.stderr.contains("a policy's id is not a JIT policy of this subscription"),
        "\(result.stderr)")
      #expect(log(box).count == 1, "\(log(box))")
    }
    let box = Sandbox()
    let (bin, _) = try jitVM(box, edit: "-e 's|virtualMachines/vm1|virtualMachines/vm9|g'")
    let result = box.run(
      ["connect", "vm1", "--client-path", "/bin/true"],
      environment: ["PATH": bin + ":/usr/bin:/bin"])
    #expect(result.status == 1)
    #expect(
      result.stderr.contains("no just-in-time policy in vm1's resource group covers port"),
      "\(result.stderr)")
    #expect(
      result.stderr.contains(
        "rdpvault: hint: enable just-in-time access for the VM in Microsoft Defender for Cloud"))
    #expect(log(box).count == 1, "\(log(box))")
  }

  /// Azure steps and a Bastion host from a teammate's bundle wait for approval, like a hook.
  @Test func azureStepsFromABundleNeedApproval() throws {
    let alice = Sandbox()
    alice.initVault()
    let bob = Sandbox()
    bob.initVault()
    vm(alice, host: "127.0.0.1", port: 1)
    for (key, value) in [
      ("azure-start", "on"), ("azure-jit", "on"), ("bastion", "rg-hub/bastion-01"),
    ] {
      #expect(alice.run(["set", "vm", key, value]).status == 0)
    }
    let bundle = alice.export("vm", to: bob)
    let imported = bob.run(["import", bundle])
    #expect(imported.status == 0, "\(imported.stderr)")
    for line in ["azure-start: on", "azure-jit: on", "bastion: rg-hub/bastion-01"] {
      #expect(
        imported.stderr.contains("\(line) (not approved: connect will not use it)"),
        "\(imported.stderr)")
    }
    let bin = try standIn(bob, statuses: Self.statuses.path, vmPort: 1)
    let refused = bob.run(
      ["connect", "vm", "--client-path", "/bin/true"], environment: ["PATH": bin + ":/usr/bin:/bin"]
    )
    #expect(refused.status == 1)
    #expect(
      refused.stderr.contains("vm's azure-start came from outside this vault and is not approved"),
      "\(refused.stderr)")
    #expect(log(bob).isEmpty, "az ran before approval: \(log(bob))")
    let approve = bob.run(["hook", "approve", "vm", "--yes"])
    #expect(approve.status == 0, "\(approve.stderr)")
    #expect(
      approve.stdout.contains(
        "azure-jit of vm, a just-in-time access request (az rest) before each connect"),
      "\(approve.stdout)")
    #expect(bob.run(["show", "vm"]).stdout.contains("rg-hub/bastion-01  (approved)"))
  }

  /// A dynamic public IP changes when the VM starts: the stored one may be someone else's
  /// by then, so connect stops instead of sending the password there.
  @Test func aVMThatCameUpOnAnotherAddressIsNotConnectedTo() throws {
    let box = Sandbox()
    box.initVault()
    vm(box, host: "52.166.204.9", port: 3389)
    let show = try AzureCheckTests().showOutput(box)
    let bin = try standIn(
      box, statuses: Self.statuses.path, vmPort: 1, extra: [("\"vm show\"*", "cat '\(show)'")])
    #expect(box.run(["set", "vm", "azure-start", "on"]).status == 0)
    let result = box.run(
      ["connect", "vm", "--client-path", "/bin/true"], environment: ["PATH": bin + ":/usr/bin:/bin"]
    )
    stopVM(box)
    #expect(result.status == 1)
    #expect(
      result.stderr.contains(
        "vm's public IP is now 52.166.204.149, not the stored 52.166.204.9 (a dynamic IP changes when the VM starts); not connecting to the old one"
      ), "\(result.stderr)")
    #expect(result.stderr.contains("rdpvault: hint: rdpvault edit vm --host 52.166.204.149"))
    #expect(
      log(box).last?.hasPrefix("vm show --show-details --resource-group rg-lab --name vm") == true)
  }

  /// The Azure steps act on the VM's Azure name, which a rename keeps (as `azure-vm`); so
  /// does an import that renames on a conflict, but that one waits for approval.
  @Test func aRenamedVMKeepsItsAzureName() throws {
    let box = Sandbox()
    box.initVault()
    vm(box, host: "127.0.0.1", port: 3389)
    #expect(
      box.run(["set", "vm", "bastion", "11111111-2222-3333-4444-555555555555/rg-hub/bastion-01"])
        .status == 0)
    let renamed = box.run(["rename", "vm", "web"])
    #expect(renamed.status == 0)
    #expect(
      renamed.stderr.contains("its Azure VM name stays vm (azure-vm), for its Azure steps"),
      "\(renamed.stderr)")
    let dry = box.run(["connect", "web", "--dry-run", "--client-path", "/bin/true"])
    #expect(
      dry.stdout.contains(
        "--target-resource-id /subscriptions/\(Self.subscription)/resourceGroups/rg-lab/providers/Microsoft.Compute/virtualMachines/vm "
      ) && dry.stdout.contains("--subscription 11111111-2222-3333-4444-555555555555"),
      "\(dry.stdout)")
    #expect(!dry.stdout.contains("NOT approved"), "\(dry.stdout)")
    #expect(box.run(["show", "web"]).stdout.contains("azure-vm:"))
    let approve = box.run(["hook", "approve", "web", "--yes"])
    #expect(
      approve.stdout.contains(
        "  tunnel: az network bastion tunnel --name bastion-01 --resource-group rg-hub --target-resource-id /subscriptions/\(Self.subscription)/resourceGroups/rg-lab/providers/Microsoft.Compute/virtualMachines/vm"
      ), "\(approve.stdout)")
    for bad in ["..", "vm.", "-vm", "a/b"] {
      #expect(box.run(["set", "web", "azure-vm", "--", bad]).status != 0, "\(bad)")
    }
    #expect(box.run(["set", "web", "bastion", "not-a-guid/rg/b"]).status != 0)
  }

  @Test func aVMRenamedOnImportKeepsItsAzureNameUnapproved() throws {
    let alice = Sandbox()
    alice.initVault()
    let bob = Sandbox()
    bob.initVault()
    vm(alice, host: "127.0.0.1", port: 1)
    vm(bob, host: "127.0.0.2", port: 1)
    let bundle = alice.export("vm", to: bob)
    let imported = bob.run(["import", bundle, "--on-conflict", "rename"])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(imported.stderr.contains("azure-vm: vm (not approved"), "\(imported.stderr)")
    #expect(
      bob.run(["show", "vm-2"]).stdout.contains("vm  (NOT approved: rdpvault hook approve vm-2)"))
    #expect(bob.run(["set", "vm-2", "azure-start", "on"]).status == 0)
    let refused = bob.run(["connect", "vm-2", "--client-path", "/bin/true"])
    #expect(refused.status == 1)
    #expect(
      refused.stderr.contains("vm-2's azure-vm came from outside this vault"), "\(refused.stderr)")
  }

  /// A VM has one way through: setting a tunnel, jump host or Bastion replaces the others
  /// (and their approvals); a bundle that carries two is refused; check skips the direct
  /// TCP probe of a VM reached through one.
  @Test func aVMHasOneTunnel() throws {
    let box = Sandbox()
    box.initVault()
    vm(box, host: "127.0.0.1", port: 1)
    #expect(box.run(["set", "vm", "jump", "ops@bastion.example"]).status == 0)
    #expect(box.run(["set", "vm", "tunnel", "sleep 1"]).status == 0)
    let set = box.run(["set", "vm", "bastion", "rg-hub/bastion-01"])
    #expect(set.stderr.contains("set bastion to rg-hub/bastion-01 on vm"), "\(set.stderr)")
    let shown = box.run(["show", "vm"]).stdout
    #expect(
      shown.contains("bastion:") && !shown.contains("jump:") && !shown.contains("tunnel:"),
      "\(shown)")
    let checked = box.run(["check", "vm", "--no-azure"])
    #expect(
      checked.stdout == "info  TCP check skipped: connect goes through its bastion\n",
      "\(checked.stdout)")
    #expect(checked.status == 0)
    let mallory = try HostileSender()
    mallory.pin(in: box)
    let bundle = try mallory.bundle(
      for: box,
      profiles: [
        HostileSender.profile(
          "two", settings: ["options": ["jump": "ops@a.example", "tunnel": "sleep 1"]])
      ],
      accounts: [HostileSender.account()])
    let refused = box.run(["import", bundle])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("a VM has one tunnel"), "\(refused.stderr)")
  }
}
