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

  /// Settings columns that must not be copied as they are: each differs from what
  /// `JSONText` would write again, or holds what `list --json` leaves out.
  static let nonCanonicalSettings: [String] = [
    #"{"extraLines":[],"options":{},"values":{"b":"1","a":"2"}}"#,
    #"{"extraLines":[],"options":{},"values":{"a":"1","a":"1"}}"#,
    #"{"extraLines":[],"options":{"tunnel-approved":"ssh j"},"values":{}}"#,
    #"{"extraLines":[],"options":{"gatewayhostname-approved":"g","jump":"j"},"values":{}}"#,
    #"{"extraLines":[],"options":{},"values":{"a\"":"1"}}"#,
    #"{"extraLines":[],"options":{},"values":{"é":"1"}}"#,
    #"{"extraLines":[],"options":{},"values":{"a":"\u000a"}}"#,
    #"{"extraLines":[],"options":{},"values":{"a":"\u001F"}}"#,
    #"{"extraLines":[],"options":{},"values":{"a":"\u0022"}}"#,
    #"{"extraLines":[],"options":{},"values":{"a":"\u00e9"}}"#,
    #"{"extraLines":["\b"],"options":{},"values":{}}"#,
    #"{"extraLines":["a\/b"],"options":{},"values":{}}"#,
    #"{"extraLines":[],"options":{},"values":{}} "#,
    #"{"extraLines": [],"options":{},"values":{}}"#,
    #"{"options":{},"extraLines":[],"values":{}}"#,
    #"{"extraLines":[],"options":{},"values":{"a":"1"},"signedLines":[]}"#,
    #"{"extraLines":[],"options":{},"values":{"a":"1",}}"#,
    #"{"extraLines":[,],"options":{},"values":{}}"#,
    #"{"extraLines":[],"options":{},"values":{"a":"1"}"#,
    #"{"extraLines":[],"options":{},"values":{"a":"\u007f"}}"#,
    #"{"extraLines":[],"options":{},"values":{"a":"\u0041"}}"#,
    #"{"extraLines":[],"options":{},"values":{"a":{}}}"#,
  ]

  /// Forms the copy must take: each is exactly what `JSONText` writes.
  static let canonicalSettings: [String] = [
    #"{"extraLines":["\u0000\u0008\u001f","a\"b\\c\n\r\t","é"],"options":{},"values":{}}"#,
    "{\"extraLines\":[\"\u{7F}\"],\"options\":{},\"values\":{}}",
    #"{"extraLines":[],"options":{"Tunnel-Approved":"x","jump":"j"},"values":{"a":"1","ab":"2"}}"#,
    #"{"extraLines":[],"options":{},"signedLines":[],"values":{"tunnel-approved":"kept"}}"#,
  ]

  /// `list --json` copies a settings column as it is only where decoding it and writing it
  /// again gives the same bytes, and refuses each form above.
  @Test(arguments: settingsTexts + nonCanonicalSettings + canonicalSettings)
  func storedSettingsAreCopiedOnlyWhereWritingAgainGivesTheSameBytes(_ text: String) throws {
    var copy = text
    let stored = copy.withUTF8 { StoredSettingsJSON(UnsafeRawBufferPointer($0)).map(Written.init) }
    if Self.nonCanonicalSettings.contains(text) { #expect(stored == nil, "\(text)") }
    if Self.canonicalSettings.contains(text) { #expect(stored != nil, "\(text)") }
    if let stored { #expect(stored == (try Written(SettingsCoding.decode(text))), "\(text)") }
  }

  /// Generated settings, written as the vault writes them: each is copied exactly when its
  /// keys are plain ASCII and no option is an approval, and the copy is what writing the
  /// decoded settings gives.
  @Test func storedSettingsCopyMatchesWritingThemForGeneratedSettings() throws {
    let keys = [
      "a", "desktopwidth", "Z", "use multimon", "k\"q", "k\\b", "é", "tab\tkey", "jump",
      "tunnel-approved", "pre-connect-approved", "gatewayhostname-approved", "A-1",
    ]
    let values = [
      "", "1920", "a\"b", "C:\\Tools", "é中😀", "line\nbreak", "\r\t", "\u{1}\u{8}\u{C}\u{1F}",
      "\u{7F}", "/slash/", "\u{301}",
    ]
    var draw = SettingsDraw(state: 0x2545_F491_4F6C_DD1D, keys: keys, values: values)
    var copied = 0
    for _ in 0..<3000 {
      let settings = RDPSettings(
        values: draw.dictionary(upTo: 4), extraLines: (0..<draw.next(3)).map { _ in draw.value() },
        options: draw.dictionary(upTo: 4),
        signedLines: draw.next(4) == 0 ? ["full address:s:\(draw.value())"] : [])
      if settings.isEmpty { continue }
      var text = try SettingsCoding.encode(settings)
      let stored = text.withUTF8 {
        StoredSettingsJSON(UnsafeRawBufferPointer($0)).map(Written.init)
      }
      #expect((stored != nil) == Self.copyable(settings), "\(text)")
      if let stored {
        copied += 1
        #expect(stored == Written(settings), "\(text)")
      }
    }
    #expect(copied > 500)
  }

  /// Export copies a stored settings column into the bundle only where it is what writing
  /// its settings without this vault's approvals gives; any other column is written again.
  /// Either way the bundle's record is the one made from the decoded profile.
  @Test(arguments: settingsTexts + nonCanonicalSettings + canonicalSettings)
  func exportMakesTheSameRecordFromStoredBytes(_ text: String) throws {
    var copy = text
    let shared = copy.withUTF8 { StoredSettingsJSON.isSharedEncoding(UnsafeRawBufferPointer($0)) }
    guard let settings = try? SettingsCoding.decode(text) else {
      #expect(!shared, "\(text)")
      return
    }
    if shared { #expect(try SettingsCoding.encode(settings.forSharing) == text, "\(text)") }
    try Self.expectSameSharedFields(settings: Array(text.utf8))
  }

  /// The same for generated settings as the vault writes them, approvals among them: each
  /// is copied exactly when it has no approval.
  @Test func exportCopiesGeneratedSettingsOnlyWithoutApprovals() throws {
    let keys = [
      "a", "desktopwidth", "jump", "tunnel-approved", "pre-connect-approved", "é", "k\"q",
    ]
    let values = ["", "1920", "a\"b", "é中😀", "line\nbreak", "\u{1}"]
    var draw = SettingsDraw(state: 0x9E37_79B9_7F4A_7C15, keys: keys, values: values)
    var copied = 0
    for _ in 0..<1000 {
      let settings = RDPSettings(
        values: draw.dictionary(upTo: 3), extraLines: (0..<draw.next(2)).map { _ in draw.value() },
        options: draw.dictionary(upTo: 3),
        signedLines: draw.next(3) == 0 ? ["full address:s:h"] : [])
      var text = try SettingsCoding.encode(settings)
      let shared = text.withUTF8 { StoredSettingsJSON.isSharedEncoding(UnsafeRawBufferPointer($0)) }
      #expect(shared == (!settings.isEmpty && Self.copyable(settings)), "\(text)")
      if shared { copied += 1 }
      try Self.expectSameSharedFields(settings: Array(text.utf8))
    }
    #expect(copied > 100)
  }

  /// Settings drawn from `keys` and `values` by a fixed linear congruential generator: the
  /// same sequence on every run.
  struct SettingsDraw {
    var state: UInt64
    let keys: [String]
    let values: [String]

    mutating func next(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(bound))
    }

    mutating func value() -> String { values[next(values.count)] }

    mutating func dictionary(upTo bound: Int) -> [String: String] {
      var pairs: [(String, String)] = []
      for _ in 0..<next(bound) { pairs.append((keys[next(keys.count)], value())) }
      return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }
  }

  /// Whether the stored settings may be copied as they are: every key plain ASCII without an
  /// escape, and no option an approval.
  static func copyable(_ settings: RDPSettings) -> Bool {
    let plain = (Array(settings.values.keys) + Array(settings.options.keys)).allSatisfy {
      $0.utf8.allSatisfy { (0x20..<0x80).contains($0) && !"\"\\".utf8.contains($0) }
    }
    return plain && !settings.options.keys.contains(where: ConnectOption.approvals.contains)
  }

  /// A stored profile record holding `settings` as they are (and tags, non-ASCII text, an
  /// unusual port) makes the same bundle fields from its bytes as from its decoded profile.
  static func expectSameSharedFields(settings: [UInt8]) throws {
    var record = RecordEncoder()
    record.add(1, "Wéb-01")
    record.add(2, AccountKind.dc.rawValue)
    record.add(3, "web-01.contoso.com")
    record.add(4, Int64(3390))
    record.add(5, "WEB-01")
    record.add(6, "rg")
    record.add(7, "")
    record.add(8, "prod")
    record.add(8, "eu/west")
    record.add(9, "a note\nwith a break")
    record.add(10, settings)
    record.add(11, Int64(1))
    record.add(12, Int64(2))
    let plaintext = record.bytes
    try plaintext.withUnsafeBytes { bytes in
      let stored = try ProfileFields(bytes)
      let profile = try stored.profile(withSettings: true)
      let reference = try BundlePayload.fields(
        BundlePayload.ProfileEntry(
          name: profile.name, host: profile.host, port: profile.port,
          computerName: profile.computerName, kind: profile.kind.rawValue,
          resourceGroup: profile.resourceGroup, subscription: profile.subscription,
          tags: profile.tags, note: profile.note, settings: profile.settings.forSharing,
          account: 0))
      #expect(
        try BundlePayload.fields(stored) == reference,
        "\(String(decoding: settings, as: UTF8.self))")
    }
  }

  /// The three parts `list --json` prints, as bytes.
  struct Written: Equatable {
    var extraLines: [UInt8] = []
    var options: [UInt8] = []
    var values: [UInt8] = []

    init(_ stored: StoredSettingsJSON) {
      (extraLines, options, values) = (
        Array(stored.extraLines), Array(stored.options), Array(stored.values)
      )
    }

    init(_ settings: RDPSettings) {
      JSONText.array(settings.extraLines, &extraLines)
      JSONText.dictionary(settings.shownOptions, &options)
      JSONText.dictionary(settings.values, &values)
    }
  }

  /// The runs `writev` gets, at any limit, join to the same bytes (brackets, separators and
  /// every object in order), for no object, one and many.
  @Test func listedJSONRunsJoinToTheWholeArray() {
    let parts: [[UInt8]] = [Array(#"{"a":1}{"b":2}"#.utf8), Array(#"{"c":3}"#.utf8)]
    let cases: [([(part: Int, range: Range<Int>)], String)] = [
      ([], "[]\n"),
      ([(1, 0..<7)], "[\n{\"c\":3}\n]\n"),
      ([(0, 7..<14), (1, 0..<7), (0, 0..<7)], "[\n{\"b\":2},\n{\"c\":3},\n{\"a\":1}\n]\n"),
    ]
    for (objects, expected) in cases {
      let listed = ListedJSON(parts: parts, objects: objects)
      #expect(listed.bytes == Array(expected.utf8))
      for limit in [2, 3, 5, 1024] {
        var joined: [UInt8] = []
        listed.forEachRun(limit: limit) { run in
          #expect(run.count <= limit)
          for span in run { joined += span }
        }
        #expect(joined == Array(expected.utf8), "limit \(limit)")
      }
    }
    #expect(ListedJSON(bytes: Array("[]\n".utf8)).bytes == Array("[]\n".utf8))
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
