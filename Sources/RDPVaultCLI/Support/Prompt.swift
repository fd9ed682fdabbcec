import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A yes/no question at the terminal (never on stdin, which may carry data).
enum Prompt {
  /// A yes/no question; only "y" or "yes" is yes.
  static func confirm(_ question: String, hint: String) throws -> Bool {
    ["y", "yes"].contains(try ask(question + " [y/N] ", hint: hint).lowercased())
  }

  static func ask(_ question: String, hint: String) throws -> String {
    guard let tty = Terminal.open() else {
      throw CLIError("no terminal to confirm on", hint: hint)
    }
    defer { close(tty) }
    return QuietTerminal.echoing(tty) {
      // A "y" typed before the question appeared answers nothing.
      tcflush(tty, TCIFLUSH)
      _ = question.withCString { write(tty, $0, strlen($0)) }
      var answer: [UInt8] = []
      var byte: UInt8 = 0
      while read(tty, &byte, 1) == 1, byte != 0x0A, answer.count < 64 { answer.append(byte) }
      return String(decoding: answer, as: UTF8.self).trimmingCharacters(
        in: .whitespacesAndNewlines)
    }
  }
}
