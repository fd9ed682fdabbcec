/// One `name:type:value` line of an .rdp file.
public struct RDPLine: Equatable, Sendable {
  public var name: String
  public var type: Character
  public var value: String

  /// Splits at the first two colons: names have no colon, values may (addresses, paths).
  static func parse(_ text: String, lineNumber: Int?) throws -> RDPLine {
    let fail = { (reason: String) -> VaultError in
      .rdpFile(file: "", line: lineNumber ?? 0, reason: reason)
    }
    guard let first = text.firstIndex(of: ":") else {
      throw lineNumber == nil
        ? VaultError.invalidField(
          field: "extra line", value: text, rule: "expected name:type:value")
        : fail("expected name:type:value")
    }
    let name = String(text[..<first]).trimmingCharacters(in: .whitespaces)
    let rest = text[text.index(after: first)...]
    guard let second = rest.firstIndex(of: ":") else {
      throw lineNumber == nil
        ? VaultError.invalidField(
          field: "extra line", value: text, rule: "missing the type (name:type:value)")
        : fail("missing the type in \(quoted(name)) (expected name:type:value)")
    }
    let typeText = rest[..<second]
    let value = String(rest[rest.index(after: second)...])
    guard !name.isEmpty else {
      throw lineNumber == nil
        ? VaultError.invalidField(
          field: "extra line", value: text, rule: "the property name is empty")
        : fail("the property name is empty")
    }
    // A letter first: FreeRDP 3 reads a line that starts with '/' as one of its command-line
    // options (`/v:`, `/proxy:`, `/drive:`), so such a line would connect somewhere other
    // than the file's address. No property mstsc knows starts with anything but a letter.
    guard name.count <= 64, let head = name.unicodeScalars.first, head.isASCII,
      Character(head).isLetter,
      name.unicodeScalars.allSatisfy({
        Validation.isASCIIAlnum($0) || " _.-".unicodeScalars.contains($0)
      })
    else {
      let reason =
        "the property name \(String(name.prefix(40)).debugDescription) is not a letter and then up to 63 letters, digits, spaces or _ . -"
      throw lineNumber == nil
        ? VaultError.invalidField(field: "extra line", value: text, rule: reason)
        : fail(reason)
    }
    guard typeText.count == 1, let type = typeText.first, "isb".contains(type) else {
      let reason =
        "unknown type \(quoted(String(typeText))) for \(quoted(name)) (expected i, s or b)"
      throw lineNumber == nil
        ? VaultError.invalidField(field: "extra line", value: text, rule: reason) : fail(reason)
    }
    if type == "i", Int(value.trimmingCharacters(in: .whitespaces)) == nil {
      let reason =
        "\(quoted(name)) is an integer property but its value is \(quoted(String(value.prefix(40))))"
      throw lineNumber == nil
        ? VaultError.invalidField(field: "extra line", value: text, rule: reason) : fail(reason)
    }
    if type == "b", !value.allSatisfy(\.isHexDigit) {
      let reason = "\(quoted(name)) is a binary property but its value is not hex"
      throw lineNumber == nil
        ? VaultError.invalidField(field: "extra line", value: text, rule: reason) : fail(reason)
    }
    if lineNumber == nil {
      let limit =
        name.lowercased() == "signature" ? RDPText.maximumSignatureLength : RDPText.maximumLength
      try RDPText.check(value, field: "extra line", limit: limit)
    }
    return RDPLine(name: name, type: type, value: value)
  }
}
