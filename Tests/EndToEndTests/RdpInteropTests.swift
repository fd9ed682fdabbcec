import Foundation
import Testing

/// Every FreeRDP installed (xfreerdp 2, xfreerdp3, sdl-freerdp3) reads the .rdp files rdpvault
/// writes and signs in to a real RDP server on loopback, with the password piped in on stdin.
@Suite(.serialized) struct RdpInteropTests {
  static let users = [
    RDPServer.User(name: "azureuser", domain: "WEB-01", password: "L0cal pw: \"quoted\" \\ é"),
    RDPServer.User(name: "alice", domain: "CONTOSO", password: "D0main-Passw0rd!"),
  ]

  /// Whether every FreeRDP reading the written file signs in (each client's answer must agree).
  func signIn(
    server: RDPServer, box: Sandbox, vm: String, password: String, encoding: String = "utf-8"
  ) throws -> Bool {
    let file = box.root + "/\(vm)-\(encoding).rdp"
    let written = box.run(["rdp", vm, "-o", file, "--encoding", encoding, "--force"])
    #expect(written.status == 0, "\(written.stderr)")
    var answers: [Bool] = []
    for program in RDPServer.clients {
      let result = server.client(
        [file, "/from-stdin:force", "+auth-only", "/cert:ignore"], stdin: password + "\n",
        program: program)
      answers.append(RDPServer.signedIn(result))
    }
    #expect(
      Set(answers).count == 1, "the FreeRDP clients disagree on \(vm) (\(encoding)): \(answers)")
    return answers.allSatisfy { $0 }
  }

  @Test func localAndDomainAccountsSignIn() throws {
    let server = try RDPServer(users: Self.users)
    defer { server.stop() }
    let box = Sandbox()
    box.initVault()
    let local = Self.users[0]
    let domain = Self.users[1]
    #expect(
      box.run(
        [
          "add", "web-01", "--host", server.host, "--port", "\(server.port)", "--kind", "local",
          "--user", local.name, "--password-stdin",
        ], stdin: local.password + "\n"
      ).status == 0)
    #expect(
      box.run(
        [
          "add", "app-01", "--host", server.host, "--port", "\(server.port)", "--kind", "domain",
          "--user", "CONTOSO\\alice", "--password-stdin",
        ], stdin: domain.password + "\n"
      ).status == 0)
    #expect(try signIn(server: server, box: box, vm: "web-01", password: local.password))
    #expect(try signIn(server: server, box: box, vm: "app-01", password: domain.password))
    #expect(
      try signIn(
        server: server, box: box, vm: "app-01", password: domain.password, encoding: "utf-16le"))
    // The server really checks: a wrong password is refused.
    #expect(try !signIn(server: server, box: box, vm: "app-01", password: "not the password"))
  }

  /// An RD Web file signs its own address lines: `full address` names the session host's
  /// inside name, which does not resolve here, and `alternate full address` and `server port`
  /// the way in. rdpvault writes those lines back as signed, and FreeRDP connects through
  /// the alternate, as mstsc does.
  @Test func aSignedRDWebFileIsWrittenSoFreeRDPConnects() throws {
    let server = try RDPServer(users: Self.users)
    defer { server.stop() }
    let box = Sandbox()
    box.initVault()
    let lines = [
      "full address:s:rdsh-01.corp.invalid", "alternate full address:s:\(server.host)",
      "server port:i:\(server.port)",
      "username:s:CONTOSO\\alice", "signscope:s:Full Address,Alternate Full Address,Server Port",
      "signature:s:AQABAAEAAAA=",
    ]
    let file = box.write(lines.map { $0 + "\r\n" }.joined(), to: "rdweb.rdp")
    let imported = box.run(["import", file])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(!imported.stderr.contains("signature was dropped"), "\(imported.stderr)")
    let written = box.run(["rdp", "rdweb"]).stdout
    for line in lines { #expect(written.contains(line + "\r\n"), "\(line)") }
    #expect(try signIn(server: server, box: box, vm: "rdweb", password: Self.users[1].password))
  }

  @Test func anIPv6AddressIsWrittenSoFreeRDPConnects() throws {
    let server = try RDPServer(users: Self.users, host: "::1")
    defer { server.stop() }
    let box = Sandbox()
    box.initVault()
    let domain = Self.users[1]
    #expect(
      box.run(
        [
          "add", "app-06", "--host", "::1", "--port", "\(server.port)", "--kind", "domain",
          "--user", "CONTOSO\\alice", "--password-stdin",
        ], stdin: domain.password + "\n"
      ).status == 0)
    #expect(box.run(["rdp", "app-06"]).stdout.hasPrefix("full address:s:::1:\(server.port)\r\n"))
    #expect(try signIn(server: server, box: box, vm: "app-06", password: domain.password))
  }
}
