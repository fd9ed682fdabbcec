/// Signed .rdp files (RD Web, RemoteApp) carry `signscope` (the signed property names) and
/// `signature`. rdpvault cannot sign, so it keeps the two lines only while every signed
/// property is written exactly as it was signed; once one changes (on import, or by a later
/// `set` or `edit`), both are dropped: an invalid signature is worse than none (mstsc warns
/// of tampering), a missing one only says "unsigned".
enum RDPSignature {
  static let lineNames: Set<String> = ["signscope", "signature"]
  /// Signed properties that rdpvault writes from the profile, not from settings. A signed
  /// file's own lines for them are kept (`RDPSettings.signedLines`) and written back, so that
  /// RD Web's and Azure Bastion's files (whose scopes name all of them) keep their signature.
  static let addressNames: Set<String> = [
    "full address", "alternate full address", "server port", "username", "domain",
  ]

  /// The lines of `lines` that a signature over `settings` covers and that rdpvault would
  /// otherwise write itself; empty for an unsigned file.
  static func signedAddressLines(_ lines: [String], settings: RDPSettings) -> [String] {
    guard let scope = scope(of: settings) else { return [] }
    return lines.filter { line in
      guard let name = try? RDPLine.parse(line, lineNumber: nil).name.lowercased() else {
        return false
      }
      return addressNames.contains(name) && scope.contains(name)
    }
  }

  /// Empty values read as "not set", but a signature covers them as written: a signed
  /// property with an empty value is kept empty, so it is written back (`drivestoredirect:s:`).
  static func keepEmptySignedValues(_ lines: [String], in settings: inout RDPSettings) {
    guard let scope = scope(of: settings) else { return }
    for line in lines {
      guard let parsed = try? RDPLine.parse(line, lineNumber: nil),
        parsed.value.trimmingCharacters(in: .whitespaces).isEmpty
      else { continue }
      let name = parsed.name.lowercased()
      guard scope.contains(name), !addressNames.contains(name) else { continue }
      if let property = RDPProperty.named(name) {
        if settings.values[property.name] == nil, (try? property.validate("")) == "" {
          settings.values[property.name] = ""
        }
      } else if (try? RDPSettings.checkExtraLine(line)) != nil,
        !settings.extraLines.contains(where: {
          (try? RDPLine.parse($0, lineNumber: nil).name.lowercased()) == name
        })
      {
        settings.extraLines.append(line)
      }
    }
  }

  /// The kept lines to write for `entry`, or nil when there are none or they no longer connect
  /// where the profile says: read as a file, they must give the profile's host and port, and
  /// any `username` must be its sign-in name. A written file connects where `show` says,
  /// signed or not.
  static func linesToWrite(for entry: ProfileEntry) -> [String]? {
    let settings = entry.profile.settings
    guard !settings.signedLines.isEmpty, scope(of: settings) != nil,
      let file = try? RDPFileReader.parse(
        Array(settings.signedLines.map { $0 + "\r\n" }.joined().utf8)),
      file.host.lowercased() == entry.profile.host.lowercased(), file.port == entry.profile.port
    else { return nil }
    if let user = file.user {
      let computer = entry.profile.computerName
      guard
        let account = try? user.account(
          kind: entry.profile.kind, computerName: computer, admin: false),
        account.signInName(computerName: computer).lowercased() == entry.signInName.lowercased()
      else { return nil }
    }
    return settings.signedLines
  }

  /// The rules for kept lines, for profiles that come from a file or a bundle: at most one of
  /// each address property, well formed, nothing else.
  static func checkSignedLines(_ lines: [String]) throws {
    var seen: Set<String> = []
    for line in lines {
      try Validation.displayText(line, field: "signed line")
      let name = try RDPLine.parse(line, lineNumber: nil).name.lowercased()
      guard addressNames.contains(name), seen.insert(name).inserted else {
        throw VaultError.invalidField(
          field: "signed line", value: line,
          rule: "only one each of \(addressNames.sorted().joined(separator: ", "))")
      }
    }
  }

  /// The signed property names, lower-cased ("Full Address" is `full address`,
  /// "GatewayHostname" is `gatewayhostname`); nil for an unsigned profile.
  static func scope(of settings: RDPSettings) -> [String]? {
    guard let line = settings.extraLines.first(where: { $0.lowercased().hasPrefix("signscope:") }),
      let parsed = try? RDPLine.parse(line, lineNumber: 0)
    else { return nil }
    return parsed.value.split(separator: ",").map {
      $0.trimmingCharacters(in: .whitespaces).lowercased()
    }
  }

  /// The signed properties whose line differs between `before` and `after` (lines as written,
  /// `name:type:value`); empty when the signature still holds.
  static func changed(scope: [String], before: [String], after: [String]) -> [String] {
    func index(_ lines: [String]) -> [String: String] {
      var out: [String: String] = [:]
      for line in lines {
        guard let colon = line.firstIndex(of: ":") else { continue }
        out[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] = String(
          line[line.index(after: colon)...])
      }
      return out
    }
    let old = index(before)
    let new = index(after)
    return scope.filter { old[$0] != new[$0] }
  }

  /// Drops the signature lines from `settings` when a signed property changed; returns the
  /// changed names (empty when the signature was kept or there was none). The lines are made
  /// only for a signed profile: most are not, and an import of 10,000 files would write each
  /// for nothing.
  @discardableResult
  static func dropIfBroken(_ settings: inout RDPSettings, before: [String]?, after: () -> [String])
    -> [String]
  {
    guard let scope = scope(of: settings), let before else { return [] }
    let changed = changed(scope: scope, before: before, after: after())
    if !changed.isEmpty {
      settings.extraLines.removeAll { line in
        lineNames.contains { line.lowercased().hasPrefix($0 + ":") }
      }
      settings.signedLines = []
    }
    return changed
  }
}
