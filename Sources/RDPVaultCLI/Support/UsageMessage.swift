import ArgumentParser
import VaultKit

/// swift-argument-parser's message for a usage error, in one error line and one hint: the
/// mistake named, the valid values listed in full, and a did-you-mean for a mistyped
/// subcommand, option or value.
struct UsageMessage {
  var message: String
  var hint: String?

  init(_ text: String, arguments: [String]) {
    let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    // The parser's sentences start with a capital; ours do not ("rdpvault: error: the …").
    let first = Self.lowercasingFirst(lines.first ?? text)
    // "Please provide one of the following:" and a bulleted list: the list, in one line.
    let listed = lines.dropFirst().filter { $0.hasPrefix("- ") }.map { String($0.dropFirst(2)) }
    if first.hasSuffix("Please provide one of the following:"), !listed.isEmpty {
      message = String(first.dropLast(" Please provide one of the following:".count))
      if message.hasSuffix(".") { message.removeLast() }
      hint =
        Self.suggestion(for: Self.quotedValue(in: first), among: listed).map {
          "did you mean \($0)? Valid values: \(listed.joined(separator: ", "))"
        } ?? "valid values: \(listed.joined(separator: ", "))"
      return
    }
    message = ([first] + lines.dropFirst()).joined(separator: " ")
    // One of the values the parser listed inline: "Please provide one of 'a', 'b' or 'c'."
    // The list goes to the hint, with a did-you-mean when one is close.
    if let range = first.range(of: " Please provide one of ") {
      // The quoted words of "'a', 'b' or 'c'.": every other piece between quotes.
      let pieces = first[range.upperBound...].split(
        separator: "'", omittingEmptySubsequences: false)
      let values: [String] = stride(from: 1, to: pieces.count, by: 2).map { String(pieces[$0]) }
      message = String(first[..<range.lowerBound])
      if message.hasSuffix(".") { message.removeLast() }
      let valid = values.joined(separator: ", ")
      hint =
        Self.suggestion(for: Self.quotedValue(in: first), among: values).map {
          "did you mean \($0)? Valid values: \(valid)"
        } ?? "valid values: \(valid)"
      return
    }
    // A mistyped subcommand: the parser says "Unexpected argument 'lsit'" (or, with more
    // words after it, "2 unexpected arguments: 'conect', 'web-01'").
    if first.hasPrefix("unexpected argument") || first.contains("unexpected arguments:"),
      let word = Self.quotedValue(in: first), arguments.first == word
    {
      let commands = RDPVault.configuration.subcommands.map { $0._commandName }
      message = "unknown command \(quoted(word))"
      hint =
        Self.suggestion(for: word, among: commands).map {
          "did you mean \($0)? (rdpvault help lists every command)"
        } ?? "rdpvault help lists every command"
      return
    }
    // A mistyped option: "Unknown option '--hots'".
    if first.hasPrefix("unknown option"), let option = Self.quotedValue(in: first) {
      message = "unknown option '\(option)'"
      let known = Self.options(of: arguments)
      hint = Self.suggestion(for: option, among: known).map { "did you mean \($0)?" }
      return
    }
  }

  /// "The value …" as "the value …"; a quoted word or an option first is left alone.
  static func lowercasingFirst(_ line: String) -> String {
    guard let first = line.first, first.isUppercase, line.dropFirst().first?.isLowercase == true
    else { return line }
    return first.lowercased() + line.dropFirst()
  }

  /// The first 'quoted' word of a parser message.
  static func quotedValue(in line: String) -> String? {
    let parts = line.split(separator: "'", omittingEmptySubsequences: false)
    return parts.count >= 3 ? String(parts[1]) : nil
  }

  static func suggestion(for word: String?, among candidates: [String]) -> String? {
    guard let word else { return nil }
    let matches = closest(to: word, in: candidates)
    return matches.isEmpty ? nil : matches.map { "'\($0)'" }.joined(separator: " or ")
  }

  /// "see: rdpvault help edit": the help of the subcommand the arguments name, or the
  /// top-level help when they name none.
  static func helpHint(for arguments: [String]) -> String {
    var command: ParsableCommand.Type = RDPVault.self
    var path: [String] = []
    for argument in RDPVaultMain.arguments(arguments) {
      guard
        !argument.hasPrefix("-"),
        let next = command.configuration.subcommands.first(where: { $0._commandName == argument })
      else { break }
      command = next
      path.append(argument)
    }
    return (["see: rdpvault help"] + path).joined(separator: " ")
  }

  /// The long options of the subcommand the arguments name, from its help text.
  static func options(of arguments: [String]) -> [String] {
    var command: ParsableCommand.Type = RDPVault.self
    for argument in arguments where !argument.hasPrefix("-") {
      guard
        let next = command.configuration.subcommands.first(where: { $0._commandName == argument })
      else { break }
      command = next
    }
    let help = RDPVault.helpMessage(for: command)
    var found: [String] = []
    for word in help.split(whereSeparator: { " ,\n<>[]|".contains($0) }) where word.hasPrefix("--")
    {
      let name = String(word.prefix { $0 == "-" || $0.isLetter || $0.isNumber })
      if name.count > 2 && !found.contains(name) { found.append(name) }
    }
    return found
  }
}
