/// Signed .rdp files (RD Web, RemoteApp) carry `signscope` (the signed property names) and
/// `signature`. rdpvault cannot sign, so it keeps the two lines only while every signed
/// property is written exactly as it was signed; once one changes (on import, or by a later
/// `set` or `edit`), both are dropped: an invalid signature is worse than none (mstsc warns
/// of tampering), a missing one only says "unsigned".
enum RDPSignature {
  static let lineNames: Set<String> = ["signscope", "signature"]

  /// The signed property names, lower-cased ("Full Address" is `full address`,
  /// "GatewayHostname" is `gatewayhostname`); nil for an unsigned profile.
  static func scope(of settings: RDPSettings) -> [String]? {
    guard let line = settings.extraLines.first(where: { $0.lowercased().hasPrefix("signscope:") }),
      let parsed = try? RDPLine.parse(line, lineNumber: 0)
    else { return nil }
    return parsed.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
  }

  /// The signed properties whose line differs between `before` and `after` (lines as written,
  /// `name:type:value`); empty when the signature still holds.
  static func changed(scope: [String], before: [String], after: [String]) -> [String] {
    func index(_ lines: [String]) -> [String: String] {
      var out: [String: String] = [:]
      for line in lines {
        guard let colon = line.firstIndex(of: ":") else { continue }
        out[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] = String(line[line.index(after: colon)...])
      }
      return out
    }
    let old = index(before), new = index(after)
    return scope.filter { old[$0] != new[$0] }
  }

  /// Drops the signature lines from `settings` when a signed property changed; returns the
  /// changed names (empty when the signature was kept or there was none). The lines are made
  /// only for a signed profile: most are not, and an import of 10,000 files would write each
  /// for nothing.
  @discardableResult
  static func dropIfBroken(_ settings: inout RDPSettings, before: [String]?, after: () -> [String]) -> [String] {
    guard let scope = scope(of: settings), let before else { return [] }
    let changed = changed(scope: scope, before: before, after: after())
    if !changed.isEmpty {
      settings.extraLines.removeAll { line in lineNames.contains { line.lowercased().hasPrefix($0 + ":") } }
    }
    return changed
  }
}
