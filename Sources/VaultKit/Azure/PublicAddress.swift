import Foundation

/// This machine's public IPv4 address, as the internet sees it (behind NAT, the NAT's): what a
/// JIT request opens port 3389 to, and what `check` looks for in the VM's inbound rules.
///
/// Asked of api.ipify.org over HTTPS with the user's `curl` (certificate checked, HTTPS only,
/// 10 s). Its answer decides who may reach the VM, so it is only ever accepted as one bare
/// IPv4 address that is not private, loopback or otherwise reserved; anything else fails.
public enum PublicAddress {
  public static let service = "https://api.ipify.org"

  /// `-q` first: the user's ~/.curlrc is not read (it could turn off the certificate check
  /// or follow redirects).
  public static let curlArguments = [
    "-q", "--silent", "--show-error", "--fail", "--proto", "=https", "--max-time", "10",
    "--max-filesize", "64", service,
  ]

  public static func detect(environment: [String: String]) throws -> String {
    guard let curl = Launcher.findExecutable("curl", environment: environment) else {
      throw VaultError.publicAddressUnknown(
        reason: "curl is not installed (it asks \(service))")
    }
    let output: (status: Int32, bytes: [UInt8])
    do {
      output = try Launcher.output(
        curl, arguments: curlArguments, environment: AzureCLI.cleaned(environment), limit: 64)
    } catch {
      throw VaultError.publicAddressUnknown(reason: "\(service) answered more than an address")
    }
    guard output.status == 0 else {
      throw VaultError.publicAddressUnknown(
        reason: "curl \(service) failed (exit status \(output.status))")
    }
    let text = String(decoding: output.bytes, as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    guard let address = parse(text) else {
      throw VaultError.publicAddressUnknown(
        reason: "\(service) did not answer with a public IPv4 address")
    }
    return address
  }

  /// A public IPv4 address in dotted-quad form (no prefix, no port), or nil.
  public static func parse(_ text: String) -> String? {
    guard let value = Validation.ipv4Value(text) else { return nil }
    let octets = [24, 16, 8].map { Int(value >> $0 & 0xFF) }
    return isPublic(octets) ? text : nil
  }

  /// Not 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24, 192.0.2/24,
  /// 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24, multicast or reserved (224/3).
  static func isPublic(_ o: [Int]) -> Bool {
    switch (o[0], o[1], o[2]) {
    case (0, _, _), (10, _, _), (127, _, _), (224...255, _, _): false
    case (100, 64...127, _), (169, 254, _), (172, 16...31, _), (192, 168, _): false
    case (192, 0, 0), (192, 0, 2), (198, 18...19, _), (198, 51, 100), (203, 0, 113): false
    default: true
    }
  }
}
