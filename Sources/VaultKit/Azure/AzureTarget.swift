/// What the Azure providers hand to `az`: the VM's resource id, a Bastion host, each value
/// a separate argument and checked so that none can be read as an option.
public struct AzureVM: Equatable, Sendable {
  public var subscription: String
  public var resourceGroup: String
  public var name: String

  /// The VM a profile names (its Azure name is `azure-vm` when set, else the profile's
  /// name); its resource group must be
  /// stored, and its subscription too unless `requireSubscription` is false (az then uses
  /// the user's default subscription).
  public init(_ profile: Profile, requireSubscription: Bool = true) throws {
    guard !profile.resourceGroup.isEmpty, !requireSubscription || !profile.subscription.isEmpty
    else {
      throw VaultError.azureContextMissing(profile: profile.name)
    }
    if !profile.subscription.isEmpty { try AzureName.checkSubscription(profile.subscription) }
    try AzureName.check(profile.resourceGroup, field: "resource group")
    let name = profile.settings.options[ConnectOption.azureVM] ?? profile.name
    try AzureName.check(name, field: "VM name")
    subscription = profile.subscription
    resourceGroup = profile.resourceGroup
    self.name = name
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

/// An Azure Bastion host, `RG/NAME`, or `SUBSCRIPTION/RG/NAME` when it lives in another
/// subscription than the VM (a hub).
public struct BastionHost: Equatable, Sendable {
  /// Empty: the VM's subscription.
  public var subscription: String = ""
  public var resourceGroup: String
  public var name: String

  public var text: String {
    (subscription.isEmpty ? "" : subscription + "/") + "\(resourceGroup)/\(name)"
  }

  public static func parse(_ value: String) throws -> BastionHost {
    var parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 2 || parts.count == 3 else {
      throw VaultError.invalidField(
        field: ConnectOption.bastion, value: value,
        rule: "RESOURCE-GROUP/BASTION-NAME, or SUBSCRIPTION/RESOURCE-GROUP/BASTION-NAME")
    }
    var subscription = ""
    if parts.count == 3 {
      subscription = parts.removeFirst()
      try AzureName.checkSubscription(subscription)
    }
    try AzureName.check(parts[0], field: "bastion resource group")
    try AzureName.check(parts[1], field: "bastion name")
    return BastionHost(subscription: subscription, resourceGroup: parts[0], name: parts[1])
  }

  /// `az network bastion tunnel …` to the VM's RDP port on `localPort`; `--subscription` is
  /// the Bastion's (the VM's own is in its resource id).
  public func tunnelArguments(to vm: AzureVM, port: Int, localPort: Int) -> [String] {
    [
      "network", "bastion", "tunnel", "--name", name, "--resource-group", resourceGroup,
      "--target-resource-id", vm.resourceID, "--resource-port", String(port), "--port",
      String(localPort), "--subscription", subscription.isEmpty ? vm.subscription : subscription,
    ]
  }
}
