import Foundation

/// Edit distance with adjacent transpositions (optimal string alignment), for "did you
/// mean": `lsit` is one typo from `list`, not two.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a)
  let b = Array(b)
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var before = [Int](repeating: 0, count: b.count + 1)
  var previous = Array(0...b.count)
  for i in 1...a.count {
    var current = [i] + Array(repeating: 0, count: b.count)
    for j in 1...b.count {
      current[j] = min(
        previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
        current[j] = min(current[j], before[j - 2] + 1)
      }
    }
    before = previous
    previous = current
  }
  return previous[b.count]
}

/// The candidates closest to `word` (case ignored), when close enough to be a typo: at most
/// a third of the word's length wrong, and at least one character right.
public func closest(to word: String, in candidates: [String]) -> [String] {
  let lower = word.lowercased()
  let scored = candidates.map { ($0, editDistance(lower, $0.lowercased())) }
  guard let best = scored.map(\.1).min(), best <= max(1, lower.count / 3) else { return [] }
  return scored.filter { $0.1 == best }.map(\.0)
}
