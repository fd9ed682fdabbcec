import Foundation
import Testing
import VaultCrypto

@testable import VaultKit

/// Every adapter's plan, checked without running anything: the password never reaches argv or
/// a file, and reaches the client the way the client reads it.
struct LaunchPlanTests {
  static let canary = "Canary Pa55 \"q\" \\ é"

  static func entry(
    host: String = "10.0.0.4", port: Int = 3389, kind: AccountKind = .local,
    user: String = "azureuser", pin: String? = nil
  ) throws -> ProfileEntry {
    var profile = Profile(
      name: "web-01", host: host, port: port, computerName: "WEB-01", kind: kind)
    if let pin { try profile.settings.set("cert-sha256", pin) }
    let account = try AccountName.parse(user: user, domain: nil).account(
      kind: kind, computerName: "WEB-01", admin: kind == .dc)
    return ProfileEntry(profile: profile, account: account)
  }

  static func plan(_ kind: ClientKind, _ entry: ProfileEntry, extra: [String] = []) throws
    -> LaunchPlan
  {
    try ClientChoice(kind: kind, program: "/usr/bin/\(kind.executableName)", picked: false).plan(
      for: entry, extraArguments: extra)
  }

  /// No argument and no file holds the password; returns what the steps' stdin carries.
  static func expectNoPasswordOutsideStdin(_ plan: LaunchPlan) throws -> [String] {
    let password = try SecretBytes(copying: Array(canary.utf8))
    for step in plan.steps {
      #expect(!(step.arguments + [step.program]).contains { $0.contains("Canary") })
    }
    for file in plan.files {
      #expect(!file.contents.containsPassword, "\(file.name)")
      let bytes = try file.contents.assemble(password: password)
      #expect(!bytes.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }.contains("Canary"))
    }
    return try plan.steps.compactMap { step in
      try step.stdin.map { text in
        try text.assemble(password: password).withUnsafeBytes {
          String(decoding: $0, as: UTF8.self)
        }
      }
    }
  }

