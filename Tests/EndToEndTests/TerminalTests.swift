import Foundation
import Testing

/// Prompts on a real pseudo-terminal: secrets are never echoed, new ones are asked twice,
/// confirmations take only a yes, and Ctrl-C puts the terminal back as it was.
@Suite(.serialized) struct TerminalTests {
  @Test func initAsksTwiceAndEchoesNothing() throws {
    let box = Sandbox()
    let session = try TerminalSession(box, ["init", "--kdf", "interactive"])
    #expect(session.waitFor("New vault passphrase: "))
    #expect(!session.echoes)
    session.type("typed secret one\n")
    #expect(session.waitFor("Repeat the passphrase: "))
    #expect(!session.echoes)
    session.type("typed secret one\n")
    #expect(session.finish() == 0)
    #expect(session.screen.contains("Created vault"))
    #expect(
      !session.screen.contains("typed secret"), "the passphrase was echoed: \(session.screen)")
    // The passphrase typed opens the vault.
    box.write("typed secret one\n", to: box.passphraseFile)
    #expect(box.run(["list"]).status == 0)
  }

  @Test func twoDifferentPassphrasesAreRefused() throws {
    let box = Sandbox()
    let session = try TerminalSession(box, ["init", "--kdf", "interactive"])
    #expect(session.waitFor("New vault passphrase: "))
    session.type("first one\n")
    #expect(session.waitFor("Repeat the passphrase: "))
    session.type("second one\n")
    #expect(session.finish() == 1)
    #expect(session.screen.contains("rdpvault: error: the two passphrases do not match"))
    #expect(!FileManager.default.fileExists(atPath: box.vault))
  }

  /// A "y" typed before the question appeared does not answer it.
  @Test func aYesTypedAheadIsNotAnAnswer() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        ["add", "vm", "--host", "10.0.0.4", "--kind", "local", "--user", "u", "--password-stdin"],
        stdin: "pw\n"
      ).status == 0)
    let session = try TerminalSession(
      box, ["rm", "vm"], environment: ["RDPVAULT_PASSPHRASE_FILE": box.passphraseFile])
    session.type("y\n")
    #expect(session.waitFor("[y/N] "))
    usleep(300_000)
    #expect(!session.screen.hasSuffix("removed vm\r\n"))
    session.type("n\n")
    #expect(session.finish() == 1)
    #expect(box.run(["show", "vm"]).status == 0, "the typed-ahead y removed the VM")
  }

  @Test func rmRemovesOnlyAfterAYes() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        ["add", "vm", "--host", "10.0.0.4", "--kind", "local", "--user", "u", "--password-stdin"],
        stdin: "pw\n"
      ).status == 0)
    for answer in ["n", "", "yess", "no"] {
      let session = try TerminalSession(
        box, ["rm", "vm"], environment: ["RDPVAULT_PASSPHRASE_FILE": box.passphraseFile])
      #expect(session.waitFor("Remove vm (10.0.0.4:3389) from the vault? [y/N] "))
      session.type(answer + "\n")
      #expect(session.finish() == 1, "answer \(answer.debugDescription)")
      #expect(session.screen.contains("rdpvault: error: not removed"))
    }
    #expect(box.run(["show", "vm"]).status == 0)
    let session = try TerminalSession(
      box, ["rm", "vm"], environment: ["RDPVAULT_PASSPHRASE_FILE": box.passphraseFile])
    #expect(session.waitFor("[y/N] "))
    session.type("y\n")
    #expect(session.finish() == 0)
    #expect(box.run(["show", "vm"]).status == 1)
  }

  /// Echo stays off from the passphrase prompt to the end of the command: what is typed
  /// while the key is derived never shows, and is not answered to the question that follows.
  @Test func nothingTypedDuringTheKeyDerivationShows() throws {
    let box = Sandbox()
    // The moderate preset: the key derivation lasts long enough to type into (0.3 s and more).
    #expect(box.run(["init", "--kdf", "moderate"]).status == 0)
    #expect(
      box.run(
        ["add", "vm", "--host", "10.0.0.4", "--kind", "local", "--user", "u", "--password-stdin"],
        stdin: "pw\n"
      ).status == 0)
    let passphrase = try String(contentsOfFile: box.passphraseFile, encoding: .utf8)
    let session = try TerminalSession(box, ["rm", "vm"], environment: ["RDPVAULT_NO_AGENT": "1"])
    #expect(session.waitFor("Vault passphrase: "))
    session.type(passphrase)
    #expect(session.waitFor("Vault passphrase: \r\n"))
    #expect(!session.echoes, "echo came back while the key was being derived")
    session.type("y\ntyped-during-kdf")
    #expect(session.waitFor("[y/N] "))
    usleep(200_000)
    #expect(!session.screen.contains("typed-during-kdf"), "\(session.screen)")
    #expect(!session.screen.hasSuffix("removed vm\r\n"), "a y typed during the KDF answered")
    session.type("n\n")
    #expect(session.finish() == 1)
    #expect(session.echoedAtExit, "the terminal was left without echo")
    #expect(box.run(["show", "vm"]).status == 0)
  }

  /// Several VMs change after one confirmation that lists each of them.
  @Test func oneConfirmationListsEveryVM() throws {
    let box = Sandbox()
    box.initVault()
    for index in 1...3 {
      #expect(
        box.run(
          [
            "add", "lab-\(index)", "--host", "10.0.0.\(index)", "--kind", "local", "--user", "u",
            "--tag", "lab", "--password-stdin",
          ], stdin: "pw\n"
        ).status == 0)
    }
    let environment = ["RDPVAULT_PASSPHRASE_FILE": box.passphraseFile]
    let declined = try TerminalSession(box, ["rm", "--tag", "LAB"], environment: environment)
    #expect(declined.waitFor("Remove these 3 VMs? [y/N] "))
    for index in 1...3 { #expect(declined.screen.contains("lab-\(index)  10.0.0.\(index):3389")) }
    declined.type("n\n")
    #expect(declined.finish() == 1)
    #expect(declined.screen.contains("rdpvault: error: not removed"))
    let set = try TerminalSession(
      box, ["set", "lab-*", "screen-mode-id", "1"], environment: environment)
    #expect(set.waitFor("Set screen-mode-id to 1 on these 3 VMs? [y/N] "))
    set.type("y\n")
    #expect(set.finish() == 0)
    #expect(set.screen.contains("set screen-mode-id to 1 on 3 VMs (lab-1, lab-2, lab-3)"))
    let removed = try TerminalSession(box, ["rm", "lab-1", "lab-3"], environment: environment)
    #expect(removed.waitFor("Remove these 2 VMs? [y/N] "))
    #expect(!removed.screen.contains("lab-2"))
    removed.type("y\n")
    #expect(removed.finish() == 0)
    let names = box.run(["list"]).stdout
    #expect(names.contains("lab-2") && !names.contains("lab-1") && !names.contains("lab-3"))
  }

  /// Ctrl-C at a passphrase prompt ends rdpvault and leaves the terminal echoing again.
  @Test func ctrlCAtAPromptRestoresTheTerminal() throws {
    let box = Sandbox()
    box.initVault()
    // A prompt is the subject: not through the agent.
    let session = try TerminalSession(box, ["list"], environment: ["RDPVAULT_NO_AGENT": "1"])
    #expect(session.waitFor("Vault passphrase: "))
    #expect(!session.echoes)
    session.type("\u{03}")
    #expect(session.finish() == 128 + SIGINT)
    #expect(session.echoedAtExit, "the terminal was left without echo")
  }

  /// A file that names a local user but not the computer: the terminal is asked, nothing is
  /// invented from the file name.
  @Test func theComputerNameIsAskedForNotInvented() throws {
    let box = Sandbox()
    box.initVault()
    let file = box.write(
      "full address:s:10.4.0.1\r\nusername:s:azureuser\r\n", to: "azure-vm-10.rdp")
    let session = try TerminalSession(
      box, ["import", file], environment: ["RDPVAULT_PASSPHRASE_FILE": box.passphraseFile])
    #expect(
      session.waitFor(
        "names the local user azureuser but not the computer. Its Windows computer name (. for the VM itself): "
      ))
    session.type("VM10\n")
    #expect(session.finish() == 0, "\(session.screen)")
    #expect(session.screen.contains("signs in as VM10\\azureuser"))
    #expect(box.run(["show", "azure-vm-10"]).stdout.contains("VM10\\azureuser"))
  }

  /// A password prompt names whose password it is, and `account passwd` finds the account
  /// before it asks: a mistyped name is told at once, with nothing to type first.
  @Test func passwordPromptsNameTheAccount() throws {
    let box = Sandbox()
    box.initVault()
    let environment = ["RDPVAULT_PASSPHRASE_FILE": box.passphraseFile]
    let add = try TerminalSession(
      box, ["add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "azureuser"],
      environment: environment)
    #expect(add.waitFor("Password for WEB-01\\azureuser: "))
    #expect(!add.echoes)
    add.type("First-secret-1\n")
    #expect(add.waitFor("Repeat the password: "))
    add.type("First-secret-1\n")
    #expect(add.finish() == 0, "\(add.screen)")

    let change = try TerminalSession(
      box, ["account", "passwd", "web-01\\AZUREUSER"], environment: environment)
    #expect(change.waitFor("Password for WEB-01\\azureuser: "), "\(change.screen)")
    change.type("Second-secret-2\n")
    #expect(change.waitFor("Repeat the password: "))
    change.type("Second-secret-2\n")
    #expect(change.finish() == 0, "\(change.screen)")
    #expect(box.run(["password", "web-01"]).stdout == "Second-secret-2\n")

    let typo = try TerminalSession(
      box, ["account", "passwd", "WEB-02\\azureuser"], environment: environment)
    #expect(typo.finish() == 1)
    #expect(typo.screen.contains("rdpvault: error: "), "\(typo.screen)")
    #expect(!typo.screen.contains("Password for"), "\(typo.screen)")

    let edit = try TerminalSession(
      box,
      ["edit", "web-01", "--kind", "domain", "--domain", "CONTOSO", "--user", "alice", "--yes"],
      environment: environment)
    #expect(edit.waitFor("Password for the new account of web-01: "), "\(edit.screen)")
    edit.type("Third-secret-3\n")
    #expect(edit.waitFor("Repeat the password: "))
    edit.type("Third-secret-3\n")
    #expect(edit.finish() == 0, "\(edit.screen)")
    #expect(box.run(["password", "web-01"]).stdout == "Third-secret-3\n")
  }

  /// A long import shows its progress on a terminal (and only there: the bulk tests without
  /// one see no such line).
  @Test func aLongImportShowsProgressOnATerminal() throws {
    let box = Sandbox()
    box.initVault()
    let folder = box.root + "/many"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for index in 0..<30 {
      box.write(
        "full address:s:10.5.0.\(index + 1)\r\nusername:s:M\(index)\\u\r\n",
        to: folder + "/m\(index).rdp")
    }
    let session = try TerminalSession(
      box, ["import", folder], environment: ["RDPVAULT_PASSPHRASE_FILE": box.passphraseFile])
    #expect(session.finish() == 0, "\(session.screen)")
    #expect(
      session.screen.contains("rdpvault: importing [##############################] 30 of 30"))
    #expect(session.screen.contains("imported 30 of 30 .rdp files"))
    let plain = box.run(["import", folder, "--update"])
    #expect(!plain.stderr.contains("importing ["))
  }

  /// verify and export show a bar on a terminal (through the agent too: it sends progress
  /// frames), erase it when done, and show none with --quiet or without a terminal.
  @Test func verifyAndExportShowProgressOnATerminal() throws {
    let box = Sandbox()
    box.initVault()
    let folder = box.root + "/many"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for index in 0..<40 {
      box.write(
        "full address:s:10.6.0.\(index + 1)\r\nusername:s:M\(index)\\u\r\n",
        to: folder + "/m\(index).rdp")
    }
    #expect(box.run(["import", folder]).status == 0)
    let bob = Sandbox()
    bob.initVault()
    let identity = bob.run(["identity"]).stdout.split(separator: "\n").first.map(String.init) ?? ""
    #expect(box.run(["teammate", "add", "me", identity]).status == 0)
    let environment = ["RDPVAULT_PASSPHRASE_FILE": box.passphraseFile]
    // 40 accounts, 40 VMs, no passwords.
    let verify = try TerminalSession(box, ["verify"], environment: environment)
    #expect(verify.finish() == 0, "\(verify.screen)")
    #expect(
      verify.screen.contains(
        "rdpvault: verifying [##############################] 80 of 80\r\u{1B}[K"))
    let export = try TerminalSession(
      box, ["export", "--all", "--to", "me", "--no-secrets", "-o", box.root + "/b.rdpv"],
      environment: environment)
    #expect(export.finish() == 0, "\(export.screen)")
    #expect(export.screen.contains("rdpvault: exporting [##############################] 40 of 40"))
    let quiet = try TerminalSession(box, ["verify", "-q"], environment: environment)
    #expect(quiet.finish() == 0)
    #expect(!quiet.screen.contains("verifying ["))
    #expect(!box.run(["verify"]).stderr.contains("verifying ["))
  }
}
