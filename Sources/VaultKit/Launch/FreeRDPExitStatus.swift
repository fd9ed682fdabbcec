/// What the exit status of a FreeRDP client (2 or 3, X11 or SDL) says about how its session
/// ended. FreeRDP exits with the server's error-info code for a session the server ended
/// (MS-RDPBCGR 2.2.5.1.1: 1–12, licensing 16–26 or in fact 240–250, protocol errors 32) and
/// with its own codes from 128 for a connection that failed.
public struct FreeRDPExitStatus: Equatable, Sendable {
  /// What the status means, in the user's terms.
  public let meaning: String
  /// True when the server reports that the user ended the session (signed out, or
  /// disconnected it from its Start menu): nothing failed, so `connect` exits 0.
  public let endedByUser: Bool

  /// The meaning of `status`, or nil when FreeRDP gives it no single meaning: 0, 1 (a
  /// disconnect by an administrator's tool, and FreeRDP 2's failure to start), 137
  /// ("undefined") and 255 ("unknown").
  public init?(_ status: Int32) {
    if let ending = Self.userEndings[status] {
      (meaning, endedByUser) = (ending, true)
    } else if let failure = Self.failures[status] {
      (meaning, endedByUser) = (failure, false)
    } else if (16...26).contains(status) || (240...250).contains(status) {
      (meaning, endedByUser) = (Self.licensingMeaning(status), false)
    } else {
      return nil
    }
  }

  /// The server's word for it: a server can send either at any time.
  static let userEndings: [Int32: String] = [
    11: "the server reports a disconnect from inside the session (its Start menu); "
      + "the session stays signed in there",
    12: "the server reports that you signed out of the session",
  ]

  /// Licensing: the server's codes 0x100-0x10A come out as 240-250 from FreeRDP 2 and 3
  /// (`reason -= 0x100 + XF_EXIT_LICENSE_INTERNAL` wraps), and as 16-26 as the enum names them.
  static func licensingMeaning(_ status: Int32) -> String {
    switch status >= 240 ? status - 240 + 16 : status {
    case 17: "the server found no Remote Desktop license server"
    case 18: "the server has no Remote Desktop license to give"
    case 26: "the server allows no more remote connections (its licensing mode)"
    default:
      "the server's Remote Desktop licensing refused the session (ask its administrator about RD licensing)"
    }
  }

  static let wrongCredentials = "the server refused the credentials"
  static let noRemoteSignIn =
    "the account may not sign in over Remote Desktop (it needs to be in Remote Desktop Users, "
    + "or to hold the right to sign in through Remote Desktop Services)"

  static let failures: [Int32: String] = [
    // The server ended the session.
    2: "the session was signed out on the server (by an administrator's tool)",
    3: "the session was idle too long, and the server ended it",
    4: "the sign-in took too long, and the server ended it",
    5: "another connection took over the session",
    6: "the server ran out of memory",
    7: "the server denied the connection",
    8: "the server denied the connection: it requires FIPS encryption",
    9: noRemoteSignIn,
    10:
      "the server's policy wants the password typed at its own prompt (\"Always prompt for password\")",
    32: "the server reported an RDP protocol error",
    // FreeRDP's own.
    128: "FreeRDP could not parse its arguments",
    129: "FreeRDP ran out of memory",
    130: "an RDP protocol error",
    131: "the connection failed",
    132: wrongCredentials,
    133:
      "security negotiation failed: the server and FreeRDP share no security protocol (NLA, TLS or RDP)",
    134: wrongCredentials,
    135: "the account is locked out",
    136:
      "FreeRDP could not prepare the connection (pre-connect failed): usually no display to open, "
      + "or a plugin it was asked for is missing",
    138:
      "FreeRDP failed right after connecting (post-connect): usually its display or graphics setup",
    139: "the host name could not be looked up",
    140: "the host name does not resolve",
    141: "the connection failed",
    142: "the server refused the session as it started (MCS connect-initial)",
    143:
      "TLS failed: the server's certificate does not match the pinned fingerprint, or it changed since "
      + "FreeRDP first trusted it (a VM re-created at the same address; see ~/.config/freerdp/known_hosts2)",
    144: noRemoteSignIn,
    145: "the connection was cancelled (a question FreeRDP asked was answered no)",
    147: "the server closed the connection during sign-in: usually a wrong password or user name "
      + "(or nothing listens on the port)",
    148: "the password has expired or must be changed",
    149: "the password has expired or must be changed",
    150: "no Kerberos KDC for the domain could be reached",
    151: "the account is disabled",
    152: "the password has expired or must be changed",
    153: "the account's credentials were revoked",
    154: wrongCredentials,
    155: "access denied: " + noRemoteSignIn,
    156:
      "the account's restrictions forbid this sign-in (for example a blank password, or its sign-in hours)",
    157: "the account has expired",
    158: noRemoteSignIn,
    159: "FreeRDP had no credentials to sign in with",
    160: "the VM is still starting: try again in a minute",
  ]
}
