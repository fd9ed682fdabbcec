import Foundation

/// A small, strict XML reader for the files other tools export (mRemoteNG, RDCMan, KeePass).
///
/// It reads elements, attributes, text, CDATA, comments and processing instructions, the five
/// predefined entities and character references, in UTF-8. It refuses a document type
/// declaration outright, so no entity is ever defined, expanded or fetched: a "billion laughs"
/// file or an external entity is an error before anything is read, not a limit reached
/// half-way. Depth, attribute count and size are bounded. None of these tools writes a DTD.
public enum StrictXML {
  /// An element: its qualified name, attributes in document order, children, and the
  /// character data directly inside it (concatenated).
  public struct Element: Equatable, Sendable {
    public var name: String
    public var attributes: [(name: String, value: String)]
    public var children: [Element]
    public var text: String
    /// For the elements `parse` was asked to keep raw (a password's): where its content lies
    /// in the input, undecoded, and `text` left empty, so the value never becomes a String.
    public var rawText: Range<Int>? = nil

    /// The name without a namespace prefix (`mrng:Connections` → `Connections`).
    public var localName: String { name.split(separator: ":").last.map(String.init) ?? name }

    /// The value of the attribute of exactly that name (`x:Hostname` is not `Hostname`: the
    /// tools that wrote these files would not read it either).
    public subscript(attribute: String) -> String? {
      attributes.first { $0.name == attribute }?.value
    }

    /// The first child of exactly that name.
    public func child(_ name: String) -> Element? { children.first { $0.name == name } }

    /// Every child of exactly that name.
    public func children(_ name: String) -> [Element] { children.filter { $0.name == name } }

    public static func == (a: Element, b: Element) -> Bool {
      a.name == b.name && a.children == b.children && a.text == b.text && a.rawText == b.rawText
        && a.attributes.map(\.name) == b.attributes.map(\.name)
        && a.attributes.map(\.value) == b.attributes.map(\.value)
    }

    static func localPart(_ name: String) -> String {
      name.split(separator: ":").last.map(String.init) ?? name
    }
  }

  public struct ParseError: Error, Equatable, Sendable {
    public var line: Int
    public var reason: String
  }

  static let maximumDepth = 256
  static let maximumAttributes = 1024
  /// About 150 MB of tree: a KeePass export of tens of thousands of entries with history.
  static let maximumElements = 2_000_000

  /// Parses a whole document and returns its root element. Elements whose local name is in
  /// `raw` must hold only text; their content is located (`rawText`), not decoded.
  public static func parse(_ bytes: [UInt8], raw: Set<String> = []) throws(ParseError) -> Element {
    let result = bytes.withUnsafeBytes { bytes in
      Result { () throws(ParseError) -> Element in try parse(bytes, raw: raw) }
    }
    return try result.get()
  }

  /// The same over bytes in guarded memory (a password manager's export).
  public static func parse(_ bytes: UnsafeRawBufferPointer, raw: Set<String> = [])
    throws(ParseError) -> Element
  {
    var reader = Reader(bytes: bytes, raw: raw)
    return try reader.document()
  }

  /// Decodes a raw element's content (references, line ends) byte by byte into `sink`.
  public static func decode<E: Error>(
    _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, into sink: (UInt8) throws(E) -> Void
  ) throws(E) {
    var index = range.lowerBound
    while index < range.upperBound {
      let byte = bytes[index]
      if byte == UInt8(ascii: "&") {
        // `parse` checked every reference already.
        var reader = Reader(bytes: bytes, raw: [])
        reader.index = index
        let decoded = (try? reader.reference()) ?? []
        for value in decoded { try sink(value) }
        index = reader.index
      } else if byte == 0x0D {
        try sink(0x0A)
        index += index + 1 < range.upperBound && bytes[index + 1] == 0x0A ? 2 : 1
      } else {
        try sink(byte)
        index += 1
      }
    }
  }

  /// A raw element's content as text, for the values that are not secret.
  public static func decodedText(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
    var result: [UInt8] = []
    decode(bytes, range) { result.append($0) }
    return String(decoding: result, as: UTF8.self)
  }

