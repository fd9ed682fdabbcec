/// What the Azure providers hand to `az`: the VM's resource id, a Bastion host, each value
/// a separate argument and checked so that none can be read as an option.
public struct AzureVM: Equatable, Sendable {
  public var subscription: String
  public var resourceGroup: String
  public var name: String

  /// The VM a profile names (its Azure name is the VM's name); its resource group must be
  /// stored, and its subscription too unless `requireSubscription` is false (az then uses
  /// the user's default subscription).
  public init(_ profile: Profile, requireSubscription: Bool = true) throws {
    guard !profile.resourceGroup.isEmpty, !requireSubscription || !profile.subscription.isEmpty
    else {
      throw VaultError.azureContextMissing(profile: profile.name)
    }
    if !profile.subscription.isEmpty {
      try AzureName.check(profile.subscription, field: "subscription")
    }
    try AzureName.check(profile.resourceGroup, field: "resource group")
    try AzureName.check(profile.name, field: "VM name")
    subscription = profile.subscription
    resourceGroup = profile.resourceGroup
    name = profile.name
  }

  public var resourceID: String {
    "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)/providers/Microsoft.Compute/virtualMachines/\(name)"
  }

  /// `--resource-group RG --name VM --subscription SUB`.
  public var vmArguments: [String] {
    ["--resource-group", resourceGroup, "--name", name] + subscriptionArguments
  }

  /// `--subscription SUB`, or nothing when none is stored.
  public var subscriptionArguments: [String] {
    subscription.isEmpty ? [] : ["--subscription", subscription]
  }
}

/// An Azure Bastion host, `RG/NAME`.
public struct BastionHost: Equatable, Sendable {
  public var resourceGroup: String
  public var name: String

  public var text: String { "\(resourceGroup)/\(name)" }

  public static func parse(_ value: String) throws -> BastionHost {
    let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 2 else {
      throw VaultError.invalidField(
        field: ConnectOption.bastion, value: value, rule: "RESOURCE-GROUP/BASTION-NAME")
    }
    try AzureName.check(parts[0], field: "bastion resource group")
    try AzureName.check(parts[1], field: "bastion name")
    return BastionHost(resourceGroup: parts[0], name: parts[1])
  }

  /// `az network bastion tunnel …` to the VM's RDP port on `localPort`.
  public func tunnelArguments(to vm: AzureVM, port: Int, localPort: Int) -> [String] {
    [
      "network", "bastion", "tunnel", "--name", name, "--resource-group", resourceGroup,
      "--target-resource-id", vm.resourceID, "--resource-port", String(port), "--port",
      String(localPort), "--subscription", vm.subscription,
    ]
  }
}
