/// Words as a POSIX shell reads them back: each one as it is when a shell would take it
/// whole and literal, otherwise in single quotes. Brackets, braces, `*`, `?`, `~`, `$`,
/// spaces and quotes all get quotes, so a printed command can be pasted as it is, in bash or
/// zsh (whose unmatched `[` glob is an error).
public enum ShellWords {
  public static func quote(_ word: String) -> String {
    word.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=@,+%".contains($0) } && !word.isEmpty
      ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  public static func join(_ words: [String]) -> String {
    words.map(quote).joined(separator: " ")
  }
}
