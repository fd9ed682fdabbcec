import ArgumentParser
import Foundation
import VaultCrypto
import VaultKit

#if canImport(Glibc)
  import Glibc
#endif

/// What `import --from` reads.
enum ImportFormat: String, ExpressibleByArgument, CaseIterable {
  case rdp, bundle, azure, csv, mremoteng, rdcman, keepass, remmina
}

extension AzureAddress: ExpressibleByArgument {}

extension RDPVault.Import {
  /// Azure's VM list (`az vm list -d -o json`), from a file or from `az` itself: one VM per
  /// Windows VM, through the vault's inventory import. Returns the names that failed.
  func importAzure(_ bytes: [UInt8], from source: String, into vault: any VaultService) throws
    -> [String]
  {
    let reading = try AzureInventory.read(bytes, address: address)
    if !reading.skipped.isEmpty {
      Diagnostics.note(
        "\(source): skipped \(reading.skipped.count) VM\(reading.skipped.count == 1 ? "" : "s") that \(reading.skipped.count == 1 ? "is" : "are") not Windows: \(reading.skipped.map(Validation.escapedForDisplay).joined(separator: ", "))"
      )
    }
    var failed: [String] = []
    for (name, reason) in reading.refused {
      Diagnostics.error("\(source): VM \(quoted(name)): \(reason)")
      failed.append(quoted(name))
    }
    return failed
      + (try importInventory(
        reading.items, passwords: InventoryPasswords(capacity: 0), from: source, into: vault))
  }

  /// A CSV inventory (`CSVInventory`, the columns `list --format csv` writes).
  func importCSV(_ bytes: [UInt8], from source: String, into vault: any VaultService) throws
    -> [String]
  {
    try importInventory(
      try CSVInventory.read(bytes), passwords: InventoryPasswords(capacity: 0), from: source,
      into: vault)
  }

  /// mRemoteNG's confCons.xml: the built-in key first, then the password of --source-password-file
  /// or the terminal. Its RDP connections with a host become VMs with their passwords.
  func importMRemoteNG(_ bytes: [UInt8], from source: String, into vault: any VaultService)
    throws -> [String]
  {
    let reading = try MRemoteNGFile.read(bytes) { () throws -> SecretBytes? in
      guard sourcePasswordFile != nil || Terminal.isAvailable else { return nil }
      return try sourcePassword(source, tool: "mRemoteNG")
    }
    return try importForeign(try MRemoteNGFile.inventory(reading), from: source, into: vault)
  }

  /// A KeePass database: its XML export read directly, a .kdbx through keepassxc-cli (the
  /// database password goes to it on a pipe; its XML comes back into guarded memory).
  func importKeePass(_ bytes: [UInt8], from source: String, into vault: any VaultService)
    throws -> [String]
  {
    guard KeePassFile.isKDBX(bytes) else {
      guard bytes.count <= KeePassFile.maximumSize else {
        throw VaultError.inventory(
          reason:
            "the file is \(bytes.count >> 20) MiB; a KeePass export is read up to \(KeePassFile.maximumSize >> 20) MiB"
        )
      }
      let guarded = try SecretBytes(copying: bytes)
      let inventory = try guarded.withUnsafeBytes { try KeePassFile.read($0) }
      if inventory.passwords.lengths.contains(where: { $0 != nil }) {
        Diagnostics.warning(
          "\(source) holds its passwords in the clear: delete it once imported (shred -u \(source))"
        )
      }
      return try importForeign(inventory, from: source, into: vault)
    }
    let environment = ProcessInfo.processInfo.environment
    guard let cli = Launcher.findExecutable("keepassxc-cli", environment: environment) else {
      throw CLIError(
        "reading a .kdbx needs keepassxc-cli, which is not installed",
        hint: "install keepassxc, or give the XML of: keepassxc-cli export --format xml DATABASE")
    }
    var password = try sourcePassword(source, tool: "KeePass")
    var input = try SecretBytes(capacity: password.count + 1)
    try password.withUnsafeBytes { try input.append(contentsOf: $0) }
    try input.append(0x0A)
    password.removeLast(password.count)
    var status: Int32 = 0
    let xml = try Launcher.secretOutput(
      cli, arguments: ["export", "--quiet", "--format", "xml", "--", source],
      environment: environment.filter { !$0.key.hasPrefix("RDPVAULT_") }, stdin: input,
      limit: KeePassFile.maximumSize, status: &status)
    guard status == 0 else {
      throw CLIError(
        "keepassxc-cli could not open \(source) (exit status \(status))",
        hint: "check the database password; a database that also needs a key file is not read here")
    }
    return try importForeign(
      try xml.withUnsafeBytes { try KeePassFile.read($0) }, from: source, into: vault)
  }

