import Foundation
import GRDB
import Testing

/// Parallel commands, damaged files, and changes that would lose a password: each is an
/// error with a message or a question, never a crash, a silent loss or "database is locked".
@Suite(.serialized) struct RobustnessTests {
  @Test func tenParallelWritersAndAReaderAllSucceed() throws {
    let box = Sandbox()
    box.initVault()
    var processes: [(Child, String)] = []
    for index in 0..<10 {
      let log = box.root + "/add-\(index).log"
      let process = try box.start(
        [
          "add", "vm-\(index)", "--host", "10.0.0.\(index + 1)", "--kind", "local", "--user", "u",
          "--generate-password",
        ],
        output: log)
      processes.append((process, log))
    }
    let reader = try box.start(["list", "--json"], output: box.root + "/list.log")
    for (process, log) in processes {
      let run = box.finish(process, output: log)
      #expect(run.status == 0, "\(run.stderr)")
    }
    let read = box.finish(reader, output: box.root + "/list.log")
    #expect(read.status == 0, "\(read.stderr)")
    #expect(!read.stderr.contains("is not an rdpvault vault"))
    let list = try #require(
      try JSONSerialization.jsonObject(with: Data(box.run(["list", "--json"]).stdout.utf8))
        as? [[String: Any]])
    #expect(list.count == 10)
  }

  /// Output that cannot be written (a full disk: /dev/full) fails the command with the
  /// reason, whichever way the command writes it (stdio, write(2) of a password or an .rdp
  /// file, writev of `list --json`), and never says how much it had written.
  @Test func outputThatCannotBeWrittenFailsTheCommand() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "vm-1", "--host", "10.0.0.1", "--kind", "local", "--user", "u", "--password-stdin",
        ],
        stdin: "Canary-Pw-9\n"
      ).status == 0)
    for arguments in [
      ["list", "--json"], ["list"], ["password", "vm-1"], ["rdp", "vm-1"], ["show", "vm-1"],
      ["show", "vm-1", "--json"], ["--version"], ["help"],
    ] {
      let run = box.run(arguments, stdout: "/dev/full")
      #expect(run.status == 1, "\(arguments): \(run.stderr)")
      #expect(
        run.stderr.contains("rdpvault: error: cannot write the output: No space left on device"),
        "\(arguments): \(run.stderr)")
      #expect(!run.stderr.contains("Canary-Pw-9"), "\(arguments)")
    }
    // The same commands with somewhere to write succeed.
    #expect(box.run(["list", "--json"]).status == 0)
    #expect(box.run(["password", "vm-1"]).stdout == "Canary-Pw-9\n")
  }

  /// A reader that goes away (`rdpvault list | head`) ends the command as it ends any Unix
  /// tool: quietly, by SIGPIPE (141 in the shell), whether SIGPIPE was ignored when it
  /// started or not, and whichever way the command writes (stdio, writev).
  @Test func aReaderThatGoesAwayEndsTheCommandQuietly() throws {
    let box = Sandbox()
    box.initVault()
    // Well over a pipe's 64 KiB, so the writes meet the closed pipe.
    let rows = (1...2000).map { "vm-\($0),10.1.\($0 / 250).\($0 % 250 + 1),user\($0)" }
    let csv = box.write((["name,host,user"] + rows).joined(separator: "\n") + "\n", to: "vms.csv")
    #expect(box.run(["import", csv, "-q"]).status == 0)
    for arguments in ["list", "list --json", "list --format csv"] {
      for trap in ["trap '' PIPE; ", ""] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
          "-c",
          trap + "\"$RV\" \(arguments) 2> \"$ERR\" | head -c 10 > /dev/null; echo ${PIPESTATUS[0]}",
        ]
        process.environment = [
          "PATH": "/usr/bin:/bin", "HOME": box.root, "LANG": "C.UTF-8",
          "XDG_RUNTIME_DIR": box.runtimeDirectory, "RDPVAULT_PATH": box.vault,
          "RDPVAULT_PASSPHRASE_FILE": box.passphraseFile, "RV": Sandbox.binary,
          "ERR": box.root + "/err",
          "RDPVAULT_AGENT_SOCKET": box.runtimeDirectory + "/rdpvault/agent.sock",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let status = String(
          decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let stderr = (try? String(contentsOfFile: box.root + "/err", encoding: .utf8)) ?? "?"
        #expect(status == "141\n", "\(trap)\(arguments): \(status) \(stderr)")
        #expect(stderr.isEmpty, "\(trap)\(arguments): \(stderr)")
      }
    }
  }

  /// A vault file cut short (a copy that stopped, a full disk during a sync) is reported as
  /// cut short, with how much is there, by every command: not as "not a vault", nor as rows
  /// that fail authentication. An empty file and a file that is no SQLite at all say so.
  /// Each is told before a passphrase is asked for (through the agent too), and nothing is
  /// written to the file.
  @Test func aVaultCutShortSaysSo() throws {
    let box = Sandbox()
    box.initVault()
    for n in 1...20 {
      #expect(
        box.run(
          [
            "add", "vm-\(n)", "--host", "10.0.0.\(n)", "--kind", "local", "--user", "u",
            "--password-stdin",
          ], stdin: "Pw-\(n)\n"
        ).status == 0)
    }
    let whole = try #require(FileManager.default.contents(atPath: box.vault))
    let expected: (Int) -> String = {
      "rdpvault: error: the vault is damaged: \(box.vault) is cut short: \($0) of the \(whole.count) bytes its header counts\n"
    }
    let cases: [(Data, String)] = [
      (
        Data(),
        "rdpvault: error: \(box.vault) is an empty file (0 bytes), not a vault\n"
          + "rdpvault: hint: check the --vault path (or RDPVAULT_PATH); a vault cut to nothing comes back only from a backup\n"
      ),
      (
        whole.prefix(1),
        "rdpvault: error: the vault is damaged: \(box.vault) is cut short: 1 byte, less than an SQLite header\n"
      ),
      (
        whole.prefix(50),
        "rdpvault: error: the vault is damaged: \(box.vault) is cut short: 50 bytes, less than an SQLite header\n"
      ),
      (whole.prefix(100), expected(100)),
      (whole.prefix(4096), expected(4096)),
      (whole.prefix(whole.count / 2), expected(whole.count / 2)),
      (whole.prefix(whole.count - 1), expected(whole.count - 1)),
      (
        Data("name,host\n".utf8),
        "rdpvault: error: \(box.vault) is not an rdpvault vault\n"
      ),
    ]
    for (bytes, message) in cases {
      try bytes.write(to: URL(fileURLWithPath: box.vault))
      for arguments in [["list"], ["password", "vm-3"], ["verify"], ["info"]] {
        let run = box.run(arguments)
        #expect(run.status == 1, "\(bytes.count) \(arguments): \(run.stderr)")
        #expect(run.stderr.hasPrefix(message), "\(bytes.count) \(arguments): \(run.stderr)")
        #expect(
          FileManager.default.contents(atPath: box.vault) == bytes, "\(bytes.count) \(arguments)")
      }
    }
    try whole.write(to: URL(fileURLWithPath: box.vault))
    // (An agent that held the vault let it go when the file changed under it.)
    #expect(
      box.run(["password", "vm-3"], environment: ["RDPVAULT_PASSPHRASE_FILE": box.passphraseFile])
        .stdout == "Pw-3\n")
  }

  /// A command killed in the middle of a commit that grows the file (here by a file-size
  /// limit: SIGXFSZ, after SQLite wrote the header's new page count and before the new
  /// pages) leaves a journal. The next command rolls it back and finds the vault as it was:
  /// it is never reported cut short.
  @Test func aCommitKilledMidwayIsRolledBackNotReportedAsDamage() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "vm-0", "--host", "10.0.0.1", "--kind", "local", "--user", "u",
          "--password-stdin",
        ], stdin: "Pw-0\n"
      ).status == 0)
    let before = try #require(FileManager.default.contents(atPath: box.vault))
    let rows = (1...3000).map { "vm-\($0),10.1.\($0 / 250).\($0 % 250 + 1),user\($0)" }
    let csv = box.write((["name,host,user"] + rows).joined(separator: "\n") + "\n", to: "vms.csv")
    let process = Process()
    // SIGXFSZ at its default (the test runner may ignore it), then the limit.
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "--default-signal=XFSZ", "prlimit", "--fsize=\(before.count + 16384)", "--", Sandbox.binary,
      "import", csv, "--no-agent", "-q",
    ]
    process.environment = [
      "PATH": "/usr/bin:/bin", "HOME": box.root, "LANG": "C.UTF-8",
      "XDG_RUNTIME_DIR": box.runtimeDirectory, "RDPVAULT_PATH": box.vault,
      "RDPVAULT_PASSPHRASE_FILE": box.passphraseFile,
    ]
    process.standardError = FileHandle(forWritingAtPath: "/dev/null")
    try process.run()
    process.waitUntilExit()
    #expect(
      process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGXFSZ,
      "\(process.terminationReason) \(process.terminationStatus)")
    // The state this test is about: a journal, and a header that counts more than the file.
    let crashed = try #require(FileManager.default.contents(atPath: box.vault))
    let journal = try #require(FileManager.default.contents(atPath: box.vault + "-journal"))
    let bytes = [UInt8](crashed.prefix(100))
    let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
    let pages = bytes[28..<32].reduce(0) { $0 << 8 | Int($1) }
    #expect(
      pages * pageSize > crashed.count, "\(pages) pages of \(pageSize), \(crashed.count) bytes")
    for arguments in [["info"], ["list"], ["verify"], ["password", "vm-0"]] {
      try crashed.write(to: URL(fileURLWithPath: box.vault))
      try journal.write(to: URL(fileURLWithPath: box.vault + "-journal"))
      let run = box.run(
        arguments + ["--no-agent"], environment: ["RDPVAULT_PASSPHRASE_FILE": box.passphraseFile])
      #expect(run.status == 0, "\(arguments): \(run.stderr)")
      #expect(!run.stderr.contains("damaged"), "\(arguments): \(run.stderr)")
      if arguments == ["password", "vm-0"] { #expect(run.stdout == "Pw-0\n") }
      if arguments == ["list"] {
        #expect(run.stdout.split(separator: "\n").count == 2, "\(run.stdout)")
      }
    }
  }

  @Test func editDoesNotDeleteAPasswordWithoutSayingSo() {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "azureuser",
          "--password-stdin",
        ], stdin: "Local-Pw1\n"
      ).status == 0)
    #expect(
      box.run(
        [
          "add", "app-01", "--host", "10.0.0.5", "--kind", "domain", "--user", "CONTOSO\\alice",
          "--password-stdin",
        ], stdin: "Domain-Pw1\n"
      ).status == 0)
    let before = box.snapshot()
    let refused = box.run(["edit", "web-01", "--kind", "domain", "--user", "CONTOSO\\alice"])
    #expect(refused.status == 1)
    #expect(
      refused.stderr.contains(
        "rdpvault: warning: web-01 leaves its local account WEB-01\\azureuser, whose stored password will be deleted\n"
      ))
    #expect(refused.stderr.contains("rdpvault: hint: pass --yes to delete it without a terminal"))
    #expect(box.snapshot() == before)
    #expect(
      box.run(["edit", "web-01", "--kind", "domain", "--user", "CONTOSO\\alice", "--yes"]).status
        == 0)
    #expect(box.run(["password", "web-01"]).stdout == "Domain-Pw1\n")
    // Back from a domain-admin account to a local one, without --admin in the way.
    #expect(box.run(["account", "edit", "CONTOSO\\alice", "--admin"]).status == 0)
    let back = box.run(
      ["edit", "app-01", "--kind", "local", "--user", "localadmin", "--password-stdin"],
      stdin: "New-Local1\n")
    #expect(back.status == 0, "\(back.stderr)")
    #expect(back.stderr.contains("signs in as APP-01\\localadmin"))
  }

  /// Whoever can write the vault file can put any SQLite type in any column.
  @Test func aValueOfTheWrongTypeIsDamageNotACrash() throws {
    let everything = [["list"], ["password", "web-01"], ["show", "web-01"]]
    let cases: [(String, String, [[String]])] = [
      ("profiles", "UPDATE profiles SET version = 'text'", everything),
      ("profiles", "UPDATE profiles SET account_id = x'00'", everything),
      ("profiles", "UPDATE profiles SET record = 42", everything),
      ("profiles", "UPDATE profiles SET lookup = 'text'", everything),
      ("accounts", "UPDATE accounts SET record = 7", everything),
      ("accounts", "UPDATE accounts SET version = x'01'", everything),
      ("account_secrets", "UPDATE account_secrets SET record = 9", [["password", "web-01"]]),
      ("vault_header", "UPDATE vault_header SET kdf_opslimit = 'two'", everything),
    ]
    for (table, sql, commands) in cases {
      let box = Sandbox()
      box.initVault()
      #expect(
        box.run(
          [
            "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "u",
            "--password-stdin",
          ], stdin: "pw\n"
        ).status == 0)
      let queue = try DatabaseQueue(path: box.vault)
      try queue.writeWithoutTransaction { db in
        try db.execute(sql: "PRAGMA foreign_keys = OFF")
        try db.execute(sql: sql)
      }
      try queue.close()
      for command in commands {
        let result = box.run(command)
        #expect(result.status == 1, "\(sql): \(command) exited \(result.status)")
        #expect(result.stderr.hasPrefix("rdpvault: error: "), "\(sql): \(result.stderr)")
        if table != "vault_header" {
          #expect(
            result.stderr.contains("damaged") || result.stderr.contains("no VM named")
              || result.stderr.contains("failed authentication"),
            "\(sql): \(result.stderr)")
        }
      }
    }
  }

  @Test func aPassphraseThePromptCouldNotReproduceIsRefused() {
    for bad in ["line\nbreak", "esc\u{1B}ape", "del\u{7F}", "ctrl-u\u{15}"] {
      let box = Sandbox()
      box.write(bad + "\n", to: box.passphraseFile)
      let result = box.run(["init", "--kdf", "interactive"])
      #expect(result.status == 1, "\(bad.debugDescription)")
      #expect(result.stderr.contains("which the passphrase prompt could never reproduce"))
      #expect(!FileManager.default.fileExists(atPath: box.vault))
    }
    let box = Sandbox()
    box.initVault()
    let newFile = box.write("new\tpass\u{1B}\n", to: "new")
    let result = box.run(["passwd", "--new-passphrase-file", newFile])
    #expect(result.status == 1)
    #expect(result.stderr.contains("could never reproduce"))
    #expect(box.run(["list"]).status == 0, "the old passphrase still opens the vault")
  }

  @Test func aVaultInADirectoryOthersCanWriteIsRefusedOnOpen() throws {
    let box = Sandbox()
    box.initVault()
    let directory = (box.vault as NSString).deletingLastPathComponent
    chmod(directory, 0o777)
    defer { chmod(directory, 0o700) }
    let result = box.run(["list"])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("rdpvault: error: the directory "))
    #expect(
      result.stderr.contains(
        "\((directory as NSString).lastPathComponent) is writable by other users, so the vault cannot be kept safe there\n"
      ))
    chmod(directory, 0o1777)
    // (Through the agent, the refusal locked the vault: this open asks for the passphrase.)
    #expect(
      box.run(["list"], environment: ["RDPVAULT_PASSPHRASE_FILE": box.passphraseFile]).status == 0,
      "a sticky directory like /tmp is fine")
  }

  @Test func aKilledConnectsFilesAreSweptByTheNext() throws {
    let box = Sandbox()
    box.initVault()
    #expect(
      box.run(
        [
          "add", "web-01", "--host", "127.0.0.1", "--kind", "local", "--user", "u",
          "--password-stdin",
        ], stdin: "pw\n"
      ).status == 0)
    let runtime = box.root + "/runtime"
    try FileManager.default.createDirectory(
      atPath: runtime, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
    // A pid above any pid_max: that process is certainly gone.
    let abandoned = runtime + "/rdpvault-99999999-AbC123"
    let alive = runtime + "/rdpvault-\(getpid())-AbC123"
    for directory in [abandoned, alive] {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: false,
        attributes: [.posixPermissions: 0o700])
      box.write("[remmina]\npassword=encrypted\n", to: directory + "/connection.remmina")
    }
    let result = box.run(
      ["connect", "web-01", "--no-check", "--client-path", "/bin/true"],
      environment: ["XDG_RUNTIME_DIR": runtime])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: abandoned))
    #expect(FileManager.default.fileExists(atPath: alive), "a running launch's directory stays")
  }
}
