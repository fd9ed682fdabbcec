import Foundation

/// Which of an Azure VM's addresses becomes its host.
public enum AzureAddress: String, CaseIterable, Codable, Sendable {
  /// The public IP, else the private IP, else the FQDN.
  case auto
  case `public`
  case `private`
  case fqdn
}

/// Reads the VMs of `az vm list -d -o json` (an array), `az vm show -d` (one object) or the
/// REST API's list (`{"value": [...]}`, fields under `properties`). One VM per Windows VM:
/// the others are counted as skipped. Facts of the format: README of the import fixtures.
public enum AzureInventory {
  /// Larger input is refused: `az` writes about 6 KB per VM, so this is 20,000 VMs and more.
  public static let maximumSize = 128 << 20

  public struct Reading: Sendable {
    public var items: [InventoryItem]
    /// VMs that are not Windows, by name.
    public var skipped: [String]
    /// VMs that cannot be imported, with the reason (no usable address, a bad value).
    public var refused: [(name: String, reason: String)]
  }

  /// Whether `bytes` look like Azure's VM JSON (for `import` without `--from`).
  public static func looksLikeAzure(_ bytes: [UInt8]) -> Bool {
    guard let first = bytes.first(where: { !" \t\r\n".utf8.contains($0) }),
      first == UInt8(ascii: "[") || first == UInt8(ascii: "{")
    else { return false }
    let head = String(decoding: bytes.prefix(64 << 10), as: UTF8.self)
    return head.contains("\"osProfile\"") || head.contains("Microsoft.Compute/virtualMachines")
  }

  public static func read(_ bytes: [UInt8], address: AzureAddress) throws -> Reading {
    guard bytes.count <= maximumSize else {
      throw VaultError.inventory(
        reason: "it is larger than \(maximumSize >> 20) MiB, more than any az output")
    }
    let json: Any
    do {
      json = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
    } catch {
      throw VaultError.inventory(reason: "it is not JSON (az vm list -d -o json writes JSON)")
    }
    let vms: [Any]
    if let array = json as? [Any] {
      vms = array
    } else if let object = json as? [String: Any], let value = object["value"] as? [Any] {
      vms = value
    } else if let object = json as? [String: Any],
      object["osProfile"] != nil || object["properties"] != nil
    {
      vms = [object]
    } else {
      throw VaultError.inventory(reason: "it is JSON, but not a list of Azure VMs")
    }
    var reading = Reading(items: [], skipped: [], refused: [])
    for (index, element) in vms.enumerated() {
      guard let vm = element as? [String: Any] else {
        throw VaultError.inventory(reason: "entry \(index + 1) is not an object")
      }
      let name = vm["name"] as? String ?? "entry \(index + 1)"
      do {
        guard isWindows(vm) else {
          reading.skipped.append(name)
          continue
        }
        reading.items.append(try item(vm, name: name, address: address))
      } catch let error as VaultError {
        reading.refused.append((name, error.message))
      }
    }
    return reading
  }

  /// A field of the CLI's flattened object, or of the REST shape's `properties`.
  static func field(_ vm: [String: Any], _ key: String) -> Any? {
    if let value = vm[key], !(value is NSNull) { return value }
    if let properties = vm["properties"] as? [String: Any], let value = properties[key],
      !(value is NSNull)
    {
      return value
    }
    return nil
  }

  static func isWindows(_ vm: [String: Any]) -> Bool {
    let storage = field(vm, "storageProfile") as? [String: Any]
    let disk = storage?["osDisk"] as? [String: Any]
    if let type = disk?["osType"] as? String { return type.lowercased() == "windows" }
    let os = field(vm, "osProfile") as? [String: Any]
    return os?["windowsConfiguration"].map { !($0 is NSNull) } ?? false
  }

  /// The first of a comma-joined list (`az` joins every NIC's address with ","); "" for none.
  static func first(_ value: Any?) -> String {
    guard let text = value as? String else { return "" }
    return text.split(separator: ",").first.map {
      $0.trimmingCharacters(in: .whitespaces)
    } ?? ""
  }

  static func item(_ vm: [String: Any], name: String, address: AzureAddress) throws
    -> InventoryItem
  {
    let publicIP = first(vm["publicIps"])
    let privateIP = first(vm["privateIps"])
    let fqdn = first(vm["fqdns"])
    let host: String
    switch address {
    case .auto: host = [publicIP, privateIP, fqdn].first { !$0.isEmpty } ?? ""
    case .public: host = publicIP
    case .private: host = privateIP
    case .fqdn: host = fqdn
    }
    guard !host.isEmpty else {
      throw VaultError.inventory(
        reason: address == .auto
          ? "it has no address (no public or private IP, no FQDN: list it with az vm list -d)"
          : "it has no \(address.rawValue) address")
    }
    let os = field(vm, "osProfile") as? [String: Any]
    let id = vm["id"] as? String ?? ""
    let resourceGroup =
      vm["resourceGroup"] as? String ?? Self.segment(of: id, after: "resourceGroups")
    var warnings: [String] = []
    var tags: [String] = []
    if let azureTags = vm["tags"] as? [String: Any] {
      for key in azureTags.keys.sorted() {
        let value = azureTags[key] as? String ?? ""
        let tag = value.isEmpty ? key : "\(key):\(value)"
        if (try? Validation.tag(tag)) != nil {
          tags.append(tag)
        } else {
          warnings.append("its Azure tag \(quoted(tag)) is not a valid rdpvault tag; not kept")
        }
      }
    }
    let power = (vm["powerState"] as? String ?? "").lowercased()
    if power.contains("deallocated") || power.contains("stopped") {
      warnings.append(
        "it is \(power.replacingOccurrences(of: "vm ", with: "")) in Azure: start it before connecting"
      )
    }
    return InventoryItem(
      name: name, host: host, kind: .local, user: os?["adminUsername"] as? String,
      computerName: os?["computerName"] as? String, tags: tags, resourceGroup: resourceGroup,
      subscription: Self.segment(of: id, after: "subscriptions"), warnings: warnings)
  }

  /// The path segment after `key` in an Azure resource id
  /// (`/subscriptions/S/resourceGroups/RG/providers/...`), or "".
  static func segment(of id: String, after key: String) -> String {
    let parts = id.split(separator: "/").map(String.init)
    guard let index = parts.firstIndex(where: { $0.lowercased() == key.lowercased() }),
      index + 1 < parts.count
    else { return "" }
    return parts[index + 1]
  }
}