  /// The password of a file being imported: from --source-password-file, else the terminal.
  func sourcePassword(_ source: String, tool: String) throws -> SecretBytes {
    if let sourcePasswordFile {
      return try SecretInput.readFile(sourcePasswordFile, what: "password of \(source)")
    }
    guard Terminal.isAvailable else { throw VaultError.sourcePasswordNeeded(tool: tool) }
    return try SecretInput.readFromTerminal(
      prompt: "Password of \(source) (\(tool)): ", confirmPrompt: nil,
      what: "password of \(source)", hint: "give it in a file with --source-password-file")
  }

  /// A Remmina profile; its password decrypted with --remmina-pref's secret when given.
  func importRemmina(_ bytes: [UInt8], from source: String, into vault: any VaultService)
    throws -> [String]
  {
    var secret: SecretBytes?
    if let remminaPref {
      var pref = try Self.read(remminaPref)
      defer { for index in pref.indices { pref[index] = 0 } }
      secret = try RemminaFile.prefSecret(pref)
    }
    let name = URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
    return try importForeign(
      try RemminaFile.read(
        bytes, fileName: name, secret: secret, storeClearText: storeClearPassword),
      from: source, into: vault)
  }

  /// An RDCMan .rdg file: its servers as VMs (DPAPI passwords dropped with a warning).
  func importRDCMan(_ bytes: [UInt8], from source: String, into vault: any VaultService)
    throws -> [String]
  {
    try importForeign(try RDCManFile.read(bytes), from: source, into: vault)
  }

  /// Another manager's connections: what was skipped, the audit, then the import itself.
  func importForeign(
    _ inventory: consuming ForeignInventory, from source: String, into vault: any VaultService
  ) throws -> [String] {
    if !inventory.skipped.isEmpty {
      let reasons = Dictionary(grouping: inventory.skipped, by: \.reason)
      for reason in reasons.keys.sorted() {
        let names = reasons[reason]!.map { quoted($0.name) }
        Diagnostics.note(
          "\(source): skipped \(names.count) connection\(names.count == 1 ? "" : "s") (\(reason)): \(names.joined(separator: ", "))"
        )
      }
    }
    if let audit = inventory.audit { ImportReportPrinter.audit(audit, file: source) }
    for remedy in inventory.remedies {
      switch remedy {
      case .remminaPref:
        Diagnostics.note(
          "hint: give --remmina-pref ~/.config/remmina/remmina.pref to import its password")
      case .storeClearPassword:
        Diagnostics.note("hint: --store-clear-password stores a password written in the clear")
      case .exportWithKeePassXC:
        Diagnostics.note("hint: import the .kdbx itself, or keepassxc-cli export --format xml")
      }
    }
    // One file, many VMs: each warning says which.
    for index in inventory.items.indices {
      let name = inventory.items[index].name
      inventory.items[index].warnings = inventory.items[index].warnings.map { "\(name): \($0)" }
    }
    return try importInventory(
      inventory.items, passwords: inventory.passwords, from: source, into: vault)
  }

