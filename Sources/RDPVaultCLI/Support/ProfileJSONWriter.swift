import Foundation
import VaultKit

/// `list --json` for 100,000 VMs: one object per line, keys sorted, written by hand because
/// JSONEncoder spends more time than decrypting the vault. The fields are ProfileJSON's.
enum ProfileJSONWriter {
  /// Writes `entries[order[0]]`, `entries[order[1]]`, … as an array to `fd`. Parts are made
  /// on every core and written in order, never joined: at 100,000 VMs, writing costs as
  /// much as decoding, and a join as much again.
  static func write(_ entries: [ProfileEntry], in order: [Int], to fd: Int32) {
    let workers = min(
      max(1, ProcessInfo.processInfo.activeProcessorCount), max(1, order.count / 1024))
    let parts = PartList(count: workers)
    entries.withUnsafeBufferPointer { entries in
      // Read in place: a copy of each entry costs as much as writing it.
      let shared = UncheckedBuffer(entries)
      DispatchQueue.concurrentPerform(iterations: workers) { worker in
        let range = (order.count * worker / workers)..<(order.count * (worker + 1) / workers)
        var out: [UInt8] = []
        out.reserveCapacity(range.count * 512 + 4)
        if worker == 0 { out.append(UInt8(ascii: "[")) }
        for position in range {
          out.append(contentsOf: (position == 0 ? "\n" : ",\n").utf8)
          object(shared.buffer[order[position]], into: &out)
        }
        if worker == workers - 1 { out.append(contentsOf: (order.isEmpty ? "]\n" : "\n]\n").utf8) }
        parts.set(worker, out)
      }
    }
    for part in parts.values { part.withUnsafeBytes { Output.writeAll(fd, $0) } }
  }

  /// The entries, read by the workers while `write` waits for them.
  private struct UncheckedBuffer: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<ProfileEntry>
    init(_ buffer: UnsafeBufferPointer<ProfileEntry>) { self.buffer = buffer }
  }

  /// One slot per worker; each worker writes only its own.
  private final class PartList: @unchecked Sendable {
    private(set) var values: [[UInt8]]
    private let lock = NSLock()
    init(count: Int) { values = Array(repeating: [], count: count) }
    func set(_ index: Int, _ value: [UInt8]) {
      lock.lock()
      values[index] = value
      lock.unlock()
    }
  }

  /// The fields of `ProfileJSON`, read straight from the entry (a copy of each entry costs
  /// as much as writing it).
  static func object(_ entry: borrowing ProfileEntry, into out: inout [UInt8]) {
    var first = true
    func key(_ name: StaticString) {
      out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
      out.append(UInt8(ascii: "\""))
      out.append(
        contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
      out.append(contentsOf: "\":".utf8)
      first = false
    }
    key("computer_name")
    JSONText.string(entry.profile.computerName, &out)
    key("domain")
    JSONText.string(ProfileJSON.domain(entry), &out)
    key("domain_admin")
    out.append(contentsOf: (entry.account.isDomainAdmin ? "true" : "false").utf8)
    key("extra_lines")
    JSONText.array(entry.profile.settings.extraLines, &out)
    key("host")
    JSONText.string(entry.profile.host, &out)
    key("kind")
    JSONText.string(entry.profile.kind.rawValue, &out)
    key("name")
    JSONText.string(entry.profile.name, &out)
    key("note")
    JSONText.string(entry.profile.note, &out)
    key("options")
    if entry.profile.settings.options.keys.contains(where: ConnectOption.approvals.contains) {
      JSONText.dictionary(ProfileJSON.shownOptions(entry.profile.settings), &out)
    } else {
      JSONText.dictionary(entry.profile.settings.options, &out)
    }
    key("port")
    out.append(contentsOf: String(entry.profile.port).utf8)
    key("resource_group")
    JSONText.string(entry.profile.resourceGroup, &out)
    key("settings")
    JSONText.dictionary(entry.profile.settings.values, &out)
    key("sign_in_name")
    JSONText.string(entry.signInName, &out)
    key("subscription")
    JSONText.string(entry.profile.subscription, &out)
    key("tags")
    JSONText.array(entry.profile.tags, &out)
    key("user")
    JSONText.string(entry.account.userName, &out)
    out.append(UInt8(ascii: "}"))
  }
}
