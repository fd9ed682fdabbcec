import Foundation
import Testing

@testable import VaultKit

/// The pure parts of the Azure providers and checks: JIT policy selection and its checked
/// id, ISO 8601 durations, the public-address gate, and the effective-rule evaluation, on
/// Microsoft's published examples (Fixtures/imports/README.md) and edited copies of them.
struct AzureProviderUnitTests {
  static func fixture(_ name: String) throws -> [UInt8] {
    try AzureInventoryTests.fixture(name)
  }

  static let exampleVM = try! AzureVM(
    Profile(
      name: "vm1", host: "vm1.example", computerName: "VM1", kind: .local,
      resourceGroup: "myRg1", subscription: "20ff7fc3-e762-44dd-bd96-b71116dcdc23"))

  @Test func theExamplePolicyCoversItsVMOnPort3389Only() throws {
    let list = try Self.fixture(
      "rest-spec-example-GetJitNetworkAccessPoliciesResourceGroupLocation-body.json")
    let policy = try #require(try AzureJIT.policy(covering: Self.exampleVM, port: 3389, in: list))
    #expect(policy.name == "default" && policy.location == "westeurope")
    #expect(policy.maximumSeconds == 3 * 3600)
    #expect(try AzureJIT.policy(covering: Self.exampleVM, port: 3390, in: list) == nil)
    var other = Self.exampleVM
    other.name = "vm2"
    #expect(try AzureJIT.policy(covering: other, port: 3389, in: list) == nil)
    // Azure ids compare without case.
    var upper = Self.exampleVM
    upper.resourceGroup = "MYRG1"
    #expect(try AzureJIT.policy(covering: upper, port: 3389, in: list) != nil)
    #expect(throws: VaultError.self) {
      try AzureJIT.policy(covering: Self.exampleVM, port: 3389, in: Array("[]".utf8))
    }
  }

  @Test func aPolicyIDIsAJITPolicyOfTheSameSubscription() {
    let sub = "20ff7fc3-e762-44dd-bd96-b71116dcdc23"
    let good =
      "/subscriptions/\(sub)/resourceGroups/myRg1/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default"
    #expect(AzureJIT.policyParts(good, subscription: sub)! == ("westeurope", "default"))
    for bad in [
      good.replacingOccurrences(of: sub, with: "ffffffff-e762-44dd-bd96-b71116dcdc23"),
      good + "?x=1", good + "/..", "https://evil.example" + good,
      good.replacingOccurrences(of: "/default", with: "/de fault"),
      good.replacingOccurrences(of: "Microsoft.Security", with: "Microsoft.Compute"),
      good.replacingOccurrences(of: "locations/westeurope", with: "locations/-westeurope"), "",
    ] {
      #expect(AzureJIT.policyParts(bad, subscription: sub) == nil, "\(bad)")
    }
  }

  @Test func durationsAreHoursMinutesSeconds() {
    #expect(AzureJIT.seconds("PT3H") == 10800)
    #expect(AzureJIT.seconds("PT1H30M") == 5400)
    #expect(AzureJIT.seconds("PT45S") == 45)
    for bad in ["P1D", "PT", "3H", "PT3", "PTH", "PT-1H", "PT9999999H", "PT0H"] {
      #expect(AzureJIT.seconds(bad) == nil, "\(bad)")
    }
  }

  @Test func onlyOnePublicIPv4AddressPasses() {
    #expect(PublicAddress.parse("52.166.1.2") == "52.166.1.2")
    #expect(PublicAddress.parse("1.1.1.1") == "1.1.1.1")
    for bad in [
      "10.1.2.3", "127.0.0.1", "0.0.0.0", "169.254.1.1", "172.16.0.1", "172.31.255.255",
      "192.168.1.1", "100.64.0.1", "224.0.0.1", "255.255.255.255", "198.51.100.7", "203.0.113.1",
      "192.0.2.1", "01.1.1.1", "1.1.1", "1.1.1.1.1", "1.1.1.256", "1.1.1.1/32", " 1.1.1.1",
      "2001:db8::1", "*", "", "١.١.١.١",
    ] {
      #expect(PublicAddress.parse(bad) == nil, "\(bad)")
    }
    #expect(PublicAddress.parse("172.32.0.1") != nil)
  }

  @Test func theExampleRulesLetRDPInFromTheirSourceOnly() throws {
    let rules = try Self.fixture("rest-spec-example-NetworkInterfaceEffectiveNSGList-body.json")
    let allowed = try AzureChecks.verdicts(rules, source: "1.1.1.1", port: 3389)
    #expect(allowed.count == 1)
    #expect(allowed[0].allowed && allowed[0].rule == "securityRules/default-allow-rdp")
    #expect(allowed[0].group == "test-nsg" && allowed[0].groupResourceGroup == "rg1")
    let denied = try AzureChecks.verdicts(rules, source: "52.166.1.2", port: 3389)
    #expect(!denied[0].allowed && denied[0].rule == nil)
    // The outbound allow-all never counts for inbound traffic.
    #expect(!(try AzureChecks.verdicts(rules, source: "1.1.1.1", port: 22))[0].allowed)
  }

  /// Lower priority numbers win; a deny before an allow decides; every group must allow.
  @Test func theFirstMatchingRuleByPriorityDecides() throws {
    func rule(_ name: String, _ access: String, _ priority: Int, source: Any, ports: Any = "3389")
      -> [String: Any]
    {
      var r: [String: Any] = [
        "name": name, "access": access, "priority": priority, "direction": "Inbound",
        "protocol": "Tcp",
      ]
      if let one = source as? String {
        r["sourceAddressPrefix"] = one
      } else {
        r["sourceAddressPrefixes"] = source
      }
      if let one = ports as? String {
        r["destinationPortRange"] = one
      } else {
        r["destinationPortRanges"] = ports
      }
      return r
    }
    func verdicts(_ groups: [[[String: Any]]]) throws -> [AzureChecks.Verdict] {
      let value = groups.enumerated().map { index, rules in
        [
          "networkSecurityGroup": [
            "id":
              "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg\(index)"
          ], "effectiveSecurityRules": rules,
        ] as [String: Any]
      }
      let data = try JSONSerialization.data(withJSONObject: ["value": value])
      return try AzureChecks.verdicts([UInt8](data), source: "52.166.1.2", port: 3389)
    }
    let denyFirst = try verdicts([
      [
        rule("allow", "Allow", 200, source: "*"),
        rule("deny", "Deny", 100, source: "52.166.0.0/16"),
      ]
    ])
    #expect(
      !denyFirst[0].allowed && denyFirst[0].rule == "deny" && denyFirst[0].rulePriority == 100)
    let allowFirst = try verdicts([
      [
        rule(
          "allow", "Allow", 100, source: ["10.0.0.0/8", "52.166.1.0/24"],
          ports: ["22", "3000-4000"])
      ]
    ])
    #expect(allowFirst[0].allowed)
    let outside = try verdicts([[rule("allow", "Allow", 100, source: "52.167.0.0/16")]])
    #expect(!outside[0].allowed)
    let twoGroups = try verdicts([
      [rule("a", "Allow", 100, source: "Internet")], [rule("b", "Deny", 100, source: "0.0.0.0/0")],
    ])
    #expect(twoGroups.map(\.allowed) == [true, false])
    #expect(
      AzureChecks.range("0-65535", contains: 3389)
        && !AzureChecks.range("3390-4000", contains: 3389))
    #expect(AzureChecks.prefix("VirtualNetwork", contains: "52.166.1.2") == nil)
    #expect(AzureChecks.prefix("52.166.1.2/33", contains: "52.166.1.2") == false)
    #expect(AzureChecks.prefix("0.0.0.0/0", contains: "52.166.1.2") == true)
    for bad in [
      "x.52.166.1.2", "52..166.1.2", "+52.166.1.2", "52.166.1.2 ", "52.166.1.256", "52.166.1",
    ] {
      #expect(Validation.ipv4Value(bad) == nil, "\(bad)")
    }
    #expect(AzureChecks.prefix("52.166.0.0/+16", contains: "52.166.1.2") == false)
  }

  /// A rule aimed at another VM of a shared subnet says nothing of this one; a tag Azure did
  /// not expand never makes an allow count, and always makes a deny count.
  @Test func theDestinationAndUnexpandedTagsAreRespected() throws {
    func evaluate(_ rules: [[String: Any]], destinations: [String]) throws -> AzureChecks.Verdict {
      let value: [[String: Any]] = [
        [
          "networkSecurityGroup": [
            "id":
              "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/subnet-nsg"
          ], "effectiveSecurityRules": rules,
        ]
      ]
      let data = try JSONSerialization.data(withJSONObject: ["value": value])
      return try AzureChecks.verdicts(
        [UInt8](data), source: "52.166.1.2", port: 3389, destinations: destinations)[0]
    }
    let otherVM: [String: Any] = [
      "name": "jit-other-vm", "access": "Allow", "priority": 100, "direction": "Inbound",
      "protocol": "Tcp", "destinationPortRange": "3389", "sourceAddressPrefix": "52.166.1.2",
      "destinationAddressPrefix": "10.0.0.5",
    ]
    let denyAll: [String: Any] = [
      "name": "DenyAllInBound", "access": "Deny", "priority": 65500, "direction": "Inbound",
      "protocol": "All", "destinationPortRange": "0-65535", "sourceAddressPrefix": "0.0.0.0/0",
      "destinationAddressPrefix": "0.0.0.0/0",
    ]
    let forOther = try evaluate([otherVM, denyAll], destinations: ["10.0.0.4"])
    #expect(!forOther.allowed && forOther.rule == "DenyAllInBound")
    #expect(try evaluate([otherVM, denyAll], destinations: ["10.0.0.5"]).allowed)
    var tagged = otherVM
    tagged["destinationAddressPrefix"] = "VirtualNetwork"
    #expect(!(try evaluate([tagged, denyAll], destinations: ["10.0.0.4"])).allowed)
    tagged["expandedDestinationAddressPrefix"] = ["10.0.0.0/16"]
    #expect(try evaluate([tagged, denyAll], destinations: ["10.0.0.4"]).allowed)
    var taggedDeny = denyAll
    taggedDeny["priority"] = 50
    taggedDeny["sourceAddressPrefix"] = "AzureCloud"
    #expect(!(try evaluate([taggedDeny, tagged], destinations: ["10.0.0.4"])).allowed)
  }

  @Test func aBastionValueIsTwoAzureNamesAfterAnOptionalSubscription() throws {
    #expect(try BastionHost.parse("rg-hub/bastion-01").text == "rg-hub/bastion-01")
    let hub = try BastionHost.parse("11111111-2222-3333-4444-555555555555/rg-hub/bastion-01")
    #expect(hub.subscription == "11111111-2222-3333-4444-555555555555")
    #expect(
      hub.tunnelArguments(to: Self.exampleVM, port: 3389, localPort: 5000).suffix(2)
        == ["--subscription", "11111111-2222-3333-4444-555555555555"])
    for bad in [
      "-x/b", "rg/--debug", "a/b/c", "rg/", "/b", "rg/na me", "rg/b;id", "rg/b\u{0}", "../b",
      "rg/..",
      "rg/b.", "x/y/z/w",
    ] {
      #expect(throws: VaultError.self, "\(bad)") { try BastionHost.parse(bad) }
    }
  }
}
