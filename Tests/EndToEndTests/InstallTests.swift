import Foundation
import Testing

/// `scripts/install` (issue 15), run by `scripts/test` before this suite: it installs into a
/// temporary prefix (`RDPVAULT_INSTALLED_PREFIX`) and builds the .deb (`RDPVAULT_DEB`). The
/// installed binary must run with the Swift toolchain out of reach, the man page and the
/// completions must be there, completions must offer VM names only through an unlocked agent,
/// and the .deb must declare what the binary really links.
@Suite(.serialized) struct InstallTests {
  static let environment = ProcessInfo.processInfo.environment
  static let prefix = environment["RDPVAULT_INSTALLED_PREFIX"] ?? ""
  static let deb = environment["RDPVAULT_DEB"] ?? ""

  /// `/bin/sh -c script`, with only `environment`; its status and output.
  func sh(_ script: String, environment: [String: String] = [:]) throws -> Run {
    let box = Sandbox()
    let out = box.root + "/sh.out"
    let err = box.root + "/sh.err"
    let child = try Child(
      "/bin/sh", ["-c", script],
      environment: ["PATH": "/usr/bin:/bin", "HOME": box.root].merging(environment) { $1 },
      stdout: out, stderr: err)
    let status = child.wait(timeout: 120, what: script)
    return Run(
      status: status, stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
      stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
  }

  func requirePrefix() -> Bool {
    let ok =
      !Self.prefix.isEmpty && FileManager.default.fileExists(atPath: Self.prefix + "/bin/rdpvault")
    #expect(ok, "run the suite through scripts/test, which installs into a temporary prefix first")
    return ok
  }

  @Test func theInstalledBinaryLinksNoToolchainLibrary() throws {
    guard requirePrefix() else { return }
    let ldd = try sh("ldd '\(Self.prefix)/bin/rdpvault'")
    #expect(ldd.status == 0, "\(ldd.stderr)")
    #expect(!ldd.stdout.contains("not found"), "\(ldd.stdout)")
    #expect(!ldd.stdout.contains("/opt/swift") && !ldd.stdout.contains("libswift"), "\(ldd.stdout)")
    #expect(!ldd.stdout.contains("libFoundation"), "\(ldd.stdout)")
    #expect(ldd.stdout.contains("libsodium.so.23") && ldd.stdout.contains("libsqlite3.so.0"))
    // OpenSSL is loaded by the imports that need it, never at every start.
    #expect(!ldd.stdout.contains("libcrypto"), "\(ldd.stdout)")
  }

  /// With /opt/swift hidden under an empty tmpfs in a mount namespace of its own, and an
  /// empty environment: init, add, list, rdp and verify, as a user on another machine would.
  @Test func theInstalledBinaryRunsWithTheToolchainOutOfReach() throws {
    guard requirePrefix() else { return }
    #expect(getuid() == 0, "hiding the toolchain needs a mount namespace (root, as CI runs)")
    guard getuid() == 0 else { return }
    let box = Sandbox()
    let toolchain = Self.environment["RDPVAULT_TOOLCHAIN"] ?? "/opt/swift"
    let script = """
      set -e
      mount -t tmpfs none '\(toolchain)'
      test -z "$(ls -A '\(toolchain)')"
      export RDPVAULT_PATH='\(box.vault)' RDPVAULT_PASSPHRASE_FILE='\(box.passphraseFile)' RDPVAULT_NO_AGENT=1
      bin='\(Self.prefix)/bin/rdpvault'
      "$bin" --version
      "$bin" init --kdf interactive
      echo 'S3cret-pw' | "$bin" add web-01 --host 10.0.0.4 --kind local --user azureuser --password-stdin
      "$bin" list
      "$bin" rdp web-01
      "$bin" verify
      "$bin" password web-01
      """
    let result = try sh(
      "exec unshare --mount --propagation private env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH= HOME='\(box.root)' sh -c \"$SCRIPT\"",
      environment: ["SCRIPT": script])
    #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
    #expect(
      result.stdout.contains("web-01  10.0.0.4:3389  local  WEB-01\\azureuser"), "\(result.stdout)")
    #expect(result.stdout.contains("full address:s:10.0.0.4"))
    #expect(result.stdout.hasSuffix("S3cret-pw\n"))
  }

