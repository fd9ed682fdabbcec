import VaultCrypto

/// The passwords an inventory carried (mRemoteNG's, Remmina's), one slot per VM, all in one
/// guarded buffer: a password read from another tool's file is never a String. A slot may be
/// empty (no password, or one that could not be read).
public struct InventoryPasswords: ~Copyable {
  public private(set) var secret: SecretBytes
  /// Each slot's length; nil when the slot holds no password.
  public private(set) var lengths: [Int?]
  private var offsets: [Int]

  /// Room for `capacity` bytes of passwords in all.
  public init(capacity: Int) throws {
    secret = try SecretBytes(capacity: max(1, capacity))
    lengths = []
    offsets = []
  }

  /// Rebuilds the slots from a buffer and its lengths (the agent's wire form).
  public init(secret: consuming SecretBytes, lengths: [Int?]) throws {
    var offset = 0
    var offsets: [Int] = []
    for length in lengths {
      offsets.append(offset)
      let (next, overflow) = offset.addingReportingOverflow(length ?? 0)
      guard (length ?? 0) >= 0, !overflow, next <= secret.count else {
        throw VaultError.corrupt(detail: "password lengths beyond the buffer")
      }
      offset = next
    }
    guard offset == secret.count else {
      throw VaultError.corrupt(detail: "passwords of another total length")
    }
    self.secret = secret
    self.lengths = lengths
    self.offsets = offsets
  }

  public var count: Int { lengths.count }

  /// Adds a slot; the buffer grows (into a new guarded allocation, the old one wiped) as needed.
  public mutating func append(_ password: borrowing SecretBytes) throws {
    if secret.capacity - secret.count < password.count {
      var larger = try SecretBytes(
        capacity: max(secret.capacity * 2, secret.count + password.count))
      try secret.withUnsafeBytes { try larger.append(contentsOf: $0) }
      secret = larger
    }
    offsets.append(secret.count)
    try password.withUnsafeBytes { try secret.append(contentsOf: $0) }
    lengths.append(password.count)
  }

  public mutating func appendNone() {
    offsets.append(secret.count)
    lengths.append(nil)
  }

  public func hasPassword(at index: Int) -> Bool {
    index < lengths.count && lengths[index] != nil
  }

  /// Lends slot `index`'s bytes to `body`; nil when the slot is empty.
  public func withPassword<R>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> R)
    rethrows -> R?
  {
    guard index < lengths.count, let length = lengths[index] else { return nil }
    return try secret.withUnsafeBytes { all in
      try body(UnsafeRawBufferPointer(rebasing: all[offsets[index]..<offsets[index] + length]))
    }
  }

  /// Whether two slots hold the same password (compared in constant time).
  public func samePassword(_ a: Int, _ b: Int) -> Bool {
    withPassword(at: a) { first in
      withPassword(at: b) { second in constantTimeEquals(first, second) } ?? false
    } ?? !hasPassword(at: b)
  }
}
