import VaultKit

/// Durations as `unlock --timeout` and `connect --wait` take them and `agent status` shows
/// them (named apart from Swift's `Duration`).
enum DurationText {
  /// `90s`, `30m`, `8h`, `1h30m`, or plain seconds, within `range` (the agent's, unless
  /// told); nil otherwise.
  static func seconds(_ text: String, in range: ClosedRange<Int> = AgentServer.timeouts) -> Int? {
    if let plain = Int(text) { return range.contains(plain) ? plain : nil }
    var total = 0
    var number = ""
    for character in text.lowercased() {
      if character.isASCII, character.isNumber {
        number.append(character)
        guard number.count <= 6 else { return nil }
        continue
      }
      guard let value = Int(number) else { return nil }
      switch character {
      case "s": total += value
      case "m": total += value * 60
      case "h": total += value * 3600
      default: return nil
      }
      number = ""
    }
    guard number.isEmpty, !text.isEmpty, range.contains(total) else { return nil }
    return total
  }

  static func text(_ seconds: Int) -> String {
    let (hours, minutes, rest) = (seconds / 3600, seconds % 3600 / 60, seconds % 60)
    var parts: [String] = []
    if hours > 0 { parts.append("\(hours)h") }
    if minutes > 0 { parts.append("\(minutes)m") }
    if rest > 0 || parts.isEmpty { parts.append("\(rest)s") }
    return parts.joined()
  }
}
