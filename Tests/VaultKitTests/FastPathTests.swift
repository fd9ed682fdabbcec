import Foundation
import Testing

@testable import VaultKit

/// The hand-written fast paths that `list`, `verify`, `export` and `import` use at 100,000
/// VMs must answer exactly as the general code they stand in for: the settings reader as
/// JSONDecoder, UTF-8 checking as `String(validating:)`, the two-core sort as `sorted`.
struct FastPathTests {
  static let settingsTexts: [String] = [
    "",
    "{}",
    #"{"extraLines":[],"options":{},"values":{}}"#,
    #"{"extraLines":["smart sizing:i:1","x:s:a,b"],"options":{"cert-sha256":"ab:cd"},"values":{"desktopwidth":"1920"}}"#,
    #"{ "values" : { "a" : "1" } , "extraLines" : [ "l" ] }"#,
    #"{"values":{"quote":"a\"b","slash":"a\/b","back":"a\\b","ctl":"\n\r\t\b\f","u":"\u00e9\u4e2d"}}"#,
    #"{"values":{"emoji":"\ud83d\ude00"}}"#,
    #"{"values":{"plain":"é中😀"}}"#,
    #"{"values":{"a":"1"},"unknown":[1,2]}"#,
    #"{"values":{"a":1}}"#,
    #"{"values":{"a":"1","a":"2"}}"#,
    #"{"values":{"a":"1"}} trailing"#,
    #"{"values":{"a":"unterminated}}"#,
    #"{"values":{"a":"bad \x escape"}}"#,
    #"{"values":{"a":"\u12G4"}}"#,
    #"{"values":{"a":"\u+123"}}"#,
    "{\"values\":{\"a\":\"raw\ncontrol\"}}",
    #"{"values":"#,
    #"[1]"#,
  ]

  /// Whatever the fast reader answers, SettingsCoding agrees with JSONDecoder, and it never
  /// accepts what JSONDecoder refuses.
  @Test(arguments: settingsTexts) func settingsDecodeAsJSONDecoderDoes(_ text: String) throws {
    let reference: RDPSettings? =
      text.isEmpty
      ? RDPSettings() : try? JSONDecoder().decode(RDPSettings.self, from: Data(text.utf8))
    let decoded = try? SettingsCoding.decode(text)
    #expect(decoded == reference, "\(text)")
    var copy = text
    if let fast = copy.withUTF8({ SettingsJSONReader.read($0) }) {
      #expect(fast == reference, "the fast reader differs on \(text)")
    }
  }

  /// What the vault writes is what the fast reader takes, without falling back.
  @Test func theWritersOutputTakesTheFastPath() throws {
    let settings = RDPSettings(
      values: ["alternate shell": "C:\\Tools\\a \"b\".exe", "desktopwidth": "1920", "note": "é中😀"],
      extraLines: ["smart sizing:i:1", "tab:s:a\tb"], options: ["pre-connect": "echo \"hi\"\n"])
    var text = try SettingsCoding.encode(settings)
    #expect(text.withUTF8 { SettingsJSONReader.read($0) } == settings)
    // A signed file's kept address lines, and none: the unsigned encoding has no such key.
    var signed = settings
    signed.signedLines = ["full address:s:rdsh-01", "alternate full address:s:rds.contoso.com"]
    var signedText = try SettingsCoding.encode(signed)
    #expect(signedText.withUTF8 { SettingsJSONReader.read($0) } == signed)
    #expect(try JSONDecoder().decode(RDPSettings.self, from: Data(signedText.utf8)) == signed)
    #expect(!text.contains("signedLines"))
  }

  static let utf8Cases: [[UInt8]] = [
    [], Array("plain".utf8), Array("é中😀".utf8),
    [0xC3, 0x28], [0xA0, 0xA1], [0xE2, 0x28, 0xA1], [0xF0, 0x28, 0x8C, 0xBC], [0xC0, 0xAF],
    [0xED, 0xA0, 0x80],
    [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x61, 0xFF], [0xEF, 0xBF, 0xBD], [0x00],
  ]

  @Test(arguments: utf8Cases) func utf8IsCheckedAsStringValidatingDoes(_ bytes: [UInt8]) {
    let reference = String(validating: bytes, as: UTF8.self)
    #expect(bytes.withUnsafeBytes { validUTF8($0) } == reference, "\(bytes)")
  }

  @Test func theTwoCoreSortMatchesSorted() throws {
    let (vault, _) = try memoryVault()
    for count in [0, 1, 2, 5, 2047, 2048, 2049, 5000] {
      var generator = SystemRandomNumberGenerator()
      // Few distinct keys, so ties are common and must keep their original order.
      let keys = (0..<count).map { _ in
        "vm-\(Int.random(in: 0..<max(1, count / 3), using: &generator))"
      }
      let expected = keys.indices.sorted { (keys[$0], $0) < (keys[$1], $1) }
      #expect(vault.sortedIndices(keys) == expected, "\(count) keys")
      var values = keys.indices.map { "value-\($0)" }
      vault.permute(&values, by: expected)
      #expect(values == expected.map { "value-\($0)" }, "\(count) keys")
    }
  }

  @Test func integersAreWrittenAsStringDoes() {
    for value in [0, 1, 9, 10, 3389, 65535, -1, -10, Int.max, Int.min, Int.max - 1, Int.min + 1] {
      var out: [UInt8] = [0x2C]
      JSONText.integer(value, &out)
      #expect(out == [0x2C] + Array(String(value).utf8), "\(value)")
    }
  }

  struct Failure: Error, Equatable { let index: Int }

  /// The pipeline that seals on the other cores while this thread inserts: every value in
  /// index order, whatever the chunking, and the error a loop would meet first.
  @Test func thePipelineHandsOverInOrderAndStopsAtTheFirstError() throws {
    for count in [0, 1, 255, 256, 257, 1000, 5000] {
      var seen: [Int] = []
      try Parallel.pipeline(
        count, produce: { $0 * 3 },
        consume: { index, value in
          #expect(value == index * 3)
          seen.append(index)
        })
      #expect(seen == Array(0..<count), "\(count) values")
    }
    // Two producers fail in different chunks: the lower index is reported, and nothing at or
    // after it is consumed.
    var consumed: [Int] = []
    #expect(throws: Failure(index: 700)) {
      try Parallel.pipeline(
        3000,
        produce: { index in
          if index == 700 || index == 2600 { throw Failure(index: index) }
          return index
        }, consume: { index, _ in consumed.append(index) })
    }
    #expect(consumed == Array(0..<512))
    // The consumer fails: its error, and nothing after it.
    consumed = []
    #expect(throws: Failure(index: 10)) {
      try Parallel.pipeline(
        3000, produce: { $0 },
        consume: { index, _ in
          if index == 10 { throw Failure(index: index) }
          consumed.append(index)
        })
    }
    #expect(consumed == Array(0..<10))
  }
}
