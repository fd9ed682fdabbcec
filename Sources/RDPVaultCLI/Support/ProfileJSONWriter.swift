import VaultKit

/// `list --json` for 100,000 VMs: one object per line, keys sorted, written by hand because
/// JSONEncoder spends more time than decrypting the vault. The fields are ProfileJSON's.
enum ProfileJSONWriter {
  static func write(_ entries: [ProfileEntry]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(entries.count * 512)
    out.append(UInt8(ascii: "["))
    for (index, entry) in entries.enumerated() {
      out += Array((index == 0 ? "\n" : ",\n").utf8)
      object(entry, into: &out)
    }
    out += Array((entries.isEmpty ? "]\n" : "\n]\n").utf8)
    return out
  }

  static func object(_ entry: ProfileEntry, into out: inout [UInt8]) {
    let json = ProfileJSON(entry, withSettings: true)
    var first = true
    func key(_ name: String) {
      out += Array(((first ? "{" : ",") + "\"" + name + "\":").utf8)
      first = false
    }
    key("computer_name"); string(json.computerName, &out)
    key("domain"); string(json.domain, &out)
    key("domain_admin"); out += Array((json.domainAdmin ? "true" : "false").utf8)
    key("extra_lines"); array(json.extraLines ?? [], &out)
    key("host"); string(json.host, &out)
    key("kind"); string(json.kind, &out)
    key("name"); string(json.name, &out)
    key("note"); string(json.note, &out)
    key("options"); dictionary(json.options ?? [:], &out)
    key("port"); out += Array(String(json.port).utf8)
    key("resource_group"); string(json.resourceGroup, &out)
    key("settings"); dictionary(json.settings ?? [:], &out)
    key("sign_in_name"); string(json.signInName, &out)
    key("subscription"); string(json.subscription, &out)
    key("tags"); array(json.tags, &out)
    key("user"); string(json.user, &out)
    out.append(UInt8(ascii: "}"))
  }

  static func string(_ value: String, _ out: inout [UInt8]) { JSONText.string(value, &out) }
  static func array(_ values: [String], _ out: inout [UInt8]) { JSONText.array(values, &out) }
  static func dictionary(_ values: [String: String], _ out: inout [UInt8]) { JSONText.dictionary(values, &out) }
}
