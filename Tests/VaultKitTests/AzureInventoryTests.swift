import Foundation
import Testing

@testable import VaultKit

/// Azure's VM list, read from real `az` output (Fixtures/imports/README.md) and from hostile
/// variations of it: one VM per Windows VM, the address chosen, every value still outside
/// input until the vault checks it.
struct AzureInventoryTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/imports/azure-cli")

  static func fixture(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
  }

  static let cliList = "az-vm-list-show-details-2018-linux-windows.json"

  @Test func theRealCLIListGivesItsWindowsVM() throws {
    let bytes = try Self.fixture(Self.cliList)
    #expect(AzureInventory.looksLikeAzure(bytes))
    let reading = try AzureInventory.read(bytes, address: .auto)
    #expect(reading.skipped == ["ubuntu"])
    #expect(reading.refused.isEmpty)
    #expect(
      reading.items == [
        InventoryItem(
          name: "windows", host: "52.166.204.149", kind: .local, user: "richeney",
          computerName: "windows", resourceGroup: "businessContinuityTest",
          subscription: "2ca40be1-7680-4f2b-92f7-06b2123a68cc")
      ])
  }

  @Test(arguments: [
    (AzureAddress.public, "52.166.204.149"), (.private, "172.16.0.4"), (.auto, "52.166.204.149"),
  ])
  func theAddressIsChosen(_ address: AzureAddress, _ host: String) throws {
    let reading = try AzureInventory.read(try Self.fixture(Self.cliList), address: address)
    #expect(reading.items.map(\.host) == [host])
  }

  /// The Windows VM has no FQDN: asking for one refuses it, by name and reason.
  @Test func aMissingAddressRefusesThatVM() throws {
    let reading = try AzureInventory.read(try Self.fixture(Self.cliList), address: .fqdn)
    #expect(reading.items.isEmpty)
    #expect(reading.refused.map(\.name) == ["windows"])
    #expect(reading.refused.first?.reason == "it has no fqdn address")
  }

  /// One VM object, edited: the REST shape, tags, a deallocated VM, several IPs.
  static func vm(_ edit: (inout [String: Any]) -> Void) throws -> [UInt8] {
    let list =
      try JSONSerialization.jsonObject(with: Data(try fixture(cliList))) as! [[String: Any]]
    var vm = list.first { ($0["name"] as? String) == "windows" }!
    edit(&vm)
    return [UInt8](try JSONSerialization.data(withJSONObject: [vm]))
  }

  @Test func tagsPowerStateAndSeveralAddresses() throws {
    let bytes = try Self.vm {
      $0["tags"] = ["env": "prod", "owner": "team a", "cost-center": ""]
      $0["powerState"] = "VM deallocated"
      $0["publicIps"] = ""
      $0["privateIps"] = "10.1.0.4,10.1.0.5"
    }
    let item = try #require(try AzureInventory.read(bytes, address: .auto).items.first)
    #expect(item.host == "10.1.0.4")
    #expect(item.tags == ["cost-center", "env:prod"])
    #expect(item.warnings.contains { $0.contains("\"owner:team a\" is not a valid rdpvault tag") })
    #expect(item.warnings.contains("it is deallocated in Azure: start it before connecting"))
  }

  @Test func theRESTShapeIsRead() throws {
    let vm = try JSONSerialization.jsonObject(with: Data(try Self.vm { _ in })) as! [[String: Any]]
    var rest = vm[0]
    rest["properties"] = [
      "osProfile": rest["osProfile"]!, "storageProfile": rest["storageProfile"]!,
    ]
    rest["osProfile"] = nil
    rest["storageProfile"] = nil
    rest["resourceGroup"] = nil
    let bytes = [UInt8](try JSONSerialization.data(withJSONObject: ["value": [rest]]))
    let item = try #require(try AzureInventory.read(bytes, address: .auto).items.first)
    #expect(item.user == "richeney")
    #expect(item.resourceGroup == "businessContinuityTest")
  }

  /// Not JSON, JSON of something else, an envelope, too large: a reason, never a crash.
  @Test func badInputIsRefusedWithAReason() throws {
    let cases: [([UInt8], String)] = [
      (Array("full address:s:x".utf8), "it is not JSON (az vm list -d -o json writes JSON)"),
      (Array("{\"a\": 1}".utf8), "it is JSON, but not a list of Azure VMs"),
      (Array("[1, 2]".utf8), "entry 1 is not an object"),
      (
        try Self.fixture("rest-spec-example-VirtualMachine_ListBySubscription_ByLocation.json"),
        "it is JSON, but not a list of Azure VMs"
      ),
      (
        [UInt8](repeating: 0x20, count: AzureInventory.maximumSize + 1),
        "it is larger than 128 MiB, more than any az output"
      ),
    ]
    for (bytes, reason) in cases {
      #expect(throws: VaultError.inventory(reason: reason)) {
        try AzureInventory.read(bytes, address: .auto)
      }
    }
  }
}
