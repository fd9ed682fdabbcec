/// Words as a POSIX shell reads them back: each one as it is when it holds only ASCII letters,
/// digits and `-_./:=@,+%`, otherwise in single quotes. Brackets, braces, `*`, `?`, `~`, `$`,
/// spaces and quotes all get quotes, so a printed command can be pasted as it is, in bash or
/// zsh (whose unmatched `[` glob is an error, and which expands a word that starts with `=`
/// to a command's path).
public enum ShellWords {
  public static func quote(_ word: String) -> String {
    // Scalar by scalar, ASCII only: a Character is a whole grapheme cluster, and one that
    // starts with a letter (U+0D4E, which joins what follows) can carry `&` or `;`.
    word.unicodeScalars.allSatisfy { scalar in
      switch scalar.value {
      case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
      default: "-_./:=@,+%".unicodeScalars.contains(scalar)
      }
    } && !word.isEmpty && !word.hasPrefix("=")
      ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  public static func join(_ words: [String]) -> String {
    words.map(quote).joined(separator: " ")
  }
}
