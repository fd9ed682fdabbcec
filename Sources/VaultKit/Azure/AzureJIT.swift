import Foundation

/// `azure-jit on` (or `azure-jit ADDRESS`): before connecting, ask Microsoft Defender for
/// Cloud's just-in-time access to open the VM's RDP port to this machine's public address,
/// through `az rest` (the CLI has no initiate command): first the resource group's JIT
/// policies are listed, the one covering this VM and port is found, then its `initiate`
/// action is posted. connect then waits for the port.
public enum AzureJIT {
  public static let apiVersion = "2020-01-01"
  static let management = "https://management.azure.com"

  /// A JIT policy that covers the VM's port: its resource id (checked, so that it can only
  /// name a JIT policy in the VM's subscription) and the longest access it grants.
  public struct Policy: Equatable, Sendable {
    public var id: String
    public var name: String
    public var location: String
    public var maximumSeconds: Int
  }

  /// The source an option value asks for: `on` (this machine's public address, detected) or
  /// a public IPv4 address given by the user.
  public static func fixedSource(_ value: String) -> String? {
    value == "on" ? nil : PublicAddress.parse(value)
  }

  public static func listArguments(_ vm: AzureVM) -> [String] {
    [
      "rest", "--method", "get", "--url",
      "\(management)/subscriptions/\(vm.subscription)/resourceGroups/\(vm.resourceGroup)/providers/Microsoft.Security/jitNetworkAccessPolicies?api-version=\(apiVersion)",
      "--output", "json",
    ]
  }

  /// `az rest --method post` to the policy's initiate action (`policyID` is a checked policy
  /// id, or a placeholder for --dry-run).
  public static func initiateArguments(
    policyID: String, vm: AzureVM, port: Int, source: String, endTime: String
  ) -> [String] {
    [
      "rest", "--method", "post", "--url",
      "\(management)\(policyID)/initiate?api-version=\(apiVersion)", "--body",
      body(vm: vm, port: port, source: source, endTime: endTime), "--output", "json",
    ]
  }

  /// `2026-12-03T21:00:00Z`.
  public static func utc(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
  }

  /// The initiate request: this VM, this port, from this address, until `endTime`.
  static func body(vm: AzureVM, port: Int, source: String, endTime: String) -> String {
    let object: [String: Any] = [
      "virtualMachines": [
        [
          "id": vm.resourceID,
          "ports": [
            [
              "number": port, "allowedSourceAddressPrefix": source,
              "endTimeUtc": endTime,
            ]
          ],
        ]
      ],
      "justification": "Remote Desktop to \(vm.name), requested by rdpvault",
    ]
    let data = try! JSONSerialization.data(
      withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }

  /// The policy among `json` (az rest's answer: `{"value": [policy, …]}`) that lists this VM
  /// (its resource id, in any case) with this port; nil when none does.
  public static func policy(covering vm: AzureVM, port: Int, in json: [UInt8]) throws -> Policy? {
    let policies = try AzureCLI.valueList(
      json, step: "az rest (JIT policies)", what: "JIT policies")
    let wanted = vm.resourceID.lowercased()
    for policy in policies {
      let properties = policy["properties"] as? [String: Any] ?? [:]
      for machine in properties["virtualMachines"] as? [[String: Any]] ?? [] {
        guard (machine["id"] as? String)?.lowercased() == wanted else { continue }
        for entry in machine["ports"] as? [[String: Any]] ?? []
        where (entry["number"] as? Int) == port {
          let id = policy["id"] as? String ?? ""
          guard let (location, name) = policyParts(id, subscription: vm.subscription) else {
            throw VaultError.azureFailed(
              step: "az rest (JIT policies)",
              reason: "a policy's id is not a JIT policy of this subscription")
          }
          let duration = (entry["maxRequestAccessDuration"] as? String).flatMap(seconds) ?? 3600
          return Policy(
            id: id, name: name, location: location, maximumSeconds: min(duration, 24 * 3600))
        }
      }
    }
    return nil
  }

  /// `/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Security/locations/LOC/jitNetworkAccessPolicies/NAME`
  /// with SUB this subscription and every other part an Azure name: (LOC, NAME).
  static func policyParts(_ id: String, subscription: String) -> (String, String)? {
    let shape: [String?] = [
      "subscriptions", subscription, "resourceGroups", nil, "providers", "Microsoft.Security",
      "locations", nil, "jitNetworkAccessPolicies", nil,
    ]
    guard let names = AzureName.parts(of: id, shape: shape) else { return nil }
    return (names[1], names[2])
  }

  /// An ISO 8601 duration of hours, minutes and seconds (`PT3H`, `PT1H30M`) in seconds.
  static func seconds(_ text: String) -> Int? {
    guard text.hasPrefix("PT"), text.count > 2 else { return nil }
    var total = 0
    var number = ""
    for character in text.dropFirst(2) {
      if character.isASCII && character.isNumber {
        number.append(character)
        guard number.count <= 6 else { return nil }
        continue
      }
      guard let value = Int(number) else { return nil }
      switch character {
      case "H": total += value * 3600
      case "M": total += value * 60
      case "S": total += value
      default: return nil
      }
      number = ""
    }
    return number.isEmpty && total > 0 ? total : nil
  }

  /// Requests access; returns the source address and the policy used.
  public static func request(
    _ vm: AzureVM, port: Int, option: String, environment: [String: String], now: Date = Date()
  ) throws -> (source: String, policy: Policy) {
    let listed = try AzureCLI.run(
      listArguments(vm), step: "az rest (JIT policies)", environment: environment)
    guard let policy = try policy(covering: vm, port: port, in: listed) else {
      throw VaultError.jitNoPolicy(vm: vm.name, port: port)
    }
    let source = try fixedSource(option) ?? PublicAddress.detect(environment: environment)
    _ = try AzureCLI.run(
      initiateArguments(
        policyID: policy.id, vm: vm, port: port, source: source,
        endTime: utc(now.addingTimeInterval(TimeInterval(policy.maximumSeconds)))),
      step: "az rest (JIT initiate)", environment: environment)
    return (source, policy)
  }
}
