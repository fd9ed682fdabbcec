import Foundation
import Testing

/// `list`'s filters against a 200-VM vault (issue 15): repeatable tags that must all match,
/// in any case; resource group, subscription and host; tags added and removed by `edit`.
/// Then `rm`, `set`, `unset` and `edit` on many VMs at once: names, globs and filters, one
/// transaction, never without a yes.
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
    try bulk(box)
  }

  func settings(_ box: Sandbox, _ name: String) -> [String: Any] {
    let show = box.run(["show", name, "--json"])
    let json = try? JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
    return json?["settings"] as? [String: Any] ?? [:]
  }

  func bulk(_ box: Sandbox) throws {
    // Without a terminal, many VMs change only with --yes; nothing is changed before.
    let before = box.snapshot()
    for arguments in [
      ["rm", "--tag", "lab"], ["set", "vm-00*", "desktopwidth", "1280"],
      ["edit", "--where", "tag=db", "--add-tag", "x"], ["unset", "vm-001", "vm-002", "note"],
    ] {
      let refused = box.run(arguments)
      #expect(refused.status == 1, "\(arguments)")
      #expect(refused.stderr.contains("rdpvault: hint: pass --yes"), "\(refused.stderr)")
    }
    // Nothing named: a usage error before anything is read; a name that is no VM: nothing done.
    for arguments in [["rm"], ["set", "desktopwidth", "1280"], ["edit", "--add-tag", "x"]] {
      #expect(box.run(arguments).status == 64, "\(arguments)")
    }
    let missing = box.run(["rm", "vm-001", "vm-999", "--yes"])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("no VM named \"vm-999\""))
    #expect(box.run(["rm", "nosuch-*", "--yes"]).stderr.contains("no VM matches"))
    #expect(box.snapshot() == before, "a refused command changed the vault")

    // set on a filter, then edit with --where: exactly the VMs that match change.
    let set = box.run(
      ["set", "--tag", "DB", "--resource-group", "rg-data", "desktopwidth", "1280", "--yes"])
    #expect(set.status == 0, "\(set.stderr)")
    #expect(set.stderr == "rdpvault: set desktopwidth to 1280 on 2 VMs (vm-001, vm-002)\n")
    #expect(settings(box, "vm-001")["desktopwidth"] as? String == "1280")
    #expect(settings(box, "vm-003")["desktopwidth"] == nil)
    let edit = box.run(
      ["edit", "--where", "tag=lab", "--where", "host=10.0.1.9*", "--add-tag", "bulk", "--yes"])
    #expect(edit.status == 0, "\(edit.stderr)")
    #expect(
      names(box, ["--tag", "bulk"]) == ["vm-108"]
        + (189...198).map { String(format: "vm-%03d", $0) })
    // One VM of the two lacks the setting: neither changes (one transaction).
    let half = box.snapshot()
    #expect(box.run(["set", "vm-001", "desktopheight", "800"]).status == 0)
    let afterOne = box.snapshot()
    #expect(afterOne != half)
    let unset = box.run(["unset", "vm-001", "vm-003", "desktopheight", "--yes"])
    #expect(unset.status == 1)
    #expect(unset.stderr.contains("it is not set on vm-003"), "\(unset.stderr)")
    #expect(box.snapshot() == afterOne, "a failed bulk unset changed some VMs")
    // rm with a glob and a filter: their intersection.
    let removed = box.run(["rm", "vm-19?", "--tag", "bulk", "--yes"])
    #expect(removed.status == 0, "\(removed.stderr)")
    #expect(names(box, []).count == 191)
    #expect(names(box, ["vm-19?"]) == ["vm-199"])
  }
}
