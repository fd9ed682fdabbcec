import ArgumentParser
import VaultKit

extension RDPVault {
  struct Hook: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "hook",
      abstract: "Approve a VM's pre-connect command, tunnel or other connect step before use.",
      discussion: """
        A pre-connect command, tunnel, jump host, Bastion host, Azure step (azure-start, \
        azure-jit) or RD Gateway (gatewayhostname) you set with `rdpvault set NAME KEY VALUE` is approved by that act. One that came from outside (a teammate's bundle) is stored unapproved, and \
        connect refuses to run it. `hook approve NAME` prints the exact command and, after a \
        yes on the terminal (or --yes), records approval of that exact text; any later change \
        needs a new approval.
        """,
      subcommands: [Approve.self])

    struct Approve: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Show a VM's pre-connect command, tunnel or other connect step and approve it.")

      @OptionGroup var options: VaultOptions
      @Argument(help: "The VM's name.", completion: VMNameCompletion.kind) var name: String
      @Flag(name: .shortAndLong, help: "Approve without asking (the command is still printed).")
      var yes = false

      func run() throws {
        let vault = try options.openVault()
        let entry = try vault.profile(named: name)
        let settings = entry.profile.settings
        let present = ConnectOption.approvable.filter { settings.approvable($0) != nil }
        guard !present.isEmpty else { throw VaultError.noPreConnect(profile: entry.profile.name) }
        for key in present {
          let label = key == ConnectOption.preConnect ? "pre-connect command" : key
          print("\(label) of \(entry.profile.name)\(Self.meaning[key] ?? ""):")
          print("  \(Output.printable(settings.approvable(key)!))")
        }
        // What connect would run with these values, exactly.
        var commands =
          (try? RDPVault.Connect.AzureSteps(entry.profile))?.dryRunLines(markApproval: false) ?? []
        if let tunnel = try? Tunnel.plan(for: entry.profile), present.contains(tunnel.option) {
          commands.append(
            "tunnel: \(ShellWords.join(tunnel.command(for: entry.profile))) (LOCAL_PORT \(tunnel.localPort) here; another on each connect)"
          )
        }
        if !commands.isEmpty {
          print("what connect runs with these values:")
          for line in commands { print("  \(Output.printable(line))") }
        }
        let pending = settings.unapproved
        if pending.isEmpty {
          Diagnostics.note(
            present.count == 1 ? "it is already approved" : "they are already approved")
          return
        }
        if !yes {
          guard
            try Prompt.confirm(
              pending.count == 1 ? "Approve exactly this?" : "Approve exactly these?",
              hint: "pass --yes to approve without a terminal")
          else { throw CLIError("not approved") }
        }
        for key in pending {
          let value = settings.approvable(key)!
          if key == ConnectOption.preConnect {
            try vault.approvePreConnect(profile: entry.profile.name, command: value)
          } else {
            // Setting the value shown is approving exactly it (set approves what it sets).
            try vault.setSetting(profiles: [entry.profile.name], key: key, value: value)
          }
          let label = key == ConnectOption.preConnect ? "pre-connect command" : key
          Diagnostics.note("approved the \(label) of \(entry.profile.name)")
        }
      }

      static let meaning = [
        ConnectOption.preConnect: ", run with /bin/sh -c before each connect",
        ConnectOption.tunnel: ", run with /bin/sh -c for each connect and stopped after it",
        ConnectOption.jump: ", the SSH host each connect goes through",
        ConnectOption.bastion:
          ", the Azure Bastion host each connect goes through (az network bastion tunnel)",
        ConnectOption.azureStart: ", az vm start before each connect when the VM is not running",
        ConnectOption.azureJIT: ", a just-in-time access request (az rest) before each connect",
        ConnectOption.azureVM: ", the Azure VM that azure-start, azure-jit and bastion act on",
        ConnectOption.gateway:
          ", the RD Gateway each connect goes through (the client offers it the VM's sign-in name and password)",
      ]
    }
  }
}