  /// The inventory's VMs with this command's --kind, --user and --tag applied, imported in one
  /// transaction and reported like .rdp files. Returns the names that failed.
  func importInventory(
    _ read: [InventoryItem], passwords: borrowing InventoryPasswords, from source: String,
    into vault: any VaultService
  ) throws -> [String] {
    let items = read.map { vm -> InventoryItem in
      var item = vm
      if let user {
        item.user = user
        item.domain = nil
        // DOMAIN\user or a UPN names a domain account, whatever the file said.
        if user.contains("\\") || user.contains("@") { item.kind = .domain }
      }
      if let kind { item.kind = kind }
      if item.kind == .local { item.sharedCredential = sharedCredential }
      let have = Set(item.tags.map { $0.lowercased() })
      item.tags += tags.filter { !have.contains($0.lowercased()) }
      return item
    }
    guard !items.isEmpty else { return [] }
    let brief = items.count > ImportReportPrinter.detailLimit
    let results = try vault.importInventory(
      items, passwords: passwords,
      consent: ImportConsent(linkExisting: linkExisting, updateExisting: update), dryRun: dryRun,
      progress: ProgressBar.make("importing", enabled: brief))
    var added = 0
    var failed: [String] = []
    for (item, result) in zip(items, results) {
      switch result {
      case .success(let imported):
        added += 1
        if !brief || imported.item.needsAttention || !imported.warnings.isEmpty {
          ImportReportPrinter.rdp(imported, file: source, dryRun: dryRun)
        }
      case .failure(let error):
        Diagnostics.report(error, vm: item.name, in: source)
        failed.append(quoted(item.name))
      }
    }
    if brief {
      Diagnostics.note(
        "\(dryRun ? "would import" : "imported") \(added) of \(items.count) VMs from \(source)\(dryRun ? " (dry run: nothing was written)" : "")"
      )
    }
    if sharedCredential == nil {
      // Only the VMs this import added: one that failed, or that existed, has no new account.
      Self.offerSharedCredential(
        zip(items, results).compactMap { item, result in
          guard case .success(let imported) = result, imported.item.action == .add else {
            return nil
          }
          return item
        })
    }
    return failed
  }

  /// VMs made from one template usually share their admin user and password: when several
  /// local VMs the import added sign in as the same user, say how to keep that password once.
  static func offerSharedCredential(_ items: [InventoryItem]) {
    let local = items.filter { $0.kind == .local && $0.user != nil }
    let byUser = Dictionary(grouping: local) { $0.user!.lowercased() }
    for (_, group) in byUser.sorted(by: { $0.key < $1.key }) where group.count >= 2 {
      Diagnostics.note(
        "hint: \(group.count) VMs sign in as the local user \(group[0].user!); if they come from one template with one password, keep it once: --shared-credential NAME (then rdpvault account passwd template:NAME)"
      )
    }
  }

  /// Runs `az vm list -d -o json` (with the resource group and subscription given, each as
  /// one argument after its option) and returns its output. az's own messages reach stderr.
  func azureVMList() throws -> [UInt8] {
    let environment = ProcessInfo.processInfo.environment
    guard let az = Launcher.findExecutable("az", environment: environment) else {
      throw CLIError(
        "az is not installed",
        hint: "install the Azure CLI, or give the output of az vm list -d -o json as a file")
    }
    var arguments = ["vm", "list", "--show-details", "--output", "json"]
    if let resourceGroup { arguments += ["--resource-group", resourceGroup] }
    if let subscription { arguments += ["--subscription", subscription] }
    Diagnostics.note("running: az \(arguments.joined(separator: " "))")
    let output = try Launcher.output(
      az, arguments: arguments, environment: environment.filter { !$0.key.hasPrefix("RDPVAULT_") },
      limit: AzureInventory.maximumSize)
    guard output.status == 0 else {
      throw CLIError(
        "az vm list failed (exit status \(output.status))",
        hint: "check az login and the subscription")
    }
    return output.bytes
  }

  /// An Azure resource group or subscription given on the command line: never something
  /// `az` could take for an option, never a control character.
  static func checkAzureValue(_ value: String, option: String) throws {
    guard AzureName.isValid(value) else {
      throw ValidationError(
        "\(option) \(quoted(value)) is not an Azure name (letters, digits, '-', '_', '.', '(' and ')', not starting with '-' nor ending with '.')"
      )
    }
  }
}
