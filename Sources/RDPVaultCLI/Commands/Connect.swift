import ArgumentParser
import Foundation
import VaultCrypto
import VaultKit

#if canImport(Glibc)
  import Glibc
#endif

extension ClientKind: ExpressibleByArgument {}

extension RDPVault {
  struct Connect: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "connect",
      abstract: "Launch the RDP client and hand it the credentials, never on a command line.",
      discussion: """
        Runs the profile's pre-connect command if it has one, then its Azure steps \
        (azure-start: start the VM; azure-jit: request just-in-time access), checks that \
        host:port answers (waiting up to --wait for it to open: 3 minutes by default after a \
        pre-connect command or an Azure step), or starts its tunnel (tunnel, jump, bastion), \
        then starts the client with the sign-in name and settings and gives it the password \
        on a pipe. Exits with the client's exit status. Everything after -- goes to the \
        client verbatim.
        """)

    @OptionGroup var options: VaultOptions
    @Argument(help: "The VM's name.", completion: VMNameCompletion.kind) var name: String
    @Option(help: "auto, xfreerdp, xfreerdp3, sdl-freerdp3, remmina, mstsc or macos.")
    var client: ClientKind = .auto
    @Option(help: "Run this executable as the client.") var clientPath: String?
    @Flag(help: "Print the launch plan, secrets as <redacted>, and start nothing.") var dryRun =
      false
    @Flag(help: "Skip the TCP check before connecting.") var noCheck = false
    @Option(
      help: ArgumentHelp(
        "How long to wait for the port to open (a VM starting, a just-in-time rule): 90s, 5m. Default: 3m after a pre-connect command or an Azure step, 30s for a tunnel's port, else one 3-second check.",
        valueName: "duration"))
    var wait: String?

    /// Long enough for an Azure VM to start or a JIT rule to apply, short enough to notice a
    /// VM that is not coming.
    static let defaultWaitAfterHook = 180
    /// How long a tunnel gets to open its port (`az network bastion tunnel` takes a few
    /// seconds, ssh less).
    static let defaultTunnelWait = 30

    @Argument(parsing: .postTerminator, help: "Arguments for the client.") var clientArguments:
      [String] = []

    func run() throws {
      let environment = ProcessInfo.processInfo.environment
      // Checked before the passphrase is asked: a mistake is a usage error.
      let waitSeconds = try wait.map { text -> Int in
        guard let seconds = DurationText.seconds(text, in: 0...3600) else {
          throw UsageError(
            message: "invalid --wait \(quoted(text))",
            hint: "give 0 (one check) to 1 hour, such as 90s, 5m or 1h")
        }
        return seconds
      }
      if waitSeconds != nil && noCheck {
        throw UsageError(message: "--wait and --no-check contradict each other", hint: nil)
      }
      let choice = try ClientChoice.choose(client, clientPath: clientPath, environment: environment)
      if !dryRun,
        let missing = choice.missingDisplay(
          environment: environment, extraArguments: clientArguments)
      {
        throw CLIError(
          "no display to show the session on: \(missing) (\(choice.kind.displayName) opens a window)",
          hint:
            "run connect in a desktop session (over SSH: ssh -X), or write an .rdp file with: rdpvault rdp \(ShellWords.join([name]))"
        )
      }
      let vault = try options.openVault()
      let entry = try vault.profile(named: name)
      let plan = try choice.plan(for: entry, extraArguments: clientArguments)
      let hook = entry.profile.settings.options[ConnectOption.preConnect]
      let approved = entry.profile.settings.approvedPreConnect
      let tunnel = try Tunnel.plan(for: entry.profile)
      let azure = try AzureSteps(entry.profile)
      if dryRun {
        print(
          "vm: \(entry.profile.name) (\(Output.address(entry.profile)), signs in as \(entry.signInName))"
        )
        print(
          "client: \(choice.kind.displayName), \(choice.program)\(choice.picked ? " (picked by --client auto)" : "")"
        )
        // Through a tunnel the client goes to its end on loopback: show that plan.
        let shown =
          try tunnel.map {
            try choice.plan(for: $0.rewrite(entry), extraArguments: clientArguments)
          } ?? plan
        for line in shown.rendered() { print(line) }
        for note in shown.notes { print("note: \(note.cliText)") }
        print(
          "pre-connect: \(hook.map { approved == nil ? "\($0) (NOT approved: connect refuses to run it)" : $0 } ?? "(none)")"
        )
        let waiting =
          waitSeconds ?? (hook != nil || azure.jit != nil ? Self.defaultWaitAfterHook : 0)
        // azure-start alone waits only when it starts the VM.
        let onlyIfStarted = waitSeconds == nil && waiting == 0 && azure.start != nil
        if let tunnel {
          print(
            "check: the tunnel's port 127.0.0.1:\(tunnel.localPort), waiting up to \(DurationText.text(waitSeconds ?? Self.defaultTunnelWait))"
          )
        } else {
          print(
            "check: \(noCheck ? "skipped (--no-check)" : "TCP connection to \(Output.address(entry.profile)), after the pre-connect command and Azure steps, \(waiting > 0 ? "waiting up to \(DurationText.text(waiting))" : onlyIfStarted ? "waiting up to \(DurationText.text(Self.defaultWaitAfterHook)) if azure-start starts the VM, else once, for 3 s" : "once, for 3 s")")"
          )
        }
        for line in azure.dryRunLines() { print(line) }
        if let gateway = entry.profile.settings.unapprovedGateway {
          print("gateway: \(gateway) (NOT approved: connect refuses to use it)")
        }
        if let tunnel {
          let approved = entry.profile.settings.approved(tunnel.option) != nil
          print(
            "tunnel: \(ShellWords.join(tunnel.command(for: entry.profile)))\(approved ? "" : " (NOT approved: connect refuses to run it)")"
          )
          print(
            "tunnel: LOCAL_PORT=\(tunnel.localPort) (chosen now; another on each connect); the client goes to 127.0.0.1:\(tunnel.localPort)"
          )
        }
        print(
          "order: pre-connect command, \(azure.isEmpty ? "" : "Azure steps, ")\(tunnel == nil ? "TCP check" : "tunnel (waits for its port)"), password from the vault, client\(tunnel == nil ? "" : ", tunnel stopped")"
        )
        return
      }
      if choice.picked { Diagnostics.note("using \(choice.kind.displayName) at \(choice.program)") }
      // The hook and the client may ask the user something (a certificate, a key's
      // passphrase): the terminal echoes again from here.
      QuietTerminal.end()
      // Every approval is checked before anything runs.
      if let hook, approved != hook {
        throw VaultError.hookNotApproved(profile: entry.profile.name, command: hook)
      }
      try azure.checkApproved()
      if let gateway = entry.profile.settings.unapprovedGateway {
        throw VaultError.optionNotApproved(
          profile: entry.profile.name, key: ConnectOption.gateway, value: gateway)
      }
      if let tunnel, entry.profile.settings.approved(tunnel.option) == nil {
        throw VaultError.optionNotApproved(
          profile: entry.profile.name, key: tunnel.option,
          value: entry.profile.settings.options[tunnel.option] ?? "")
      }
      if let hook {
        Diagnostics.note("running the pre-connect command")
        let status = try Launcher.runHook(hook, profile: entry.profile, environment: environment)
        if status != 0 { throw VaultError.hookFailed(status: status) }
      }
      let azureChanged = try azure.run(environment: environment)
      var launchPlan = plan
      // From the tunnel's start to the client's end a signal is caught, not fatal, so the
      // tunnel is always stopped.
      let signals = tunnel == nil ? nil : Launcher.catchSignals()
      defer { signals?.restore() }
      if let tunnel {
        if entry.profile.settings.options[ConnectOption.certSHA256] == nil {
          Diagnostics.warning(
            "through a tunnel the client meets the server at a new local port each time, so trust-on-first-use checks nothing: pin the certificate (rdpvault set \(entry.profile.name) cert-sha256 HEX)"
          )
        }
        let seconds = waitSeconds ?? Self.defaultTunnelWait
        do {
          // ssh may ask for a passphrase or a host key: no progress line over its prompt.
          try tunnel.start(
            for: entry.profile, environment: environment, seconds: seconds,
            progress: tunnel.option == ConnectOption.jump
              ? nil : Self.waitLine("the tunnel's port"))
        } catch VaultError.interrupted(let signal) {
          Diagnostics.error(VaultError.interrupted(signal: signal).cliMessage)
          throw ExitCode(128 + signal)
        }
        Diagnostics.note(
          "tunnel up on 127.0.0.1:\(tunnel.localPort): \(ShellWords.join(tunnel.command(for: entry.profile)))"
        )
        launchPlan = try choice.plan(for: tunnel.rewrite(entry), extraArguments: clientArguments)
      } else if !noCheck {
        let seconds = waitSeconds ?? (hook != nil || azureChanged ? Self.defaultWaitAfterHook : 0)
        try Reachability.wait(
          for: entry.profile, seconds: seconds,
          progress: seconds > 0 ? Self.waitLine(Output.address(entry.profile)) : nil)
      }
      // However the client ends (or this command fails), the tunnel stops.
      defer { tunnel?.stop() }
      if tunnel != nil && Launcher.signalReceived != 0 {
        throw ExitCode(128 + Launcher.signalReceived)
      }
      let password = try vault.password(forProfile: entry.profile.name)
      for note in launchPlan.announcements { Diagnostics.note(note) }
      let outcome = try Launcher.run(launchPlan, password: password, environment: environment)
      if let status = outcome.signedInDespiteStatus {
        Diagnostics.note(
          "\(choice.kind.executableName) exited with status \(status), but it logged a successful sign-in: "
            + "FreeRDP 3.10 ends every +auth-only run with a failure status, so connect exits 0")
      }
      if let signal = outcome.signal {
        Diagnostics.error("\(choice.kind.executableName) was ended by signal \(signal)")
        throw ExitCode(outcome.status)
      }
      let known = choice.meaning(ofStatus: outcome.status)
      if let known, known.endedByUser {
        Diagnostics.note("the session ended: \(known.meaning)")
      } else if outcome.status != 0 {
        let meaning = known.map { ": \($0.meaning)" } ?? ""
        Diagnostics.error(
          "\(choice.kind.executableName) exited with status \(outcome.status)\(meaning)",
          hint: outcome.findings.contains(.noMD4) ? Self.noMD4Hint : nil)
        throw ExitCode(outcome.status)
      }
    }

    /// "waiting for HOST:PORT: 12 s of 3m" on a terminal, erased when done.
    static func waitLine(_ address: String) -> ((Int, Int) -> Void)? {
      guard isatty(2) != 0, Diagnostics.level != .quiet else { return nil }
      return { waited, total in
        if waited >= total {
          Diagnostics.writeStderr("\r\u{1B}[K")
        } else {
          Diagnostics.writeStderr(
            "\rrdpvault: waiting for \(address): \(waited) s of \(DurationText.text(total))\u{1B}[K"
          )
        }
      }
    }

    static let noMD4Hint =
      "FreeRDP logged that OpenSSL's legacy provider did not load; NTLM needs its MD4, and without it every "
      + "password looks wrong. Make the provider loadable (Debian: libssl3's ossl-modules/legacy.so; check "
      + "OPENSSL_MODULES and OPENSSL_CONF), see README: NTLM and OpenSSL 3"
  }
}
