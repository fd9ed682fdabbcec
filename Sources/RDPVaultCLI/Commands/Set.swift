import ArgumentParser
import VaultKit

extension RDPVault {
  struct Set: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "set",
      abstract: "Set an RDP setting on VMs.",
      usage: """
        rdpvault set NAME... KEY VALUE [<options>]
        rdpvault set NAME... --line 'name:type:value' [<options>]
        rdpvault set --tag TAG [<filters>] KEY VALUE [--yes]
        """,
      discussion: """
        KEY is an .rdp property rdpvault models, by its .rdp name ("screen mode id", or \
        screen-mode-id), checked against its documented range. Any other property goes in \
        verbatim with --line 'name:type:value'.

        Several VMs: give several names, globs ('lab-*', quoted) or list's filters (--tag, \
        --kind, --resource-group, --subscription, --host-match); the last two words are KEY \
        and VALUE. All of them change in one transaction, after one confirmation that lists \
        them (--yes skips it; without a terminal it is required).

        connect options: cert-sha256 HEX pins the server certificate (SHA-256). \
        A tunnel, started before the client and stopped after it (the client then goes to \
        127.0.0.1:LOCAL_PORT): tunnel 'CMD' (run with /bin/sh -c, LOCAL_PORT and the VM_* \
        variables in its environment), jump user@host[:port] (OpenSSH's ssh -N -L, with your \
        own ssh configuration and agent) or bastion [SUBSCRIPTION/]RG/NAME (az network bastion \
        tunnel to the VM's resource id; SUBSCRIPTION when the Bastion is in another). Azure steps before the port check: azure-start on (az vm start when \
        the VM is not running) and azure-jit on (or azure-jit ADDRESS: request just-in-time \
        access for this machine's public address, or ADDRESS). Bastion and the Azure steps \
        need the VM's resource group and subscription, and act on azure-vm NAME, the VM's \
        Azure name (by default the VM's own; rename keeps the old one there). \
        `connect --dry-run` prints every command.

        The pre-connect hook: `set NAME pre-connect 'CMD'`. Before each `connect` (and before \
        its port check), CMD runs with /bin/sh -c, stdin from /dev/null, its output on your \
        terminal (rdpvault's stdout and stderr), with VM_NAME, VM_HOST, VM_PORT, \
        VM_COMPUTER_NAME, VM_RESOURCE_GROUP and VM_SUBSCRIPTION in its environment (never a \
        password, nothing named RDPVAULT_*). A non-zero exit stops the connect before the \
        client starts. `connect --dry-run` prints the order. A command you set is approved by \
        setting it; \
        one from a bundle runs only after `rdpvault hook approve NAME`.

        Modelled properties:
        \(HelpText.list(RDPProperty.all.map { "\($0.name) (\($0.type.rawValue)): \($0.summary)" }))
        """)

    @OptionGroup var options: VaultOptions
    @Argument(
      help: ArgumentHelp("VM names or globs, then KEY and VALUE.", valueName: "name-key-value"),
      completion: VMNameCompletion.kind)
    var words: [String] = []
    @Option(help: "An extra .rdp line, kept verbatim.") var line: String?
    @OptionGroup var filter: FilterOptions
    @Flag(name: .shortAndLong, help: "Do not ask before changing several VMs.") var yes = false

    /// The VM names or globs, and the key and value, from the words.
    var parts: (names: [String], key: String?, value: String?) {
      if line != nil { return (words, nil, nil) }
      guard words.count >= 2 else { return ([], nil, nil) }
      return (Array(words.dropLast(2)), words[words.count - 2], words[words.count - 1])
    }

    func validate() throws {
      let dash = "a value that starts with '-' goes after --: rdpvault set NAME KEY -- VALUE"
      if line == nil && words.count < 2 {
        throw ValidationError("give KEY VALUE, or --line 'name:type:value' (\(dash))")
      }
      if line == nil && words.count == 2
        && ProfileSelection(names: [], filter: filter.filter(name: nil)).isEmpty
      {
        throw ValidationError("give the VM's name, then KEY VALUE (\(dash))")
      }
      try Selection.requireSomething(
        ProfileSelection(names: parts.names, filter: filter.filter(name: nil)))
    }

    func run() throws {
      let (names, key, value) = parts
      // The key and the value's range (or the line's syntax) are checked before the vault is
      // opened: a mistake is a usage error, reported before any passphrase is asked for.
      var probe = RDPSettings()
      try UsageError.check {
        if let line { try probe.addExtraLine(line) }
        if let key, let value { try probe.set(key, value) }
      }
      let vault = try options.openVault()
      let selection = ProfileSelection(names: names, filter: filter.filter(name: nil))
      let entries = try Selection.resolve(vault, selection)
      let targets = entries.map(\.profile.name)
      if let line {
        if !selection.isOneName { try Selection.confirm("Add \(line) to", entries, yes: yes) }
        try vault.addExtraLine(profiles: targets, line: line)
        Diagnostics.note("added to \(Selection.described(entries)): \(line)")
      } else if let key, let value {
        if !selection.isOneName {
          try Selection.confirm("Set \(key) to \(value) on", entries, yes: yes)
        }
        try vault.setSetting(profiles: targets, key: key, value: value)
        Diagnostics.note("set \(key) to \(value) on \(Selection.described(entries))")
      }
    }
  }
}
