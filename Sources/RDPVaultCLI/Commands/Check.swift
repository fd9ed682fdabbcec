import ArgumentParser
import Foundation
import VaultKit

extension RDPVault {
  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "check",
      abstract: "Check that a VM's name resolves and its RDP port answers.",
      discussion: """
        For a VM reached through a tunnel (tunnel, jump, bastion) the direct TCP check is \
        skipped. For a VM with a resource group (an Azure import stores it) and az installed, \
        also asks Azure: is the VM running, does it have a public IP (and is it the stored \
        host), do its effective network security rules let TCP in on the VM's port from this \
        machine's public address (learnt from https://api.ipify.org with curl), and does a \
        just-in-time policy cover it. A failure comes with a one-line fix where there is one. \
        Nothing is changed. Exits 1 if any check fails.
        """)

    @OptionGroup var options: VaultOptions
    @Argument(help: "The VM's name.", completion: VMNameCompletion.kind) var name: String
    @Flag(help: "Skip the Azure checks.") var noAzure = false

    func run() throws {
      let entry = try options.openVault().profile(named: name)
      let profile = entry.profile
      var failure: Error?
      let route = ConnectOption.routes.first { profile.settings.options[$0] != nil }
      if let route {
        print("info  TCP check skipped: connect goes through its \(route)")
      } else {
        do {
          let address = try Reachability.probe(profile)
          print("ok    \(Output.printable(profile.host)) resolves")
          print("ok    TCP \(address) accepts connections")
        } catch let error as VaultError {
          switch error {
          case .unresolvable: print("FAIL  \(Output.printable(profile.host)) does not resolve")
          default:
            print("ok    \(Output.printable(profile.host)) resolves")
            print("FAIL  TCP \(Output.address(profile)) does not accept connections")
          }
          failure = error
        }
      }
      let environment = ProcessInfo.processInfo.environment
      let azure = !noAzure && !profile.resourceGroup.isEmpty
      if azure && !AzureCLI.isInstalled(environment) {
        print("skip  Azure checks: az is not installed (the Azure CLI)")
      } else if azure {
        // The address is asked for only when the inbound rules are read.
        let results = AzureChecks.run(profile, environment: environment) {
          try PublicAddress.detect(environment: environment)
        }
        for result in results {
          let label = result.outcome == .fail ? "FAIL" : result.outcome.rawValue
          print(
            "\(label.padding(toLength: 6, withPad: " ", startingAt: 0))\(Output.printable(result.text))"
          )
          if let fix = Self.words(result.fixes, name: profile.name) {
            print("      fix: \(Output.printable(fix))")
          }
        }
        if failure == nil, results.contains(where: { $0.outcome == .fail }) {
          failure = ExitCode.failure
        }
      }
      if let failure { throw failure }
    }

    /// One line: the main fix, the others in parentheses.
    static func words(_ fixes: [AzureChecks.Fix], name: String) -> String? {
      let texts = fixes.map { fix -> String in
        switch fix {
        case .az(let arguments): "az " + ShellWords.join(arguments)
        case .setOption(let key, let value):
          "rdpvault set \(name) \(key) \(value)"
            + (key == ConnectOption.azureJIT ? " (connect then requests access each time)" : "")
        case .tunnel:
          "reach it through Azure Bastion or a jump host: rdpvault set \(name) bastion RG/BASTION (or jump user@host)"
        case .setHost(let host): "rdpvault edit \(name) --host \(host)"
        case .login(let group):
          "az login, then check its resource group (\(group)) and subscription (rdpvault edit \(name) --resource-group RG --subscription SUB)"
        }
      }
      guard let first = texts.first else { return nil }
      return texts.count == 1
        ? first : first + " (or " + texts.dropFirst().joined(separator: ", or ") + ")"
    }
  }
}
