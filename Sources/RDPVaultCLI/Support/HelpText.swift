/// Text laid out for `--help`, where ArgumentParser wraps each line of a discussion at 80
/// columns (79 characters) and starts a wrapped part at column 0.
enum HelpText {
  /// The width ArgumentParser leaves a line of a discussion alone at.
  static let width = 79

  /// An indented list, one item a line. An item too long for one line wraps at a word onto
  /// lines indented further, so that it still reads as one item (ArgumentParser would
  /// continue it at column 0).
  static func list(_ items: [String], indent: Int = 2, hanging: Int = 4) -> String {
    items.map { wrap($0, first: indent, rest: hanging) }.joined(separator: "\n")
  }

  private static func wrap(_ item: String, first: Int, rest: Int) -> String {
    var lines: [String] = []
    var line = String(repeating: " ", count: first)
    var empty = true
    for word in item.split(separator: " ", omittingEmptySubsequences: true) {
      if !empty && line.count + 1 + word.count > width {
        lines.append(line)
        line = String(repeating: " ", count: rest)
        empty = true
      }
      line += (empty ? "" : " ") + word
      empty = false
    }
    lines.append(line)
    return lines.joined(separator: "\n")
  }
}
