import Foundation
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// A reply and the secret that came with it (a password).
struct AgentAnswer<Value: Codable>: ~Copyable {
  var reply: AgentReply<Value>
  var secret: SecretBytes?
}

/// A connection to the agent: `status`, `unlock` and `lock`, and the `VaultService` of a
/// vault it holds unlocked (`AgentVault`).
public final class AgentClient {
  public let socketPath: String
  private let fd: Int32
  private let encoder = JSONEncoder()
  private let decoder = JSONDecoder()

  /// Bounds every read and write: a stopped or wedged agent fails a command, it does not hang
  /// it. Long enough for `verify` of 100,000 VMs.
  static let requestTimeout = 120

  /// The agent listening at `socketPath`, or nil when none answers there.
  public init?(socketPath: String) {
    guard let fd = AgentSocket.connect(socketPath, timeout: Self.requestTimeout) else {
      return nil
    }
    self.socketPath = socketPath
    self.fd = fd
  }

  deinit { close(fd) }

  /// One request and its reply; the reply's secret section, if any, comes back with it.
  func exchange<Value: Codable>(
    _ request: AgentRequest, secret: consuming SecretBytes? = nil, as: Value.Type,
    progress: ((_ done: Int, _ total: Int) -> Void)? = nil
  ) throws -> AgentAnswer<Value> {
    let json: [UInt8]
    do {
      json = Array(try encoder.encode(request))
    } catch {
      throw VaultError.agentFailed(reason: "cannot encode the request: \(error)")
    }
    guard AgentFrame(json: json, secret: secret).write(to: fd) else {
      throw VaultError.agentFailed(reason: "it closed the connection")
    }
    while true {
      guard let frame = AgentFrame.read(from: fd) else {
        throw VaultError.agentFailed(reason: "no answer (it was stopped, or timed out)")
      }
      let reply: AgentReply<Value>
      do {
        reply = try decoder.decode(AgentReply<Value>.self, from: Data(frame.json))
      } catch {
        throw VaultError.agentFailed(reason: "an answer it could not read")
      }
      if case .progress(let done, let total) = reply {
        progress?(done, total)
        continue
      }
      return AgentAnswer(reply: reply, secret: frame.secret)
    }
  }

  /// The value of a reply; a vault error is thrown as the in-process vault would throw it.
  func value<Value: Codable>(_ reply: AgentReply<Value>) throws -> Value {
    switch reply {
    case .ok(let value): return value
    case .failed(let error): throw error
    case .locked: throw VaultError.agentLockedMeanwhile
    case .progress: throw VaultError.agentFailed(reason: "an answer that never came")
    }
  }

  public func status(path: String) throws -> AgentStatus {
    try value(exchange(.status(path: path), as: AgentStatus.self).reply)
  }

  /// Unlocks `path` in the agent; returns its status and the format it upgraded from, if any.
  public func unlock(path: String, passphrase: consuming SecretBytes, timeout: Int) throws -> (
    status: AgentStatus, upgradedFromFormat: Int?
  ) {
    let reply = try value(
      exchange(.unlock(path: path, timeout: timeout), secret: passphrase, as: UnlockReply.self)
        .reply)
    return (reply.status, reply.upgradedFromFormat)
  }

  /// Locks `path`, or every vault; returns the paths that were unlocked.
  @discardableResult
  public func lock(path: String?) throws -> [String] {
    try value(exchange(.lock(path: path), as: [String].self).reply)
  }

  /// Locks everything and ends the agent.
  public func stop() throws {
    _ = try value(exchange(.stop, as: Nothing.self).reply)
  }

  /// The vault at `path` as a service, when the agent holds it unlocked; nil otherwise.
  public func vault(path: String) throws -> (any VaultService)? {
    guard try status(path: path).unlocked else { return nil }
    return AgentVault(client: self, path: path)
  }
}