  /// Whether the bytes look like an XML document whose root element has this local name,
  /// judged from the first few kilobytes (for telling formats apart by content).
  public static func rootName(of bytes: [UInt8]) -> String? {
    // Read as bytes, never as a String: the head of a file may hold a password.
    var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    let end = min(bytes.count, index + 4096)
    func isSpace(_ byte: UInt8) -> Bool {
      byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
    while index < end, isSpace(bytes[index]) { index += 1 }
    guard index < end, bytes[index] == UInt8(ascii: "<") else { return nil }
    while index < end {
      guard bytes[index] == UInt8(ascii: "<") else {
        index += 1
        continue
      }
      index += 1
      guard index < end else { return nil }
      if bytes[index] == UInt8(ascii: "?") || bytes[index] == UInt8(ascii: "!") {
        while index < end, bytes[index] != UInt8(ascii: ">") { index += 1 }
        continue
      }
      var name: [UInt8] = []
      while index < end, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">"),
        bytes[index] != UInt8(ascii: "/"), name.count < 64
      {
        name.append(bytes[index])
        index += 1
      }
      if let colon = name.lastIndex(of: UInt8(ascii: ":")) { name = Array(name[(colon + 1)...]) }
      guard name.allSatisfy({ $0 < 0x80 }) else { return nil }
      return String(decoding: name, as: UTF8.self)
    }
    return nil
  }

  private struct Reader {
    let bytes: UnsafeRawBufferPointer
    let raw: Set<String>
    var index = 0
    var line = 1
    var elements = 0

    init(bytes: UnsafeRawBufferPointer, raw: Set<String>) {
      self.bytes = bytes
      self.raw = raw
      if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    func fail(_ reason: String) -> ParseError { ParseError(line: line, reason: reason) }

    var atEnd: Bool { index >= bytes.count }

    func peek(_ offset: Int = 0) -> UInt8? {
      index + offset < bytes.count ? bytes[index + offset] : nil
    }

    func looking(at text: String) -> Bool {
      let utf8 = Array(text.utf8)
      return index + utf8.count <= bytes.count
        && bytes[index..<index + utf8.count].elementsEqual(utf8)
    }

    mutating func advance(_ count: Int = 1) {
      for _ in 0..<count where index < bytes.count {
        if bytes[index] == 0x0A { line += 1 }
        index += 1
      }
    }

    mutating func skipSpace() {
      while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
        advance()
      }
    }

    /// `</tag>`, the reader at its `</`.
    mutating func closeTag(_ tag: String) throws(ParseError) {
      advance(2)
      let closing = try name()
      skipSpace()
      guard closing == tag, peek() == UInt8(ascii: ">") else {
        throw fail("</\(closing)> does not close <\(tag)>")
      }
      advance()
    }

    /// XML 1.0 allows no C0 control character in a document but tab, LF and CR.
    func refuseControl(_ byte: UInt8) throws(ParseError) {
      if byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D {
        throw fail("a control character (XML allows none but tab and line ends)")
      }
    }

    /// Skips up to and including `terminator`.
    mutating func skip(past terminator: String, what: String) throws(ParseError) {
      let start = line
      while !atEnd {
        if looking(at: terminator) {
          advance(terminator.utf8.count)
          return
        }
        advance()
      }
      throw ParseError(line: start, reason: "\(what) is not closed")
    }

    mutating func document() throws(ParseError) -> Element {
      if peek() == 0xFE || peek() == 0xFF || peek() == 0x00 {
        throw fail("the file is not UTF-8 (UTF-16 XML is not read; save it as UTF-8)")
      }
      try misc()
      guard peek() == UInt8(ascii: "<") else { throw fail("no root element") }
      let root = try element(depth: 0)
      try misc()
      guard atEnd else { throw fail("content after the root element") }
      return root
    }

