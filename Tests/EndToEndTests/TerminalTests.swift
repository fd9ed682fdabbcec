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
}
