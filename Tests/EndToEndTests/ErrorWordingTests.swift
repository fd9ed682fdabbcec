import Foundation
import Testing

/// VaultKit's errors and notes carry facts; the command line words them with the option or
/// command that fixes them. Each line below is the whole error a user sees.
@Suite struct ErrorWordingTests {
  static let pin = String(repeating: "ab", count: 32)

  func sandbox() -> Sandbox {
    let box = Sandbox()
    box.initVault()
    let add = box.run(
      [
        "add", "web-01", "--host", "10.0.0.4", "--kind", "local", "--user", "azureuser",
        "--password-stdin",
      ], stdin: "L0cal-pw!\n")
    #expect(add.status == 0, "\(add.stderr)")
    let domain = box.run(
      [
        "add", "dom-01", "--host", "10.0.0.8", "--kind", "domain", "--user", "CONTOSO\\bob",
        "--password-stdin",
      ], stdin: "D0main-pw!\n")
    #expect(domain.status == 0, "\(domain.stderr)")
    return box
  }

  /// A command in a hint pastes back as printed, whatever the name holds: a Windows user
  /// name may have an apostrophe.
  @Test func aHintsCommandPastesBackForAnyAccountName() throws {
    let box = sandbox()
    #expect(
      box.run(
        [
          "add", "app-01", "--host", "10.0.0.5", "--kind", "domain", "--user", "CONTOSO\\o'brien",
          "--password-stdin",
        ], stdin: "First-pw1\n"
      ).status == 0)
    let again = box.run(
      [
        "add", "app-02", "--host", "10.0.0.6", "--kind", "domain", "--user", "CONTOSO\\o'brien",
        "--password-stdin",
      ], stdin: "Second-pw1\n")
    #expect(again.status == 1)
    let prefix = "rdpvault: hint: change a shared password with: "
    let line = try #require(
      again.stderr.split(separator: "\n").first { $0.hasPrefix(prefix) }, "\(again.stderr)")
    let words = try Sandbox.wordsAsBashReadsThem(String(line.dropFirst(prefix.count)))
    #expect(words == ["rdpvault", "account", "passwd", "CONTOSO\\o'brien"], "\(line)")
    let changed = box.run(Array(words.dropFirst()) + ["--password-stdin"], stdin: "Second-pw1\n")
    #expect(changed.status == 0, "\(changed.stderr)")
    #expect(box.run(["password", "app-01"]).stdout == "Second-pw1\n")
  }

  @Test func errorsNameTheOptionOrCommandThatFixesThem() throws {
    let box = sandbox()
    let cases: [([String], String)] = [
      (
        ["set", "web-01", "nosuch", "1"],
        "rdpvault: error: invalid setting \"nosuch\": not a property rdpvault models; add it as an extra line (rdpvault set NAME --line 'name:type:value')"
      ),
      (
        ["set", "web-01", "full address", "x"],
        "rdpvault: error: invalid setting \"full address\": it comes from the profile (--host, --port, --user), not from a setting"
      ),
      (
        ["set", "web-01", "--line", "desktopwidth:i:800"],
        "rdpvault: error: invalid extra line \"desktopwidth:i:800\": desktopwidth is modelled; use rdpvault set NAME \"desktopwidth\" VALUE"
      ),
      (
        ["add", "web-02", "--host", "10.0.0.5", "--kind", "local", "--user", "ops", "--admin"],
        "rdpvault: error: --admin marks a domain account; this one is local"
      ),
      (
        ["add", "app-01", "--host", "10.0.0.6", "--kind", "domain", "--user", "alice"],
        "rdpvault: error: missing domain: a domain account needs --domain, DOMAIN\\user or user@domain"
      ),
      (
        [
          "add", "app-01", "--host", "10.0.0.6", "--kind", "domain", "--user", "CONTOSO\\alice",
          "--domain", "FABRIKAM",
        ],
        "rdpvault: error: invalid --domain \"FABRIKAM\": it conflicts with the domain \"CONTOSO\" in --user"
      ),
      (
        [
          "add", "app-01", "--host", "10.0.0.6", "--kind", "domain", "--user", "alice@contoso.com",
          "--domain", "FABRIKAM",
        ],
        "rdpvault: error: invalid --domain \"FABRIKAM\": it conflicts with the UPN suffix \"contoso.com\" in --user"
      ),
      (
        ["edit", "web-01", "--kind", "domain"],
        "rdpvault: error: missing user: changing the kind from local to domain needs --user (and --domain)"
      ),
      (
        ["edit", "dom-01", "--kind", "local"],
        "rdpvault: error: missing user: changing the kind from domain to local needs --user"
      ),
    ]
    for (arguments, expected) in cases {
      let before = try Data(contentsOf: URL(fileURLWithPath: box.vault))
      let result = box.run(arguments, stdin: "pw\n")
      #expect(result.status != 0, "\(arguments)")
      #expect(
        result.stderr.split(separator: "\n").first.map(String.init) == expected, "\(arguments)")
      #expect(try Data(contentsOf: URL(fileURLWithPath: box.vault)) == before, "\(arguments)")
    }
  }

  @Test func aPinRemminaCannotEnforceNamesTheClientsThatCan() throws {
    let box = sandbox()
    #expect(box.run(["set", "web-01", "cert-sha256", Self.pin]).status == 0)
    let result = box.run([
      "connect", "web-01", "--client", "remmina", "--client-path", "/bin/true", "--dry-run",
    ])
    #expect(result.status == 1)
    #expect(
      result.stderr.hasPrefix(
        "rdpvault: error: invalid cert-sha256 \"\(Self.pin)\": Remmina cannot be given a pinned certificate "
          + "(it asks about each certificate itself); connect with --client xfreerdp3 or --client xfreerdp, "
          + "which enforce the pin, or remove it with: rdpvault unset web-01 cert-sha256\n"),
      "\(result.stderr)")
  }

  @Test func dryRunNotesNameTheCommands() throws {
    let box = sandbox()
    #expect(box.run(["set", "web-01", "--line", "enablerdsaadauth:i:1"]).status == 0)
    let result = box.run([
      "connect", "web-01", "--client", "xfreerdp", "--client-path", "/bin/true", "--dry-run",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let notes = result.stdout.split(separator: "\n").filter { $0.hasPrefix("note: ") }
    #expect(
      notes.contains(
        "note: certificate: not pinned; FreeRDP's own trust-on-first-use applies (pin it with: rdpvault set web-01 cert-sha256 HEX)"
      ))
    #expect(
      notes.contains(
        "note: enablerdsaadauth 1: FreeRDP 2 cannot sign in with Microsoft Entra ID; use FreeRDP 3 (--client xfreerdp3)"
      ))
    #expect(
      notes.contains(
        "note: extra .rdp lines apply to .rdp files (rdpvault rdp), not to the FreeRDP command line"
      ))
  }
}
