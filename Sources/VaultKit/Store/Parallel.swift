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

extension Parallel {
  /// `produce` for every index of `0..<count` on the other threads, in chunks, while this
  /// thread hands each value to `consume` in index order as soon as its chunk is ready: the
  /// work that must stay on this thread (SQLite's) overlaps the work that need not. The first
  /// error in index order is thrown, after every chunk under way has stopped. `produce` must
  /// only read what it shares.
  static func pipeline<T>(
    _ count: Int, chunk: Int = 256, produce: @escaping (Int) throws -> T,
    consume: (Int, T) throws -> Void
  ) throws {
    let chunks = (count + chunk - 1) / chunk
    if chunks <= 1 || ProcessInfo.processInfo.activeProcessorCount == 1 {
      for index in 0..<count { try consume(index, try produce(index)) }
      return
    }
    let slots = WorkerSlots<[T]>(count: chunks)
    let shared = Unchecked(produce)
    let done = DispatchGroup()
    DispatchQueue.global().async(group: done) {
      DispatchQueue.concurrentPerform(iterations: chunks) { index in
        guard !slots.isCancelled else { return slots.set(index, .failure(Cancelled())) }
        let range = (index * chunk)..<min(count, (index + 1) * chunk)
        slots.set(index, Result { try range.map(shared.value) })
      }
    }
    defer {
      slots.cancel()
      done.wait()
    }
    for index in 0..<chunks {
      for (offset, value) in try slots.take(index).get().enumerated() {
        try consume(index * chunk + offset, value)
      }
    }
  }

  private struct Cancelled: Error {}
}

/// Hands values that are only read to worker threads.
struct Unchecked<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}

/// One slot per worker; each worker writes only its own slot. A consumer either reads
/// `values` once every worker is done, or `take`s each slot as it is filled.
final class WorkerSlots<Value>: @unchecked Sendable {
  private(set) var values: [Result<Value, Error>?]
  private var cancelled = false
  private let condition = NSCondition()

  init(count: Int) { values = Array(repeating: nil, count: count) }

  func set(_ index: Int, _ value: Result<Value, Error>) {
    condition.lock()
    values[index] = value
    condition.broadcast()
    condition.unlock()
  }

  /// Waits for the value at `index` and takes it out.
  func take(_ index: Int) -> Result<Value, Error> {
    condition.lock()
    defer { condition.unlock() }
    while values[index] == nil { condition.wait() }
    defer { values[index] = nil }
    return values[index]!
  }

  /// Slots not yet begun are skipped: the consumer has stopped.
  func cancel() {
    condition.lock()
    cancelled = true
    condition.unlock()
  }

  var isCancelled: Bool {
    condition.lock()
    defer { condition.unlock() }
    return cancelled
  }
}