    /// Whitespace, comments and processing instructions around the root; a DTD is refused.
    mutating func misc() throws(ParseError) {
      while true {
        skipSpace()
        if looking(at: "<?") {
          try skip(past: "?>", what: "a processing instruction")
        } else if looking(at: "<!--") {
          try skip(past: "-->", what: "a comment")
        } else if looking(at: "<!") {
          throw fail(
            "the file has a document type declaration (<!DOCTYPE): refused, since its entities could expand without bound or reach outside the file"
          )
        } else {
          return
        }
      }
    }

    mutating func name() throws(ParseError) -> String {
      let start = index
      while let byte = peek(),
        !(byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D),
        byte != UInt8(ascii: ">"), byte != UInt8(ascii: "/"), byte != UInt8(ascii: "="),
        byte != UInt8(ascii: "<"), byte != UInt8(ascii: "\""), byte != UInt8(ascii: "'"),
        byte != UInt8(ascii: "&")
      {
        advance()
      }
      guard index > start, let text = String(bytes: bytes[start..<index], encoding: .utf8),
        let first = text.unicodeScalars.first,
        !("0"..."9").contains(first), first != "-", first != "."
      else { throw fail("a malformed name") }
      return text
    }

    mutating func element(depth: Int) throws(ParseError) -> Element {
      guard depth < StrictXML.maximumDepth else {
        throw fail("elements nested more than \(StrictXML.maximumDepth) deep")
      }
      elements += 1
      guard elements <= StrictXML.maximumElements else {
        throw fail("more than \(StrictXML.maximumElements) elements")
      }
      advance()  // <
      let tag = try name()
      var result = Element(name: tag, attributes: [], children: [], text: "")
      // The local names seen: a twin is found in constant time, not by a scan of the
      // attributes before it (quadratic in an element of a thousand attributes).
      var locals: Set<String> = []
      while true {
        let hadSpace = peek().map { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D } ?? false
        skipSpace()
        guard let byte = peek() else {
          throw fail("element <\(tag)> is not closed: is the file cut short?")
        }
        if byte == UInt8(ascii: "/") {
          advance()
          guard peek() == UInt8(ascii: ">") else {
            throw fail("a malformed empty element <\(tag)>")
          }
          advance()
          return result
        }
        if byte == UInt8(ascii: ">") {
          advance()
          break
        }
        guard hadSpace else { throw fail("attributes of <\(tag)> are not separated by spaces") }
        let attribute = try name()
        skipSpace()
        guard peek() == UInt8(ascii: "=") else { throw fail("attribute \(attribute) has no value") }
        advance()
        skipSpace()
        let value = try attributeValue()
        guard locals.insert(Element.localPart(attribute)).inserted else {
          throw fail("attribute \(attribute) appears twice in <\(tag)>")
        }
        guard result.attributes.count < StrictXML.maximumAttributes else {
          throw fail("more than \(StrictXML.maximumAttributes) attributes in <\(tag)>")
        }
        result.attributes.append((attribute, value))
      }
      if raw.contains(result.localName) {
        let start = index
        while let byte = peek(), byte != UInt8(ascii: "<") {
          if byte == UInt8(ascii: "&") {
            _ = try reference()
          } else {
            try refuseControl(byte)
            advance()
          }
        }
        let end = index
        guard looking(at: "</") else {
          throw fail("<\(tag)> may hold only text, or is not closed: is the file cut short?")
        }
        try closeTag(tag)
        // Checked without making a String of it.
        var iterator = bytes[start..<end].makeIterator()
        var utf8 = UTF8()
        decoding: while true {
          switch utf8.decode(&iterator) {
          case .scalarValue: continue
          case .emptyInput: break decoding
          case .error: throw fail("text that is not UTF-8")
          }
        }
        result.rawText = start..<end
        return result
      }
      var text: [UInt8] = []
      while true {
        guard let byte = peek() else {
          throw fail("element <\(tag)> is not closed: is the file cut short?")
        }
        if byte == UInt8(ascii: "<") {
          if looking(at: "</") {
            try closeTag(tag)
            guard let string = String(bytes: text, encoding: .utf8) else {
              throw fail("text that is not UTF-8")
            }
            result.text = string
            return result
          } else if looking(at: "<!--") {
            try skip(past: "-->", what: "a comment")
          } else if looking(at: "<![CDATA[") {
            advance(9)
            let start = index
            try skip(past: "]]>", what: "a CDATA section")
            text += normalisedLines(bytes[start..<index - 3])
          } else if looking(at: "<?") {
            try skip(past: "?>", what: "a processing instruction")
          } else if looking(at: "<!") {
            throw fail("a declaration inside <\(tag)>")
          } else {
            result.children.append(try element(depth: depth + 1))
          }
        } else if byte == UInt8(ascii: "&") {
          text += try reference()
        } else {
          let start = index
          while let next = peek(), next != UInt8(ascii: "<"), next != UInt8(ascii: "&") {
            try refuseControl(next)
            advance()
          }
          text += normalisedLines(bytes[start..<index])
        }
      }
    }

