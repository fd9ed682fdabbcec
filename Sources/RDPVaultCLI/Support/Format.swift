import Foundation
import VaultCrypto

enum Format {
  static func kdf(_ parameters: KDFParameters) -> String {
    "\(parameters.opsLimit) passes, \(parameters.memLimit / 1_048_576) MiB"
  }

  static func date(_ date: Date) -> String {
    ISO8601DateFormatter().string(from: date)
  }

  /// Stable JSON: sorted keys, snake_case, ISO 8601 dates.
  static func json<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.dateEncodingStrategy = .iso8601
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }
}
