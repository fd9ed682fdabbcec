import Foundation
import Testing

/// `list`'s filters against a 200-VM vault (issue 15): repeatable tags that must all match,
/// in any case; resource group, subscription and host; tags added and removed by `edit`.
@Suite struct FilterTests {
  func names(_ box: Sandbox, _ arguments: [String]) -> [String] {
    let result = box.run(["list", "--json"] + arguments)
    #expect(result.status == 0, "\(arguments): \(result.stderr)")
    let json = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
    return (json ?? []).compactMap { $0["name"] as? String }
  }

  @Test func filtersNarrowTwoHundredVMs() throws {
    let box = Sandbox()
    box.initVault()
    let folder = box.root + "/vms"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for index in 0..<200 {
      let name = String(format: "vm-%03d", index)
      box.write(
        "full address:s:10.0.\(index / 100).\(index % 100 + 1)\r\nusername:s:\(name.uppercased())\\azureuser\r\n",
        to: folder + "/\(name).rdp")
    }
    let imported = box.run(["import", folder, "--tag", "lab"])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(names(box, []).count == 200)
    for (name, arguments) in [
      ("vm-001", ["--add-tag", "DB", "--resource-group", "rg-Data", "--subscription", "sub-1"]),
      ("vm-002", ["--add-tag", "db", "--resource-group", "rg-data"]),
      ("vm-150", ["--remove-tag", "LAB", "--add-tag", "prod", "--subscription", "sub-1"]),
    ] {
      let edit = box.run(["edit", name] + arguments)
      #expect(edit.status == 0, "\(name): \(edit.stderr)")
    }
    #expect(names(box, ["--tag", "lab"]).count == 199)
    #expect(names(box, ["--tag", "lab", "--tag", "db"]) == ["vm-001", "vm-002"])
    #expect(names(box, ["--tag", "LAB", "--tag", "Db"]) == ["vm-001", "vm-002"])
    #expect(names(box, ["--tag", "db", "--tag", "prod"]).isEmpty)
    #expect(names(box, ["--tag", "prod"]) == ["vm-150"])
    #expect(names(box, ["--resource-group", "RG-DATA"]) == ["vm-001", "vm-002"])
    #expect(names(box, ["--subscription", "sub-1"]) == ["vm-001", "vm-150"])
    #expect(names(box, ["--subscription", "sub-1", "--tag", "lab"]) == ["vm-001"])
    #expect(names(box, ["--host-match", "10.0.1.*"]).count == 100)
    // Hosts 10.0.1.5 and 10.0.1.50-59 are vm-104 and vm-149 to vm-158.
    #expect(
      names(box, ["--host-match", "10.0.1.5*", "vm-1"])
        == ["vm-104"] + (149...158).map { String(format: "vm-%03d", $0) })
    #expect(names(box, ["vm-19?"]).count == 10)
    // The tags a VM shows are the ones edit left.
    let show = box.run(["show", "vm-150", "--json"])
    let json = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
    #expect(json?["tags"] as? [String] == ["prod"])
    // Nothing matches: said, not an error.
    let none = box.run(["list", "--tag", "nosuch"])
    #expect(none.status == 0)
    #expect(none.stderr == "rdpvault: no VMs match\n")
  }
}
