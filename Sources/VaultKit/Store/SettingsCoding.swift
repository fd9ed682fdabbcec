import Foundation

/// The settings column: JSON with sorted keys, so equal settings give equal plaintext.
enum SettingsCoding {
  static func encode(_ settings: RDPSettings) throws -> String {
    if settings.isEmpty { return "" }
    // By hand, as JSONEncoder would with sorted keys: bulk adds and imports write thousands.
    var out: [UInt8] = []
    JSONText.object(
      [
        ("extraLines", { JSONText.array(settings.extraLines, &$0) }),
        ("options", { JSONText.dictionary(settings.options, &$0) }),
        ("values", { JSONText.dictionary(settings.values, &$0) }),
      ], &out)
    return String(decoding: out, as: UTF8.self)
  }

  static func decode(_ text: String) throws -> RDPSettings {
    if text.isEmpty { return RDPSettings() }
    do {
      return try JSONDecoder().decode(RDPSettings.self, from: Data(text.utf8))
    } catch {
      throw VaultError.corrupt(detail: "profile settings cannot be read")
    }
  }
}