  /// FreeRDP 3 splits /app: at commas: a program name with one could add sub-options.
  @Test func freeRDP3RefusesARemoteAppWithACommaAndFreeRDP2PassesItWhole() throws {
    var entry = try Self.entry()
    try entry.profile.settings.set("remoteapplicationmode", "1")
    try entry.profile.settings.set("remoteapplicationprogram", "||calc,cmd:/c evil")
    #expect(
      throws: VaultError.invalidField(
        field: "remoteapplicationprogram", value: "||calc,cmd:/c evil",
        rule: "FreeRDP 3 splits /app: at commas, so a program with a comma cannot be passed to it")
    ) {
      _ = try Self.plan(.xfreerdp3, entry)
    }
    let two = try Self.plan(.xfreerdp, entry)
    #expect(two.steps[0].arguments.contains("/app:||calc,cmd:/c evil"))
    try entry.profile.settings.set("remoteapplicationprogram", "||calc")
    let stdin = try Self.expectNoPasswordOutsideStdin(try Self.plan(.xfreerdp3, entry))
    #expect(stdin[0].contains("\n/app:program:||calc\n"))
  }

  /// "\r\n" is one Character: line breaks are found by bytes, for FreeRDP 3 and Remmina.
  @Test func aCRLFInAnyValueCannotAddAClientArgument() throws {
    for extra in ["+auth-only\r\n/g:evil.example", "x\ry", "x\u{0}y"] {
      expectInvalid("client argument") {
        _ = try Self.plan(.xfreerdp3, try Self.entry(), extra: [extra])
      }
      expectInvalid("Remmina profile") {
        _ = try Self.plan(.remmina, try Self.entry(), extra: [extra])
      }
    }
  }

  /// The mstsc script takes the target and user as base64 data, so quotes of any kind in
  /// them (PowerShell also ends strings at U+2018-U+201B) cannot end a string in its code.
  @Test func mstscPassesValuesAsData() throws {
    let script = MstscAdapter.credWriteScript(
      target: "TERMSRV/x\u{2019}; calc; \u{2018}", user: "o'brien")
    #expect(!script.contains("calc"))
    #expect(!script.contains("o'brien"))
  }

  @Test func freeRDP2TakesThePasswordOnStdin() throws {
    let plan = try Self.plan(
      .xfreerdp, try Self.entry(), extra: ["+auth-only", "/log-level:ERROR"])
    #expect(plan.steps.count == 1)
    #expect(plan.steps[0].role == .client)
    #expect(
      plan.steps[0].arguments == [
        "/v:10.0.0.4", "/port:3389", "/u:azureuser", "/d:WEB-01", "/cert:tofu", "/from-stdin:force",
        "+auth-only",
        "/log-level:ERROR",
      ])
    #expect(try Self.expectNoPasswordOutsideStdin(plan) == [Self.canary + "\n"])
    #expect(plan.notes.contains(.certificateNotPinned(profile: "web-01")))
  }

  @Test func freeRDP2WritesIPv6AndUPNAndPins() throws {
    let pin = String(repeating: "ab", count: 32)
    let plan = try Self.plan(
      .xfreerdp,
      try Self.entry(
        host: "2001:db8::5", port: 3390, kind: .domain, user: "alice@contoso.com", pin: pin))
    #expect(
      plan.steps[0].arguments == [
        "/v:[2001:db8::5]", "/port:3390", "/u:alice@contoso.com",
        "/cert:fingerprint:sha256:" + Array(repeating: "ab", count: 32).joined(separator: ":"),
        "/from-stdin:force",
      ])
  }

  @Test func freeRDP3ReadsEveryArgumentFromStdin() throws {
    let plan = try Self.plan(
      .xfreerdp3, try Self.entry(kind: .domain, user: "CONTOSO\\alice"), extra: ["+auth-only"])
    #expect(plan.steps[0].arguments == ["/args-from:stdin"])
    let stdin = try Self.expectNoPasswordOutsideStdin(plan)
    #expect(
      stdin == [
        "/v:10.0.0.4\n/port:3389\n/u:alice\n/d:CONTOSO\n/cert:tofu\n+auth-only\n/log-filters:com.freerdp.core:INFO\n/p:\(Self.canary)\n"
      ])
    // The one log line connect needs survives a quieter level, and a finer one is kept.
    for (level, filter) in [
      ("OFF", "ERROR"), ("fatal", "ERROR"), ("DEBUG", "DEBUG"), ("warn", "WARN"),
    ] {
      let quiet = try Self.expectNoPasswordOutsideStdin(
        try Self.plan(
          .sdlFreerdp3, try Self.entry(kind: .domain, user: "CONTOSO\\alice"),
          extra: ["+auth-only", "/log-level:\(level)"]))
      #expect(
        quiet[0].hasSuffix(
          "/log-level:\(level)\n/log-filters:com.freerdp.core:\(filter)\n/p:\(Self.canary)\n"),
        "\(level)")
    }
    // +auth-only: the client's log is watched for the line that tells the real result.
    #expect(
      plan.steps[0].signInMarker == "[freerdp_connect_begin]: Authentication only, exit status 1\n")
    #expect(try Self.plan(.xfreerdp3, try Self.entry()).steps[0].signInMarker == nil)
    #expect(
      try Self.plan(.xfreerdp, try Self.entry(), extra: ["+auth-only"]).steps[0].signInMarker == nil
    )
  }

  /// FreeRDP 3: a local account goes straight to NTLM (no Kerberos lookup of the computer's
  /// "realm"), and a pin that does not match is a failure, never a question to the user.
  @Test func freeRDP3SkipsKerberosForLocalAccountsAndDeniesAWrongCertificate() throws {
    let pin = String(repeating: "ab", count: 32)
    let local = try Self.expectNoPasswordOutsideStdin(
      try Self.plan(.sdlFreerdp3, try Self.entry(pin: pin)))
    #expect(
      local == [
        "/v:10.0.0.4\n/port:3389\n/u:azureuser\n/d:WEB-01\n/auth-pkg-list:!kerberos\n/cert:deny,fingerprint:sha256:"
          + Array(repeating: "ab", count: 32).joined(separator: ":") + "\n/p:\(Self.canary)\n"
      ])
    let domain = try Self.expectNoPasswordOutsideStdin(
      try Self.plan(.xfreerdp3, try Self.entry(kind: .domain, user: "CONTOSO\\alice")))
    #expect(!domain[0].contains("auth-pkg-list"))
    // FreeRDP 2 keeps its own forms: it fails on a mismatch by itself.
    #expect(
      !(try Self.plan(.xfreerdp, try Self.entry(pin: pin)).steps[0].arguments.joined().contains(
        "deny")))
  }

  /// Each modelled setting FreeRDP can honour reaches it in that version's form; the rest are
  /// named in the plan's notes (what `connect --dry-run` prints).
  @Test func settingsReachFreeRDPOrAreNamed() throws {
    var entry = try Self.entry()
    for (key, value) in [
      ("use multimon", "1"), ("gatewayhostname", "gw.example.com:8443"),
      ("gatewayusagemethod", "2"),
      ("gatewaycredentialssource", "1"),
    ] {
      try entry.profile.settings.set(key, value)
    }
    // Kept as extra lines (as an .rdp file brings them), in any case.
    for line in [
      "selectedmonitors:s:0,2", "Smart Sizing:i:1", "dynamic resolution:i:1",
      "audiocapturemode:i:1", "usbdevicestoredirect:s:*",
      "camerastoredirect:s:*", "enablerdsaadauth:i:1",
    ] {
      try entry.profile.settings.addExtraLine(line)
    }
    let two = try Self.plan(.xfreerdp, entry)
    for argument in [
      "/multimon", "/monitors:0,2", "/smart-sizing", "/dynamic-resolution", "/microphone",
      "/usb:auto", "/g:gw.example.com:8443",
      "/gateway-usage-method:detect",
    ] {
      #expect(two.steps[0].arguments.contains(argument), "FreeRDP 2: \(argument)")
    }
    #expect(two.notes.contains(.entraIDNeedsFreeRDP3))
    #expect(two.notes.contains { $0.text?.hasPrefix("camerastoredirect *") == true })
    #expect(two.notes.contains { $0.text?.hasPrefix("gatewaycredentialssource 1") == true })
    let three = try Self.expectNoPasswordOutsideStdin(try Self.plan(.xfreerdp3, entry))[0].split(
      separator: "\n"
    ).map(String.init)
    for argument in [
      "/multimon", "/monitors:0,2", "/smart-sizing", "+dynamic-resolution", "/microphone",
      "/usb:auto", "/sec:aad",
      "/gateway:g:gw.example.com:8443,usage-method:detect",
    ] {
      #expect(three.contains(argument), "FreeRDP 3: \(argument)")
    }
    #expect(!three.contains { $0.hasPrefix("/g:") })
    // A gateway the file names but does not use is not passed.
    try entry.profile.settings.set("gatewayusagemethod", "0")
    let unused = try Self.plan(.xfreerdp, entry)
    #expect(!unused.steps[0].arguments.contains { $0.hasPrefix("/g:") })
    #expect(unused.notes.contains("gateway gw.example.com:8443 is not used (gatewayusagemethod 0)"))
    // Only monitor ids reach the command line.
    for bad in ["0;1", "a", "1,,2", "-1", "1234", "0,1 /p:x"] {
      var odd = try Self.entry()
      try odd.profile.settings.addExtraLine("selectedmonitors:s:\(bad)")
      let plan = try Self.plan(.xfreerdp, odd)
      #expect(!plan.steps[0].arguments.contains { $0.hasPrefix("/monitors") }, "\(bad)")
      #expect(
        plan.notes.contains(
          "selectedmonitors \(bad) is not a list of monitor ids; not passed to FreeRDP"))
    }
  }

  /// The relay passes every byte through and finds the marker even split across reads.
  @Test func theRelayFindsTheMarkerAcrossReads() throws {
    let marker = Array("[freerdp_connect_begin]: Authentication only, exit status 1\n".utf8)
    for split in [0, 10, marker.count - 1] {
      var input: [Int32] = [0, 0]
      var output: [Int32] = [0, 0]
      #expect(pipe(&input) == 0 && pipe(&output) == 0)
      let text =
        Array("log line\n[12:00] [ERROR][com.freerdp.core] - ".utf8) + marker
        + Array("after\n".utf8)
      let cut = text.count - marker.count - 6 + split
      text[0..<cut].withUnsafeBytes { Launcher.writeAll(input[1], $0) }
      let writeEnd = input[1]
      let rest = Array(text[cut...])
      let writer = Thread {
        usleep(20_000)
        rest.withUnsafeBytes { Launcher.writeAll(writeEnd, $0) }
        close(writeEnd)
      }
      writer.start()
      #expect(
        Launcher.relay(input[0], to: output[1], watchingFor: [Array("absent".utf8), marker]) == [1],
        "split at \(split)")
      close(input[0])
      close(output[1])
      var copied = [UInt8](repeating: 0, count: 4096)
      let count = read(output[0], &copied, copied.count)
      close(output[0])
      #expect(Array(copied[0..<count]) == text)
    }
    var input: [Int32] = [0, 0]
    var output: [Int32] = [0, 0]
    #expect(pipe(&input) == 0 && pipe(&output) == 0)
    Array("[freerdp_connect_begin]: Authentication only, exit status 0\n".utf8).withUnsafeBytes {
      Launcher.writeAll(input[1], $0)
    }
    close(input[1])
    #expect(Launcher.relay(input[0], to: output[1], watchingFor: [marker]).isEmpty)
    for fd in [input[0], output[0], output[1]] { close(fd) }
  }

  @Test func remminaGetsAProfileAndThePasswordOnStdin() throws {
    let plan = try Self.plan(.remmina, try Self.entry())
    #expect(plan.files.map(\.name) == ["connection.remmina"])
    #expect(plan.steps.map(\.role) == [.prepare, .client])
    #expect(
      plan.steps[0].arguments == [
        "--update-profile", "{tmp}/connection.remmina", "--set-option", "password",
      ])
    #expect(plan.steps[1].arguments == ["-c", "{tmp}/connection.remmina"])
    #expect(try Self.expectNoPasswordOutsideStdin(plan) == [Self.canary + "\n"])
  }

  /// Remmina cannot enforce a pin, so a pinned VM is refused with it rather than opened
  /// with the pin silently dropped.
  @Test func remminaRefusesAPinItCannotEnforce() throws {
    let pinned = try Self.entry(pin: String(repeating: "ab", count: 32))
    #expect(
      throws: VaultError.pinNotEnforceable(
        profile: "web-01", pin: String(repeating: "ab", count: 32), client: .remmina)
    ) {
      _ = try Self.plan(.remmina, pinned)
    }
  }

  @Test func mstscUsesTheCredentialAPIAndDeletesTheCredential() throws {
    let plan = try Self.plan(.mstsc, try Self.entry())
    #expect(plan.steps.map(\.role) == [.prepare, .client, .cleanup])
    #expect(plan.steps[0].program == "powershell.exe")
    let encoded = try #require(Data(base64Encoded: plan.steps[0].arguments.last!))
    let script = String(
      decoding: stride(from: 0, to: encoded.count, by: 2).map {
        UInt16(encoded[$0]) | UInt16(encoded[$0 + 1]) << 8
      }, as: UTF16.self)
    #expect(script.contains("CredWriteW"))
    // Values reach PowerShell as base64 data, never inside quotes of its code.
    let target = Data("TERMSRV/10.0.0.4".utf8).base64EncodedString()
    let user = Data("WEB-01\\azureuser".utf8).base64EncodedString()
    #expect(
      script.contains(
        "[RdpVaultCred]::Write((FromBase64 '\(target)'), (FromBase64 '\(user)'), [Console]::In.ReadLine())"
      ))
    #expect(plan.steps[2].arguments == ["/delete:TERMSRV/10.0.0.4"])
    #expect(try Self.expectNoPasswordOutsideStdin(plan) == [Self.canary + "\n"])
  }

  @Test func macOSUsesTheClipboardForThirtySeconds() throws {
    let plan = try Self.plan(.macos, try Self.entry())
    #expect(plan.clearClipboardAfter == 30)
    #expect(plan.steps.map(\.program) == ["pbcopy", "/usr/bin/open", "pbcopy"])
    #expect(try Self.expectNoPasswordOutsideStdin(plan) == [Self.canary, ""])
    #expect(plan.notes.contains { $0.text?.contains("clipboard for 30 s") == true })
    // Said when it launches, too: the user must know where the password is.
    #expect(plan.announcements.contains { $0.contains("clipboard for 30 s") })
    for kind in [ClientKind.xfreerdp, .xfreerdp3, .remmina, .mstsc] {
      #expect(try Self.plan(kind, try Self.entry()).announcements.isEmpty, "\(kind)")
    }
  }

  @Test func dryRunShowsNoSecret() throws {
    for kind in [ClientKind.xfreerdp, .xfreerdp3, .remmina, .mstsc, .macos] {
      let rendered = try Self.plan(kind, try Self.entry()).rendered().joined(separator: "\n")
      #expect(rendered.contains("<redacted>"), "\(kind)")
      #expect(!rendered.contains("Canary"))
    }
  }

  @Test func certificatePinsAreChecked() throws {
    var settings = RDPSettings()
    try settings.set(
      "cert-sha256", "AB:" + Array(repeating: "cd", count: 31).joined(separator: ":"))
    #expect(settings.options["cert-sha256"] == "ab" + String(repeating: "cd", count: 31))
    expectInvalid("cert-sha256") { try settings.set("cert-sha256", "abc") }
    expectInvalid("cert-sha256") {
      try settings.set("cert-sha256", String(repeating: "zz", count: 32))
    }
    expectInvalid("pre-connect") { try settings.set("pre-connect", "  ") }
  }

  @Test func reachabilityDiagnosesAClosedPortAndABadName() throws {
    // A port on loopback that nothing listens on: bind, read the port, close.
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    let port = Int(UInt16(bigEndian: address.sin_port))
    close(fd)
    #expect(
      Reachability.check(host: "127.0.0.1", port: port) == .refused(address: "127.0.0.1:\(port)"))
    if case .unresolvable = Reachability.check(host: "no-such-host.invalid", port: 3389) {
    } else {
      Issue.record("a .invalid name resolved")
    }
  }

  /// Every exit status FreeRDP 3 names (client/X11/xf_client.h, `XF_EXIT_*`) has a meaning,
  /// but those with none of their own; only a sign-out and a Start-menu disconnect are the
  /// user's own ending. Remmina's statuses are not FreeRDP's and get none.
  @Test func everyFreeRDPExitStatusHasAMeaning() throws {
    let named: [Int32] =
      Array(0...11) + Array(16...26) + [32] + Array(128...145) + Array(147...160) + [255]
    let without: Set<Int32> = [0, 1, 137, 255]
    for status in named where !without.contains(status) {
      let known = try #require(FreeRDPExitStatus(status), "status \(status)")
      #expect(!known.meaning.isEmpty && !known.meaning.hasSuffix("."), "status \(status)")
    }
    for status in without { #expect(FreeRDPExitStatus(status) == nil, "status \(status)") }
    // 12, ERRINFO_LOGOFF_BY_USER, passes through FreeRDP's mapping though it has no name.
    let userEnded = (0...300).filter { FreeRDPExitStatus(Int32($0))?.endedByUser == true }
    #expect(userEnded == [11, 12])
    #expect(FreeRDPExitStatus(146) == nil && FreeRDPExitStatus(33) == nil)
    #expect(
      FreeRDPExitStatus(155)?.meaning.hasPrefix("access denied: the account may not sign in")
        == true)
    #expect(FreeRDPExitStatus(18)?.meaning == "the server has no Remote Desktop license to give")
    // What FreeRDP 2 and 3 really exit with for the server's licensing codes 0x100-0x10A.
    for status in Int32(240)...250 {
      #expect(FreeRDPExitStatus(status)?.meaning == FreeRDPExitStatus(status - 224)?.meaning)
    }
    #expect(FreeRDPExitStatus(242)?.meaning == "the server has no Remote Desktop license to give")
    #expect(FreeRDPExitStatus(239) == nil && FreeRDPExitStatus(251) == nil)
    #expect(FreeRDPExitStatus(20)?.meaning == FreeRDPExitStatus(16)?.meaning)
    for kind in [ClientKind.xfreerdp, .xfreerdp3, .sdlFreerdp3] {
      let choice = ClientChoice(kind: kind, program: "/usr/bin/x", picked: false)
      #expect(choice.meaning(ofStatus: 136) == FreeRDPExitStatus(136))
    }
    let remmina = ClientChoice(kind: .remmina, program: "/usr/bin/remmina", picked: false)
    #expect(remmina.meaning(ofStatus: 12) == nil && remmina.meaning(ofStatus: 132) == nil)
  }

  /// A printed command reads back in bash as the same words: no glob, brace, tilde,
  /// variable or quote is left to the shell, in a directory where every glob would match.
  @Test func printedCommandsReadBackAsTheSameWords() throws {
    let words = [
      "/v:[::1]:3389", "[ab]", "{a,b}", "*", "web-0?", "~", "$HOME", "it's", "", "two words", "é-1",
      "a\\b", "\"q\"", "`id`", "x;y", "a|b", "--opt=v@h:1,2+3%", "!", "#c", "tab\there",
      // U+0D4E joins what follows into one Character that starts with a letter.
      "a\u{0D4E}&id@contoso.com", "\u{0D4E};x", "\u{0D4E}|x", "\u{0D4E}`x`", "\u{0D4E}$HOME", "é&x",
    ]
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "shellwords-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    for file in ["a", "b", "web-01", "x"] {
      FileManager.default.createFile(
        atPath: directory.appendingPathComponent(file).path, contents: nil)
    }
    let process = Process()
    // bash: brace expansion too, which dash has not.
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", "printf '%s\\0' " + ShellWords.join(words)]
    process.currentDirectoryURL = directory
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let read = output.split(separator: 0, omittingEmptySubsequences: false).dropLast()
      .map { String(decoding: $0, as: UTF8.self) }
    #expect(read == words)
    #expect(ShellWords.join(["az", "vm", "show", "-g", "rg-1"]) == "az vm show -g rg-1")
    // zsh expands a word that starts with = to a command's path; bash does not, so it is
    // checked here rather than read back.
    #expect(ShellWords.quote("=ls") == "'=ls'" && ShellWords.quote("a=b") == "a=b")
  }
}
