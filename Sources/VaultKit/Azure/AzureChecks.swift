import Foundation

/// `check NAME`'s Azure checks, the seed workflow's prerequisites: the VM runs, it has a
/// public IP, its effective network security rules let TCP 3389 in from this machine's
/// public address, and whether a just-in-time policy covers it. Each failure carries a
/// one-line fix. az is asked; nothing is changed.
public enum AzureChecks {
  public struct Result: Equatable, Sendable {
    public enum Outcome: String, Sendable { case ok, fail, skip, info }
    public var outcome: Outcome
    public var text: String
    /// What fixes a failure, the first the main one (the command line words them).
    public var fixes: [Fix]

    public init(_ outcome: Outcome, _ text: String, fixes: [Fix] = []) {
      self.outcome = outcome
      self.text = text
      self.fixes = fixes
    }
  }

  public enum Fix: Equatable, Sendable {
    /// Run az with these arguments.
    case az([String])
    /// Set this connect option on the VM.
    case setOption(key: String, value: String)
    /// Reach the VM through a tunnel (Bastion or a jump host) instead.
    case tunnel
    /// Sign in to az and check where the VM is said to be.
    case login(resourceGroup: String)
    /// Store this host for the VM.
    case setHost(String)
  }

  /// What `az vm show --show-details` says of the VM.
  public struct Details: Equatable, Sendable {
    public var powerState: String
    public var publicIPs: [String]
    public var privateIPs: [String]
    public var networkInterfaces: [String]
  }

  public static func showArguments(_ vm: AzureVM) -> [String] {
    ["vm", "show", "--show-details"] + vm.vmArguments + ["--output", "json"]
  }

  public static func effectiveRulesArguments(networkInterface id: String) -> [String] {
    ["network", "nic", "list-effective-nsg", "--ids", id, "--output", "json"]
  }

