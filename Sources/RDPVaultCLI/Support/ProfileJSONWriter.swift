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
    key("computer_name"); JSONText.string(json.computerName, &out)
    key("domain"); JSONText.string(json.domain, &out)
    key("domain_admin"); out += Array((json.domainAdmin ? "true" : "false").utf8)
    key("extra_lines"); JSONText.array(json.extraLines ?? [], &out)
    key("host"); JSONText.string(json.host, &out)
    key("kind"); JSONText.string(json.kind, &out)
    key("name"); JSONText.string(json.name, &out)
    key("note"); JSONText.string(json.note, &out)
    key("options"); JSONText.dictionary(json.options ?? [:], &out)
    key("port"); out += Array(String(json.port).utf8)
    key("resource_group"); JSONText.string(json.resourceGroup, &out)
    key("settings"); JSONText.dictionary(json.settings ?? [:], &out)
    key("sign_in_name"); JSONText.string(json.signInName, &out)
    key("subscription"); JSONText.string(json.subscription, &out)
    key("tags"); JSONText.array(json.tags, &out)
    key("user"); JSONText.string(json.user, &out)
    out.append(UInt8(ascii: "}"))
  }
}
