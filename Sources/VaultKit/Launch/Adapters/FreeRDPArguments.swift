/// Command-line arguments FreeRDP 2 and 3 share, from a profile and its settings.
enum FreeRDPArguments {
  enum Version { case two, three }

  static func connection(_ entry: ProfileEntry, version: Version) throws -> (
    arguments: [String], notes: [LaunchNote]
  ) {
    let profile = entry.profile
    var arguments: [String] = []
    var notes: [LaunchNote] = []
    // `/v:[v6]:port` is misparsed by FreeRDP 2; `/v:[v6]` with `/port:` works in 2 and 3.
    arguments.append(
      Validation.isIPv6(profile.host) ? "/v:[\(profile.host)]" : "/v:\(profile.host)")
    arguments.append("/port:\(profile.port)")
    let credentials = entry.account.clientCredentials(computerName: profile.computerName)
    arguments.append("/u:\(credentials.user)")
    if !credentials.domain.isEmpty { arguments.append("/d:\(credentials.domain)") }
    if entry.account.signsInOnComputer && version == .three {
      // A local account signs in with NTLM only: without this FreeRDP 3 first asks Kerberos
      // for a KDC of the computer's "realm" and logs two errors for every connect.
      arguments.append("/auth-pkg-list:!kerberos")
    }
    if let pin = profile.settings.options[ConnectOption.certSHA256] {
      // FreeRDP 3 asks the user about a certificate that does not match the pin (and would
      // accept it on a yes); `deny` makes a mismatch a failure, as in FreeRDP 2.
      arguments.append(
        "/cert:\(version == .three ? "deny," : "")fingerprint:sha256:\(ConnectOption.colonHex(pin))"
      )
      notes.append("certificate: pinned to SHA-256 \(ConnectOption.colonHex(pin))")
    } else {
      arguments.append("/cert:tofu")
      notes.append(.certificateNotPinned(profile: profile.name))
    }
    let values = profile.settings.values
    if values["screen mode id"] == "2" { arguments.append("/f") }
    if let width = values["desktopwidth"] { arguments.append("/w:\(width)") }
    if let height = values["desktopheight"] { arguments.append("/h:\(height)") }
    if values["use multimon"] == "1" { arguments.append("/multimon") }
    // Settings rdpvault keeps as extra lines but FreeRDP can honour: only values of the one
    // form each takes reach the command line.
    let settings = profile.settings
    if let monitors = settings.value(of: "selectedmonitors") {
      let ids = monitors.split(separator: ",", omittingEmptySubsequences: false)
      if ids.count <= 16,
        ids.allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy { ("0"..."9").contains($0) } })
      {
        arguments.append("/monitors:\(monitors)")
        if values["use multimon"] != "1" {
          notes.append("selectedmonitors applies only with use multimon 1")
        }
      } else {
        notes.append(
          "selectedmonitors \(monitors) is not a list of monitor ids; not passed to FreeRDP")
      }
    }
    if settings.value(of: "smart sizing") == "1" { arguments.append("/smart-sizing") }
    if settings.value(of: "dynamic resolution") == "1" {
      arguments.append(version == .two ? "/dynamic-resolution" : "+dynamic-resolution")
    }
    if values["administrative session"] == "1" { arguments.append("/admin") }
    if values["enablecredsspsupport"] == "0" { arguments.append("-sec-nla") }
    switch values["redirectclipboard"] {
    case "0": arguments.append("-clipboard")
    case "1": arguments.append("+clipboard")
    default: break
    }
    if values["redirectprinters"] == "1" { arguments.append("/printer") }
    if let drives = values["drivestoredirect"], !drives.isEmpty {
      if drives == "*" {
        arguments.append("/drives")
      } else {
        notes.append(
          "drivestoredirect \(drives) names Windows drives; FreeRDP redirects none of them")
      }
    }
    switch values["audiomode"] {
    case "0": arguments.append("/sound")
    case "1": arguments.append("/audio-mode:1")
    case "2": arguments.append("/audio-mode:2")
    default: break
    }
    if settings.value(of: "audiocapturemode") == "1" { arguments.append("/microphone") }
    if let cameras = settings.value(of: "camerastoredirect") {
      notes.append(
        "camerastoredirect \(cameras): FreeRDP \(version == .two ? 2 : 3) does not redirect cameras from the command line"
      )
    }
    if let usb = settings.value(of: "usbdevicestoredirect") {
      if usb == "*" {
        arguments.append("/usb:auto")
      } else {
        notes.append(
          "usbdevicestoredirect \(usb) names Windows device ids; FreeRDP redirects none of them (only * maps, to /usb:auto)"
        )
      }
    }
    if settings.value(of: "enablerdsaadauth") == "1" {
      if version == .three {
        arguments.append("/sec:aad")
      } else {
        notes.append(.entraIDNeedsFreeRDP3)
      }
    }
    arguments += gateway(values, version: version, notes: &notes)
    if let shell = values["alternate shell"], !shell.isEmpty { arguments.append("/shell:\(shell)") }
    if values["remoteapplicationmode"] == "1", let program = values["remoteapplicationprogram"],
      !program.isEmpty
    {
      // FreeRDP 3 splits /app: at commas into sub-options (program:, name:, cmd:, …): a comma
      // in the value would add one.
      if version == .three && program.contains(",") {
        throw VaultError.invalidField(
          field: "remoteapplicationprogram", value: program,
          rule: "FreeRDP 3 splits /app: at commas, so a program with a comma cannot be passed to it"
        )
      }
      arguments.append(version == .two ? "/app:\(program)" : "/app:program:\(program)")
    }
    if !profile.settings.extraLines.isEmpty {
      notes.append(.extraLinesOnlyInFiles)
    }
    return (arguments, notes)
  }

  /// The gateway, as mstsc would use it: `gatewayusagemethod` 0 and 4 mean "do not use it"
  /// (a file can name a gateway it does not use), 1 always, 2 only when a direct connection
  /// fails. FreeRDP 3 no longer takes FreeRDP 2's `/g:` (it stops at a parse error).
  static func gateway(_ values: [String: String], version: Version, notes: inout [LaunchNote])
    -> [String]
  {
    guard let host = values["gatewayhostname"], !host.isEmpty else { return [] }
    let usage = values["gatewayusagemethod"]
    if usage == "0" || usage == "4" {
      notes.append("gateway \(host) is not used (gatewayusagemethod \(usage!))")
      return []
    }
    let method = usage == "2" ? "detect" : "direct"
    switch values["gatewaycredentialssource"] {
    case "1", "5":
      notes.append(
        .fact(
          "gatewaycredentialssource \(values["gatewaycredentialssource"]!) (smart card or cookie): FreeRDP offers the gateway "
            + "the sign-in name and password instead"))
    default: break
    }
    switch version {
    case .two: return ["/g:\(host)", "/gateway-usage-method:\(method)"]
    case .three: return ["/gateway:g:\(host),usage-method:\(method)"]
    }
  }
}