  public static func details(_ json: [UInt8]) throws -> Details {
    guard let vm = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
      vm["powerState"] is String
    else {
      throw VaultError.azureFailed(
        step: "az vm show", reason: "its output is not a VM with a power state")
    }
    func list(_ key: String) -> [String] {
      (vm[key] as? String ?? "").split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      }.filter { !$0.isEmpty }
    }
    let network = vm["networkProfile"] as? [String: Any] ?? [:]
    let nics = (network["networkInterfaces"] as? [[String: Any]] ?? []).compactMap {
      $0["id"] as? String
    }
    return Details(
      powerState: vm["powerState"] as? String ?? "unknown", publicIPs: list("publicIps"),
      privateIPs: list("privateIps"), networkInterfaces: nics)
  }

  /// One network security group's say on the port: whether its first matching inbound rule
  /// (by priority) allows `source`, and which rule decided (nil: none matched, so Azure's
  /// default denies).
  public struct Verdict: Equatable, Sendable {
    public var group: String
    public var groupResourceGroup: String
    public var allowed: Bool
    public var rule: String?
    public var rulePriority: Int?
  }

  /// Reads `az network nic list-effective-nsg` (`{"value": [{networkSecurityGroup,
  /// effectiveSecurityRules}, …]}`): a verdict per group (a NIC's and a subnet's both apply)
  /// on traffic from `source` to `port` of one of `destinations` (the VM's addresses; empty:
  /// any).
  public static func verdicts(
    _ json: [UInt8], source: String, port: Int, destinations: [String] = []
  ) throws -> [Verdict] {
    let groups = try AzureCLI.valueList(
      json, step: "az network nic list-effective-nsg", what: "groups")
    return groups.map { group in
      let id = (group["networkSecurityGroup"] as? [String: Any])?["id"] as? String ?? ""
      let parts = id.split(separator: "/").map(String.init)
      let name = parts.last ?? "?"
      let resourceGroup = parts.count > 3 ? parts[3] : ""
      let rules = (group["effectiveSecurityRules"] as? [[String: Any]] ?? [])
        .filter { ($0["direction"] as? String)?.lowercased() == "inbound" }
        .sorted { ($0["priority"] as? Int ?? Int.max) < ($1["priority"] as? Int ?? Int.max) }
      for rule in rules where matches(rule, source: source, port: port, destinations: destinations)
      {
        return Verdict(
          group: name, groupResourceGroup: resourceGroup,
          allowed: (rule["access"] as? String)?.lowercased() == "allow",
          rule: rule["name"] as? String ?? "?", rulePriority: rule["priority"] as? Int)
      }
      return Verdict(
        group: name, groupResourceGroup: resourceGroup, allowed: false, rule: nil,
        rulePriority: nil)
    }
  }

  /// Whether a rule applies to this traffic. A service tag Azure did not expand is unknown:
  /// an allow does not count on it and a deny does, so the check never says "ok" wrongly.
  static func matches(
    _ rule: [String: Any], source: String, port: Int, destinations: [String]
  ) -> Bool {
    let proto = (rule["protocol"] as? String ?? "").lowercased()
    guard ["tcp", "all", "*"].contains(proto) else { return false }
    let ports = strings(rule, "destinationPortRange", "destinationPortRanges")
    guard ports.contains(where: { range($0, contains: port) }) else { return false }
    let isDeny = (rule["access"] as? String)?.lowercased() != "allow"
    func covers(_ prefixes: [String], _ addresses: [String]) -> Bool {
      var unknown = false
      for text in prefixes {
        for address in addresses {
          switch prefix(text, contains: address) {
          case true?: return true
          case nil: unknown = true
          case false?: break
          }
        }
      }
      return unknown && isDeny
    }
    let sources = strings(
      rule, "sourceAddressPrefix", "sourceAddressPrefixes", "expandedSourceAddressPrefix")
    guard covers(sources, [source]) else { return false }
    guard !destinations.isEmpty else { return true }
    let targets = strings(
      rule, "destinationAddressPrefix", "destinationAddressPrefixes",
      "expandedDestinationAddressPrefix")
    return targets.isEmpty || covers(targets, destinations)
  }

  static func strings(_ rule: [String: Any], _ keys: String...) -> [String] {
    keys.flatMap { key -> [String] in
      if let one = rule[key] as? String { return [one] }
      return rule[key] as? [String] ?? []
    }
  }

  /// `*`, `3389`, `3389-3389`, `0-65535`.
  static func range(_ text: String, contains port: Int) -> Bool {
    if text == "*" { return true }
    let bounds = text.split(separator: "-").compactMap { Int($0) }
    switch bounds.count {
    case 1: return bounds[0] == port
    case 2: return bounds[0] <= port && port <= bounds[1]
    default: return false
    }
  }

  /// `*`, `Internet`, `Any`, an IPv4 address or prefix: whether it contains `address`; nil
  /// for another service tag (VirtualNetwork…), which only its expansion can answer.
  static func prefix(_ text: String, contains address: String) -> Bool? {
    if ["*", "internet", "any"].contains(text.lowercased()) { return true }
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard let host = Validation.ipv4Value(address) else { return false }
    guard let network = Validation.ipv4Value(String(parts[0])) else {
      return text.first?.isLetter == true ? nil : false
    }
    guard parts.count <= 2 else { return false }
    let bits = parts.count == 2 ? strictNumber(parts[1]) ?? -1 : 32
    guard (0...32).contains(bits) else { return false }
    let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
    return network & mask == host & mask
  }

  /// 1-3 ASCII digits, nothing else (no sign, no space).
  static func strictNumber(_ text: Substring) -> Int? {
    guard (1...3).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
      return nil
    }
    return Int(text)
  }

  /// A network interface id as az lists it: `/subscriptions/…/networkInterfaces/NAME`, each
  /// part an Azure name (so it reaches az as one harmless argument).
  static func isInterfaceID(_ id: String) -> Bool {
    let shape: [String?] = [
      "subscriptions", nil, "resourceGroups", nil, "providers", "Microsoft.Network",
      "networkInterfaces", nil,
    ]
    return AzureName.parts(of: id, shape: shape) != nil
  }

  /// Runs the checks for the VM behind `profile` (its resource group stored; its
  /// subscription, if stored, used). A step az cannot answer becomes a failed or skipped
  /// line, never an exception: the other checks still run. What connect already handles
  /// (a tunnel, azure-start, azure-jit) turns a failure into an `info` line.
  public static func run(
    _ profile: Profile, environment: [String: String], publicAddress: () throws -> String
  ) -> [Result] {
    let vm: AzureVM
    do {
      vm = try AzureVM(profile, requireSubscription: false)
    } catch {
      return [Result(.skip, "Azure checks: \(describe(error))")]
    }
    let options = profile.settings.options
    let tunnel = [ConnectOption.bastion, ConnectOption.jump, ConnectOption.tunnel].first {
      options[$0] != nil
    }
    var results: [Result] = []
    let details: Details
    do {
      details = try self.details(
        AzureCLI.run(showArguments(vm), step: "az vm show", environment: environment))
    } catch {
      return [
        Result(
          .fail, "Azure: cannot read the VM \(vm.name): \(describe(error))",
          fixes: [.login(resourceGroup: vm.resourceGroup)])
      ]
    }
    let running = details.powerState == "VM running"
    if running {
      results.append(Result(.ok, "Azure: \(vm.name) is running"))
    } else if options[ConnectOption.azureStart] == "on" {
      results.append(
        Result(.info, "Azure: \(vm.name) is not running (\(details.powerState)); connect starts it")
      )
    } else {
      results.append(
        Result(
          .fail, "Azure: \(vm.name) is not running (\(details.powerState))",
          fixes: [
            .az(AzurePower.startArguments(vm)),
            .setOption(key: ConnectOption.azureStart, value: "on"),
          ]))
    }
    if let tunnel {
      results.append(
        Result(
          .info,
          "Azure: public IP \(details.publicIPs.isEmpty ? "none" : details.publicIPs.joined(separator: ", ")); connect goes through its \(tunnel)"
        ))
    } else if details.publicIPs.isEmpty {
      results.append(Result(.fail, "Azure: \(vm.name) has no public IP", fixes: [.tunnel]))
    } else {
      results.append(Result(.ok, "Azure: public IP \(details.publicIPs.joined(separator: ", "))"))
      if let stale = staleHost(profile, details: details) {
        results.append(stale)
      }
    }
    let policy = jitPolicy(vm, port: profile.port, environment: environment)
    if let policy {
      results.append(policy.result)
    } else {
      results.append(
        Result(.skip, "Azure: just-in-time policies (no subscription stored for \(vm.name))"))
    }
    if let tunnel {
      results.append(
        Result(.info, "Azure: inbound rules not checked: connect goes through its \(tunnel)"))
    } else {
      results.append(
        contentsOf: inboundRules(
          vm, profile: profile, details: details, running: running,
          jit: policy?.exists ?? false, environment: environment,
          publicAddress: publicAddress))
    }
    return results
  }

  /// A stored host that is a public address, but not the VM's (a dynamic IP that changed on
  /// a restart, and may now be someone else's).
  public static func staleHost(_ profile: Profile, details: Details) -> Result? {
    guard let stored = PublicAddress.parse(profile.host), !details.publicIPs.isEmpty,
      !details.publicIPs.contains(stored)
    else { return nil }
    return Result(
      .fail,
      "Azure: the stored host \(stored) is not the VM's public IP (\(details.publicIPs.joined(separator: ", ")))",
      fixes: [.setHost(details.publicIPs[0])])
  }

  /// The JIT line, or nil without a subscription (the REST path needs one).
  static func jitPolicy(
    _ vm: AzureVM, port: Int, environment: [String: String]
  ) -> (result: Result, exists: Bool)? {
    guard !vm.subscription.isEmpty else { return nil }
    do {
      let listed = try AzureCLI.run(
        AzureJIT.listArguments(vm), step: "az rest (JIT policies)", environment: environment)
      if let policy = try AzureJIT.policy(covering: vm, port: port, in: listed) {
        return (
          Result(
            .ok,
            "Azure: just-in-time policy \(policy.name) (\(policy.location)) covers port \(port), up to \(policy.maximumSeconds / 60) min"
          ), true
        )
      }
      return (Result(.info, "Azure: no just-in-time policy covers port \(port)"), false)
    } catch {
      return (Result(.skip, "Azure: just-in-time policies unknown: \(describe(error))"), false)
    }
  }

  static func inboundRules(
    _ vm: AzureVM, profile: Profile, details: Details, running: Bool, jit: Bool,
    environment: [String: String], publicAddress: () throws -> String
  ) -> [Result] {
    let port = profile.port
    guard running else {
      return [
        Result(
          .skip, "Azure: inbound rules for TCP \(port) (Azure lists them only for a running VM)")
      ]
    }
    let source: String
    do {
      source = try publicAddress()
    } catch {
      return [Result(.skip, "Azure: inbound rules for TCP \(port): \(describe(error))")]
    }
    guard !details.networkInterfaces.isEmpty else {
      return [Result(.skip, "Azure: inbound rules unknown: az listed no network interface")]
    }
    let jitOn = (profile.settings.options[ConnectOption.azureJIT] ?? "off") != "off"
    var results: [Result] = []
    for nic in details.networkInterfaces {
      guard isInterfaceID(nic) else {
        results.append(
          Result(
            .skip, "Azure: inbound rules unknown: az named a network interface that is not one"))
        continue
      }
      let verdicts: [Verdict]
      do {
        verdicts = try self.verdicts(
          AzureCLI.run(
            effectiveRulesArguments(networkInterface: nic),
            step: "az network nic list-effective-nsg", environment: environment),
          source: source, port: port, destinations: details.privateIPs + details.publicIPs)
      } catch {
        results.append(Result(.skip, "Azure: inbound rules unknown: \(describe(error))"))
        continue
      }
      if verdicts.isEmpty {
        results.append(
          Result(.ok, "Azure: no network security group filters TCP \(port) to \(vm.name)"))
      }
      for verdict in verdicts {
        if verdict.allowed {
          results.append(
            Result(
              .ok,
              "Azure: \(verdict.group) lets TCP \(port) in from \(source) (\(verdict.rule ?? "?"))")
          )
          continue
        }
        let decided =
          verdict.rule.map { "\($0) denies it" } ?? "no rule allows it, so the default denies it"
        if jitOn {
          results.append(
            Result(
              .info,
              "Azure: \(verdict.group) blocks TCP \(port) from \(source) until connect requests just-in-time access"
            ))
          continue
        }
        // Azure takes 100-4096; ahead of the rule that denies, when that is one of the user's.
        let priority = min(4096, max(100, (verdict.rulePriority ?? 4097) - 1))
        let safeName = "rdp-from-" + source.replacingOccurrences(of: ".", with: "-")
        results.append(
          Result(
            .fail, "Azure: \(verdict.group) blocks TCP \(port) from \(source): \(decided)",
            fixes: jit
              ? [.setOption(key: ConnectOption.azureJIT, value: "on")]
              : [
                .az([
                  "network", "nsg", "rule", "create", "--resource-group",
                  verdict.groupResourceGroup, "--nsg-name", verdict.group, "--name", safeName,
                  "--priority", String(priority), "--direction", "Inbound", "--access", "Allow",
                  "--protocol", "Tcp", "--source-address-prefixes", source + "/32",
                  "--destination-port-ranges", String(port),
                ])
              ]))
      }
    }
    return results
  }

  static func describe(_ error: Error) -> String {
    (error as? VaultError)?.message ?? "\(error)"
  }
}