    /// A quoted value with references resolved, line ends normalised and whitespace
    /// characters turned into spaces (XML 1.0 section 3.3.3; `&#10;` stays a line break).
    mutating func attributeValue() throws(ParseError) -> String {
      guard let quote = peek() else { throw fail("the file ends inside a tag: is it cut short?") }
      guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
        throw fail("an attribute value without quotes")
      }
      advance()
      var value: [UInt8] = []
      while true {
        guard let byte = peek() else {
          throw fail("an attribute value is not closed: is the file cut short?")
        }
        if byte == quote {
          advance()
          break
        }
        switch byte {
        case UInt8(ascii: "<"): throw fail("'<' inside an attribute value")
        case UInt8(ascii: "&"): value += try reference()
        case 0x0D:
          advance()
          if peek() == 0x0A { advance() }
          value.append(0x20)
        case 0x0A, 0x09:
          advance()
          value.append(0x20)
        case 0..<0x20: throw fail("a control character in an attribute value (XML allows none)")
        default:
          value.append(byte)
          advance()
        }
      }
      guard let string = String(bytes: value, encoding: .utf8) else {
        throw fail("an attribute value that is not UTF-8")
      }
      return string
    }

    /// `&amp;` and its four siblings, or a character reference; any other name is undefined.
    mutating func reference() throws(ParseError) -> [UInt8] {
      advance()  // &
      let start = index
      while let byte = peek(), byte != UInt8(ascii: ";"), index - start < 12 { advance() }
      guard peek() == UInt8(ascii: ";"),
        let body = String(bytes: bytes[start..<index], encoding: .utf8)
      else { throw fail("a malformed '&' reference") }
      advance()
      switch body {
      case "lt": return [UInt8(ascii: "<")]
      case "gt": return [UInt8(ascii: ">")]
      case "amp": return [UInt8(ascii: "&")]
      case "apos": return [UInt8(ascii: "'")]
      case "quot": return [UInt8(ascii: "\"")]
      default: break
      }
      var digits = Substring(body)
      var radix = 10
      guard digits.hasPrefix("#") else { throw fail("undefined entity &\(body);") }
      digits = digits.dropFirst()
      if digits.hasPrefix("x") {
        radix = 16
        digits = digits.dropFirst()
      }
      guard !digits.isEmpty, digits.allSatisfy({ $0.isHexDigit }),
        let value = UInt32(digits, radix: radix), let scalar = Unicode.Scalar(value),
        value == 0x09 || value == 0x0A || value == 0x0D || value >= 0x20,
        !(0xFFFE...0xFFFF).contains(value)
      else { throw fail("an invalid character reference &\(body);") }
      return Array(String(Character(scalar)).utf8)
    }

    /// CR LF and a lone CR become LF (XML 1.0 section 2.11).
    func normalisedLines(_ slice: Slice<UnsafeRawBufferPointer>) -> [UInt8] {
      guard slice.contains(0x0D) else { return Array(slice) }
      var result: [UInt8] = []
      result.reserveCapacity(slice.count)
      var previousCR = false
      for byte in slice {
        if byte == 0x0A && previousCR {
          previousCR = false
          continue
        }
        previousCR = byte == 0x0D
        result.append(byte == 0x0D ? 0x0A : byte)
      }
      return result
    }
  }
}
