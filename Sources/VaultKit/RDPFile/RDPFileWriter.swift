import Foundation

/// Writes the .rdp file for a profile: address, sign-in name, settings, extra lines.
/// Never a password, in any form.
public enum RDPFileWriter {
  public enum Encoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case utf16le = "utf-16le"
  }

  /// The lines, without line endings.
  public static func lines(for entry: ProfileEntry) -> [String] {
    let profile = entry.profile
    // A signed file's own address lines while they still say what the profile says; else
    // rdpvault's, and no signature (an invalid one is worse than none).
    let signed = RDPSignature.linesToWrite(for: entry)
    var lines = signed ?? ["full address:s:\(fullAddress(host: profile.host, port: profile.port))"]
    if !(signed ?? []).contains(where: { $0.lowercased().hasPrefix("username:") }) {
      lines.append("username:s:\(entry.signInName)")
    }
    // Every value the profile holds, defaults included: FreeRDP's defaults are not mstsc's,
    // so a value left out could change what FreeRDP does with the file.
    for property in RDPProperty.all {
      guard let value = profile.settings.values[property.name] else { continue }
      lines.append("\(property.name):\(property.type.rawValue):\(value)")
    }
    // A line stored before the reserved names were refused is still never written.
    lines += profile.settings.extraLines.filter { line in
      (try? RDPSettings.checkExtraLine(line)) != nil
        && (signed != nil || profile.settings.signedLines.isEmpty
          || !RDPSignature.lineNames.contains { line.lowercased().hasPrefix($0 + ":") })
    }
    return lines
  }

  /// FreeRDP (2.x and 3.x) splits `full address` at its last colon and keeps brackets as part
  /// of the host, so an IPv6 address is written bare and always with its port
  /// (`2001:db8::5:3389`); any other host leaves out the default port 3389.
  public static func fullAddress(host: String, port: Int) -> String {
    if Validation.isIPv6(host) { return "\(host):\(port)" }
    return port == Profile.defaultPort ? host : "\(host):\(port)"
  }

  /// The file's bytes: CRLF line endings; UTF-8 without a byte-order mark, or UTF-16LE with
  /// one, as mstsc writes it.
  public static func data(for entry: ProfileEntry, encoding: Encoding = .utf8) -> [UInt8] {
    let text = lines(for: entry).map { $0 + "\r\n" }.joined()
    switch encoding {
    case .utf8:
      return Array(text.utf8)
    case .utf16le:
      return utf16LittleEndian(text, byteOrderMark: true)
    }
  }
}