  @Test func theManPageAndCompletionsAreInstalled() throws {
    guard requirePrefix() else { return }
    let page = try sh("gzip -dc '\(Self.prefix)/share/man/man1/rdpvault.1.gz'")
    #expect(page.status == 0)
    #expect(page.stdout.contains(".Dt RDPVAULT 1"))
    // Generated from the command definitions: every command and a new option are in it.
    for word in ["connect", "unlock", "clip-time", "resource-group", "RDPVAULT_PASSPHRASE_FILE"] {
      #expect(page.stdout.contains(word), "the man page lacks \(word)")
    }
    let rendered = try sh(
      "man -l '\(Self.prefix)/share/man/man1/rdpvault.1.gz' 2>&1 | col -b",
      environment: ["MANPAGER": "cat", "MANWIDTH": "80"])
    #expect(rendered.stdout.hasPrefix("RDPVAULT(1)"), "\(rendered.stdout.prefix(300))")
    #expect(!rendered.stdout.contains("mdoc warning"), "\(rendered.stdout.prefix(300))")
    #expect(rendered.stdout.contains("--clip-time"))
    let bash = Self.prefix + "/share/bash-completion/completions/rdpvault"
    #expect(try sh("bash -n '\(bash)'").status == 0)
    #expect(try sh("grep -q -- '---completion show' '\(bash)'").status == 0)
    #expect(
      FileManager.default.fileExists(atPath: Self.prefix + "/share/zsh/site-functions/_rdpvault"))
    #expect(
      FileManager.default.fileExists(
        atPath: Self.prefix + "/share/fish/vendor_completions.d/rdpvault.fish"))
  }

  /// Bash asks the binary for VM names: they come from an unlocked agent, and nothing (no
  /// prompt, no error) while the vault is locked.
  @Test func completionOffersVMNamesOnlyFromAnUnlockedAgent() throws {
    guard requirePrefix() else { return }
    let box = Sandbox()
    #expect(box.run(["init", "--kdf", "interactive"]).status == 0)
    for name in ["web-01", "web-02", "db-01"] {
      #expect(
        box.run(
          [
            "add", name, "--host", "10.0.0.4", "--kind", "local", "--user", "u", "--password-stdin",
          ],
          stdin: "pw\n"
        ).status == 0)
    }
    let environment = [
      "RDPVAULT_PATH": box.vault, "XDG_RUNTIME_DIR": box.runtimeDirectory,
      "RDPVAULT_AGENT_SOCKET": box.runtimeDirectory + "/rdpvault/agent.sock",
    ]
    // What bash runs for `rdpvault show w<TAB>`.
    let complete =
      "'\(Self.prefix)/bin/rdpvault' ---completion show -- positional@0 2 1 rdpvault show w </dev/null"
    let locked = try sh(complete, environment: environment)
    #expect(locked.status == 0)
    #expect(
      locked.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        && locked.stderr.isEmpty, "\(locked)")
    #expect(box.run(["unlock"]).status == 0)
    let unlocked = try sh(complete, environment: environment)
    #expect(unlocked.stdout == "web-01\nweb-02\n", "\(unlocked)")
    // Through the whole bash completion function, as the shell calls it.
    let viaBash = try sh(
      "bash -c \"$SCRIPT\"",
      environment: environment.merging([
        "PATH": Self.prefix + "/bin:/usr/bin:/bin",
        "SCRIPT": """
        source '\(Self.prefix)/share/bash-completion/completions/rdpvault'
        COMP_WORDS=(rdpvault connect d); COMP_CWORD=2; COMP_LINE='rdpvault connect d'; COMP_POINT=${#COMP_LINE}
        _rdpvault rdpvault d connect
        printf '%s\\n' "${COMPREPLY[@]}"
        """,
      ]) { $1 })
    #expect(viaBash.stdout.contains("db-01"), "\(viaBash)")
    #expect(box.run(["lock"]).status == 0)
  }

  @Test func theDebDeclaresItsTrueDependencies() throws {
    #expect(!Self.deb.isEmpty, "run the suite through scripts/test, which builds the .deb first")
    guard !Self.deb.isEmpty else { return }
    let fields = try sh("dpkg-deb -f '\(Self.deb)' Package Depends Recommends")
    #expect(fields.status == 0, "\(fields.stderr)")
    #expect(fields.stdout.contains("Package: rdpvault"))
    for dependency in [
      "libc6 (>= ", "libsodium23 (>= ", "libsqlite3-0 (>= ", "libssl3 (>= ", "libstdc++6",
      "libgcc-s1",
    ] {
      #expect(fields.stdout.contains(dependency), "Depends lacks \(dependency): \(fields.stdout)")
    }
    #expect(fields.stdout.contains("Recommends: freerdp3-x11 | freerdp2-x11"))
    // What the binary links is what Depends names: nothing else outside libc.
    let box = Sandbox()
    let extract = try sh(
      "dpkg-deb -x '\(Self.deb)' '\(box.root)/x' && ldd '\(box.root)/x/usr/bin/rdpvault' | awk '{print $1}'"
    )
    #expect(extract.status == 0, "\(extract.stderr)")
    let libraries = extract.stdout.split(separator: "\n").map(String.init)
    // Each library's package (libc6 for libc and libm, libstdc++6, libgcc-s1, libsodium23,
    // libsqlite3-0, libssl3 for libcrypto), by the loader's name for it.
    let declared = [
      "libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libsodium.so.23",
      "libsqlite3.so.0", "libcrypto.so.3",
    ]
    let undeclared = libraries.filter {
      !declared.contains($0) && !$0.hasPrefix("linux-vdso") && !$0.contains("/ld-linux")
    }
    #expect(undeclared.isEmpty, "linked but not declared: \(undeclared)")
    let contents = try sh("dpkg-deb -c '\(Self.deb)'")
    for path in [
      "./usr/bin/rdpvault", "./usr/share/man/man1/rdpvault.1.gz",
      "./usr/share/bash-completion/completions/rdpvault",
      "./usr/share/zsh/site-functions/_rdpvault",
      "./usr/share/fish/vendor_completions.d/rdpvault.fish",
    ] {
      #expect(contents.stdout.contains(path), "the .deb lacks \(path)")
    }
    #expect(try sh("'\(box.root)/x/usr/bin/rdpvault' --version").stdout == "0.1.0\n")
  }
}
