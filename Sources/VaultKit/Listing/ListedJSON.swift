/// `list --json`'s array as the workers wrote it: each VM's object stays in the buffer it was
/// made in, and the objects are taken in name order as it is written out. At 100,000 VMs a
/// copy of the whole (34 MB) into one array cost more than the writing.
public struct ListedJSON {
  private let parts: [[UInt8]]
  private let objects: [(part: Int, range: Range<Int>)]
  /// False for bytes that are already the whole array (an agent's answer).
  private let framed: Bool

  init(parts: [[UInt8]], objects: [(part: Int, range: Range<Int>)]) {
    (self.parts, self.objects, framed) = (parts, objects, true)
  }

  /// The whole array, as one buffer.
  public init(bytes: [UInt8]) {
    (parts, objects, framed) = ([bytes], [(0, 0..<bytes.count)], false)
  }

  /// The array's bytes in order, handed over in runs of at most `limit` spans: what `writev`
  /// takes. The spans are valid only inside `body`.
  public func forEachRun(limit: Int = 1024, _ body: ([UnsafeRawBufferPointer]) -> Void) {
    precondition(limit >= 2)
    withParts { parts in
      var run: [UnsafeRawBufferPointer] = []
      run.reserveCapacity(limit)
      func add(_ span: UnsafeRawBufferPointer) {
        if run.count == limit {
          body(run)
          run.removeAll(keepingCapacity: true)
        }
        run.append(span)
      }
      if !framed {
        for object in objects {
          add(UnsafeRawBufferPointer(rebasing: parts[object.part][object.range]))
        }
      } else if objects.isEmpty {
        add(Self.span("[]\n"))
      } else {
        for (index, object) in objects.enumerated() {
          add(Self.span(index == 0 ? "[\n" : ",\n"))
          add(UnsafeRawBufferPointer(rebasing: parts[object.part][object.range]))
        }
        add(Self.span("\n]\n"))
      }
      if !run.isEmpty { body(run) }
    }
  }

  /// The whole array in one buffer (what the agent sends, and what tests compare).
  public var bytes: [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(objects.reduce(4) { $0 + $1.range.count + 2 })
    forEachRun { for span in $0 { out.append(contentsOf: span) } }
    return out
  }

  private static func span(_ text: StaticString) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
  }

  /// `body` with every part's bytes in place (one level of `withUnsafeBytes` per part: a
  /// handful per chunk of the table).
  private func withParts(_ body: ([UnsafeRawBufferPointer]) -> Void) {
    func hold(_ index: Int, _ held: inout [UnsafeRawBufferPointer]) {
      guard index < parts.count else { return body(held) }
      parts[index].withUnsafeBytes { bytes in
        held.append(bytes)
        hold(index + 1, &held)
      }
    }
    var held: [UnsafeRawBufferPointer] = []
    held.reserveCapacity(parts.count)
    hold(0, &held)
  }
}
