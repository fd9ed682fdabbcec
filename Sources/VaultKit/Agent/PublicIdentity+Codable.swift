import Foundation

/// An identity crosses as the text a user would paste, and is parsed (checksum and all) on
/// the other side.
extension PublicIdentity: Codable {
  public init(from decoder: any Decoder) throws {
    try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(encoded)
  }
}
