/// FreeRDP 3: `/args-from:stdin` cannot be combined with other arguments, so every argument,
/// the password (`/p:`) among them, goes on stdin, one per line; argv holds no secret.
struct FreeRDP3Adapter: ClientAdapter {
  var kind: ClientKind

  func plan(for entry: ProfileEntry, program: String, extraArguments: [String]) throws -> LaunchPlan
  {
    let (arguments, connectionNotes) = try FreeRDPArguments.connection(entry, version: .three)
    var parts: [SecretText.Part] = []
    for argument in arguments + extraArguments {
      // By bytes: "\r\n" is one Character, which contains("\n") does not find.
      if argument.utf8.contains(0x0A) || argument.utf8.contains(0x0D) || argument.utf8.contains(0) {
        throw VaultError.invalidField(
          field: "client argument", value: argument.debugDescription,
          rule: "FreeRDP 3 reads one argument per line")
      }
      parts.append(.text(argument + "\n"))
    }
    // The password argument goes into FreeRDP 3's stdin (read by /args-from:stdin), not argv.
    parts += [.text("/p:"), .password, .text("\n")]
    // FreeRDP 3.10 exits with a failure status after every +auth-only run (FreeRDP issue
    // 11430); its core logs the real result of the sign-in on this line.
    let authOnly = extraArguments.contains {
      ["+auth-only", "/auth-only"].contains($0.lowercased())
    }
    var notes = connectionNotes
    if authOnly {
      // That line is an ERROR of com.freerdp.core: keep it even under /log-level:OFF, at the
      // level the user chose when that is finer.
      let chosen = extraArguments.last { $0.lowercased().hasPrefix("/log-level:") }.map {
        String($0.dropFirst(11)).uppercased()
      }
      let level =
        chosen.flatMap { ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains($0) ? $0 : "ERROR" }
        ?? "INFO"
      parts.insert(.text("/log-filters:com.freerdp.core:\(level)\n"), at: parts.count - 3)
      notes.append(
        "+auth-only: FreeRDP 3.10 exits with a failure status after every sign-in check; connect reads the result from its log"
      )
    }
    return LaunchPlan(
      client: kind,
      steps: [
        LaunchStep(
          role: .client, program: program, arguments: ["/args-from:stdin"],
          stdin: SecretText(parts),
          signInMarker: authOnly ? Self.signedInLine : nil,
          findings: [.noMD4: Self.noLegacyProviderLine])
      ],
      notes: notes)
  }

  static let signedInLine = "[freerdp_connect_begin]: Authentication only, exit status 1\n"
  /// winpr logs this (3.x, `winpr_openssl_initialize`) when OpenSSL's legacy provider, which
  /// has MD4, does not load. The banner about a missing MD4 digest is logged at every start on
  /// Debian 12 even though NTLM then works, so it proves nothing.
  static let noLegacyProviderLine = "OpenSSL LEGACY provider failed to load"
}
