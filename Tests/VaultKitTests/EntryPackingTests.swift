import Foundation
import Testing

@testable import VaultKit

/// The agent's packed list: what goes in comes out, every field; damage is an error.
@Suite struct EntryPackingTests {
  static func entries() throws -> [ProfileEntry] {
    var settings = RDPSettings()
    try settings.set("desktopwidth", "1920")
    try settings.addExtraLine("smart sizing:i:1")
    return [
      ProfileEntry(
        profile: Profile(
          name: "web-01", host: "2001:db8::5", port: 3390, computerName: "WEB-01", kind: .local,
          resourceGroup: "rg é", subscription: "sub", tags: ["a", "ü", ""], note: "multi\nline",
          settings: settings),
        account: Account(scope: .local, userName: "azureuser")),
      ProfileEntry(
        profile: Profile(name: "dc-01", host: "dc.contoso.com", computerName: "DC-01", kind: .dc),
        account: Account(
          scope: .domain, userName: "alice", domain: "contoso.com", form: .upn,
          isDomainAdmin: true, linksByName: false)),
    ]
  }

  @Test func aRoundTripKeepsEveryField() throws {
    let entries = try Self.entries()
    let packed = try EntryPacking.pack(entries)
    #expect(try packed.withUnsafeBytes { try EntryPacking.unpack($0) } == entries)
    #expect(
      try [UInt8](EntryPacking.pack([])).withUnsafeBytes { try EntryPacking.unpack($0) }.isEmpty)
  }

  @Test func everyTruncationAndAnExtraByteAreRefused() throws {
    let packed = try EntryPacking.pack(try Self.entries())
    for length in 0..<packed.count {
      #expect(throws: VaultError.self) {
        _ = try Array(packed.prefix(length)).withUnsafeBytes { try EntryPacking.unpack($0) }
      }
    }
    #expect(throws: VaultError.self) {
      _ = try (packed + [0]).withUnsafeBytes { try EntryPacking.unpack($0) }
    }
    // A count far beyond the bytes is refused before anything is reserved for it.
    var huge = packed
    for index in 0..<8 { huge[index] = 0x7F }
    #expect(throws: VaultError.self) {
      _ = try huge.withUnsafeBytes { try EntryPacking.unpack($0) }
    }
  }
}
