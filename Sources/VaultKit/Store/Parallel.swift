import Foundation

/// Work spread over every core in contiguous chunks: opening, sealing and checking many
/// records at once.
enum Parallel {
  /// How many workers `count` items get: one per core, none with fewer than
  /// `minimumPerWorker` items (a thread costs more than a few records).
  static func workers(for count: Int, minimumPerWorker: Int = 512) -> Int {
    min(max(1, ProcessInfo.processInfo.activeProcessorCount), max(1, count / minimumPerWorker))
  }

  /// `body` for every index of `0..<count`, in index order. `body` must only read what it
  /// shares. When indexes fail, the error of the lowest one is thrown, as a loop would.
  static func map<T>(
    _ count: Int, minimumPerWorker: Int = 512, _ body: (Int) throws -> T
  ) throws -> [T] {
    let workers = workers(for: count, minimumPerWorker: minimumPerWorker)
    if workers == 1 { return try (0..<count).map(body) }
    let slots = WorkerSlots<[T]>(count: workers)
    withoutActuallyEscaping(body) { body in
      let shared = Unchecked(body)
      DispatchQueue.concurrentPerform(iterations: workers) { worker in
        let range = (count * worker / workers)..<(count * (worker + 1) / workers)
        slots.set(worker, Result { try range.map(shared.value) })
      }
    }
    var out: [T] = []
    out.reserveCapacity(count)
    // Chunks are in index order and each stops at its first failure.
    for slot in slots.values { out += try slot!.get() }
    return out
  }
}

/// Hands values that are only read to worker threads.
struct Unchecked<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}

/// One slot per worker; each worker writes only its own slot.
final class WorkerSlots<Value>: @unchecked Sendable {
  private(set) var values: [Result<Value, Error>?]
  private let lock = NSLock()

  init(count: Int) { values = Array(repeating: nil, count: count) }

  func set(_ index: Int, _ value: Result<Value, Error>) {
    lock.lock()
    values[index] = value
    lock.unlock()
  }
}
