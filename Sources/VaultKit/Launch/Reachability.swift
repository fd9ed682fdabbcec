import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The check before connecting: does the name resolve, and does host:port accept a TCP
/// connection within a short timeout?
public enum Reachability {
  public enum Result: Equatable, Sendable {
    case reachable(address: String)
    case unresolvable(reason: String)
    case refused(address: String)
    case timedOut(address: String)
    case unreachable(address: String, reason: String)
  }

  public static func check(host: String, port: Int, timeout: TimeInterval = 3) -> Result {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_family = AF_UNSPEC
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    guard status == 0, let first = list else {
      return .unresolvable(reason: String(cString: gai_strerror(status)))
    }
    defer { freeaddrinfo(list) }
    var outcomes: [Result] = []
    var cursor: UnsafeMutablePointer<addrinfo>? = first
    while let entry = cursor {
      let address = describe(entry.pointee.ai_addr, length: entry.pointee.ai_addrlen)
      let outcome = connect(entry.pointee, address: address, timeout: timeout)
      if case .reachable = outcome { return outcome }
      outcomes.append(outcome)
      cursor = entry.pointee.ai_next
    }
    // A refusal says more than a timeout: something answered.
    return outcomes.first { if case .refused = $0 { true } else { false } } ?? outcomes.first
      ?? .unresolvable(reason: "no address")
  }

  private static func connect(_ info: addrinfo, address: String, timeout: TimeInterval) -> Result {
    let fd = socket(info.ai_family, info.ai_socktype, info.ai_protocol)
    guard fd >= 0 else {
      return .unreachable(address: address, reason: String(cString: strerror(errno)))
    }
    defer { close(fd) }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) == 0 { return .reachable(address: address) }
    if errno == ECONNREFUSED { return .refused(address: address) }
    guard errno == EINPROGRESS else {
      return .unreachable(address: address, reason: String(cString: strerror(errno)))
    }
    var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
    let ready = poll(&poller, 1, Int32(timeout * 1000))
    if ready == 0 { return .timedOut(address: address) }
    var error: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
    switch error {
    case 0: return .reachable(address: address)
    case ECONNREFUSED: return .refused(address: address)
    case ETIMEDOUT: return .timedOut(address: address)
    default: return .unreachable(address: address, reason: String(cString: strerror(error)))
    }
  }

  private static func describe(_ address: UnsafeMutablePointer<sockaddr>?, length: socklen_t)
    -> String
  {
    var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
    var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
    guard
      getnameinfo(
        address, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
        NI_NUMERICHOST | NI_NUMERICSERV) == 0
    else { return "?" }
    let text = host.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    let port = service.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    return text.contains(":") ? "[\(text)]:\(port)" : "\(text):\(port)"
  }
}

extension Reachability {
  /// Waits up to `seconds` for host:port to accept a connection (a VM starting, a just-in-time
  /// rule being applied): a try every second, each bounded by what is left, `progress`
  /// told the seconds waited. With 0, one check as `probe` makes it. A name that does not
  /// resolve is retried too (a new VM's DNS record may not exist yet).
  @discardableResult
  public static func wait(
    for profile: Profile, seconds: Int, progress: ((_ waited: Int, _ total: Int) -> Void)? = nil
  ) throws -> String {
    guard seconds > 0 else { return try probe(profile) }
    let start = Date()
    let deadline = start.addingTimeInterval(TimeInterval(seconds))
    var last = Result.unresolvable(reason: "not tried")
    while true {
      let left = deadline.timeIntervalSinceNow
      if left <= 0 { break }
      let attempt = Date()
      last = check(host: profile.host, port: profile.port, timeout: min(3, max(0.2, left)))
      if case .reachable(let address) = last {
        progress?(seconds, seconds)
        return address
      }
      progress?(min(seconds, Int(Date().timeIntervalSince(start))), seconds)
      // One try a second: a refusal comes back at once.
      let pause = 1 - Date().timeIntervalSince(attempt)
      if pause > 0, deadline.timeIntervalSinceNow > pause { usleep(UInt32(pause * 1_000_000)) }
    }
    progress?(seconds, seconds)
    let why: String
    switch last {
    case .reachable: why = "reachable"
    case .unresolvable(let reason): why = "the name does not resolve (\(reason))"
    case .refused: why = "the connection was refused"
    case .timedOut: why = "nothing answered"
    case .unreachable(_, let reason): why = reason
    }
    throw VaultError.portNeverOpened(
      host: profile.host, port: profile.port, seconds: seconds, last: why)
  }

  /// The check `connect` runs first and `check` reports: the address that answered, or the
  /// diagnosis as an error (a name that does not resolve, a refused or a filtered port).
  @discardableResult
  public static func probe(_ profile: Profile) throws -> String {
    switch check(host: profile.host, port: profile.port) {
    case .reachable(let address): return address
    case .unresolvable(let reason):
      throw VaultError.unresolvable(host: profile.host, reason: reason)
    case .refused: throw VaultError.refused(host: profile.host, port: profile.port)
    case .timedOut: throw VaultError.timedOut(host: profile.host, port: profile.port)
    case .unreachable(_, let reason):
      throw VaultError.unreachable(host: profile.host, port: profile.port, reason: reason)
    }
  }
}
