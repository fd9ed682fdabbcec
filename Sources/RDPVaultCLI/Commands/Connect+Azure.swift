import Foundation
import VaultKit

extension RDPVault.Connect {
  /// The Azure steps connect takes before it checks the port: `azure-start on` (start the
  /// VM unless it runs) and `azure-jit` (request just-in-time access). Each value is the
  /// profile's, checked when read; each needs the user's approval like a hook.
  struct AzureSteps {
    let profile: Profile
    let start: AzureVM?
    let jit: (vm: AzureVM, value: String)?

    init(_ profile: Profile) throws {
      self.profile = profile
      let options = profile.settings.options
      start = options[ConnectOption.azureStart] == "on" ? try AzureVM(profile) : nil
      if let value = options[ConnectOption.azureJIT], value != "off" {
        jit = (try AzureVM(profile), value)
      } else {
        jit = nil
      }
    }

    var isEmpty: Bool { start == nil && jit == nil }

    /// What `connect --dry-run` prints: each az command as it will run (`hook approve`
    /// prints them too, without the approval marks).
    func dryRunLines(markApproval: Bool = true) -> [String] {
      func approval(_ key: String) -> String {
        markApproval && profile.settings.approved(key) == nil
          ? " (NOT approved: connect refuses to run it)" : ""
      }
      var lines: [String] = []
      if let start {
        lines.append(
          "azure-start: az \(ShellWords.join(AzurePower.statusArguments(start)))\(approval(ConnectOption.azureStart))"
        )
        lines.append(
          "azure-start: then, unless the VM runs: az \(ShellWords.join(AzurePower.startArguments(start)))"
        )
      }
      if let (vm, value) = jit {
        lines.append(
          "azure-jit: az \(ShellWords.join(AzureJIT.listArguments(vm)))\(approval(ConnectOption.azureJIT))"
        )
        let source = AzureJIT.fixedSource(value) ?? "SOURCE"
        let initiate = AzureJIT.initiateArguments(
          policyID: "POLICY-ID", vm: vm, port: profile.port, source: source, endTime: "END-TIME")
        lines.append("azure-jit: then: az \(ShellWords.join(initiate))")
        lines.append(
          "azure-jit: POLICY-ID is the id of the policy that lists this VM and port; END-TIME is now plus its longest access (at most 24 h)"
        )
        if AzureJIT.fixedSource(value) == nil {
          lines.append(
            "azure-jit: SOURCE is this machine's public address: curl \(ShellWords.join(PublicAddress.curlArguments))"
          )
        }
      }
      return lines
    }

    /// Each step's approval, and the Azure name's when a step or Bastion uses it.
    func checkApproved() throws {
      let usesName =
        !isEmpty || profile.settings.options[ConnectOption.bastion] != nil
      let keys = [
        (ConnectOption.azureStart, start != nil), (ConnectOption.azureJIT, jit != nil),
        (ConnectOption.azureVM, usesName && profile.settings.options[ConnectOption.azureVM] != nil),
      ]
      for (key, used) in keys where used && profile.settings.approved(key) == nil {
        throw VaultError.optionNotApproved(
          profile: profile.name, key: key, value: profile.settings.options[key] ?? "")
      }
    }

    /// Runs the steps; true when one of them means the port may take a while to open.
    func run(environment: [String: String]) throws -> Bool {
      var changed = false
      if let start {
        Diagnostics.note("asking Azure whether \(start.name) runs")
        if try AzurePower.ensureRunning(start, environment: environment) {
          Diagnostics.note("started \(start.name) (az vm start)")
          changed = true
          try checkAddress(start, environment: environment)
        }
      }
      if let (vm, value) = jit {
        Diagnostics.note("requesting just-in-time access to \(vm.name) port \(profile.port)")
        let (source, policy) = try AzureJIT.request(
          vm, port: profile.port, option: value, environment: environment)
        Diagnostics.note(
          "just-in-time access requested (policy \(policy.name) in \(policy.location)): port \(profile.port) from \(source) for \(DurationText.text(policy.maximumSeconds))"
        )
        changed = true
      }
      return changed
    }

    /// After a start a dynamic public IP may have changed, and the stored one may now be
    /// someone else's: the password is not sent there.
    func checkAddress(_ vm: AzureVM, environment: [String: String]) throws {
      guard PublicAddress.parse(profile.host) != nil else { return }
      let details = try AzureChecks.details(
        AzureCLI.run(AzureChecks.showArguments(vm), step: "az vm show", environment: environment))
      if AzureChecks.staleHost(profile, details: details) != nil {
        throw VaultError.azureAddressChanged(
          profile: profile.name, stored: profile.host, current: details.publicIPs)
      }
    }
  }
}
