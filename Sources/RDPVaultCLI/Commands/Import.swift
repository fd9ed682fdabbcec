import ArgumentParser
import Foundation
import VaultCrypto
import VaultKit

#if canImport(Glibc)
  import Glibc
#endif

extension RDPVault {
  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "import",
      abstract:
        "Add VMs from .rdp files, a teammate's bundle, Azure's VM list, a CSV file, or mRemoteNG, RDCMan, KeePass and Remmina.",
      discussion: """
        Reads UTF-16LE (with a byte-order mark) and UTF-8 files, with any line ending. A \
        non-empty alternate full address is the host, as in mstsc. Modelled properties become \
        settings; a gateway is kept but unapproved (connect will not use it until you approve \
        it). Other lines are kept verbatim, except those that decide where or as whom the \
        client connects (password lines, gateway settings rdpvault does not model, kdcproxyname) \
        and names that are not a letter and then letters, digits, spaces or _ . - (FreeRDP 3 \
        reads a line that starts with / as its own option), which are dropped with a warning. \
        A saved `password 51:b:` is dropped: Windows \
        encrypts it for one user on one machine. A password saved in the clear is never kept \
        as a line; it is stored as the account's password only with --store-clear-password \
        or a yes on the terminal. A username:s: of PREFIX\\user is a local account when PREFIX \
        is the --computer-name given or, without one, the VM's name or the first label of its \
        host name; otherwise a domain account, which the import points out (--kind \
        overrides). A file that fails adds nothing; the other files still import.

        A bundle (told apart by its content) is checked completely first: signature, sender, \
        recipient, every chunk, every value, replay and rollback. Then it is applied in one \
        transaction. A pre-connect command that comes in a bundle is stored unapproved: \
        connect will not run it until you approve it (rdpvault hook approve NAME).

        A VM whose sign-in name matches an account you already store is linked to that \
        account (and so to its password) only with --link-existing or a yes on the terminal; \
        otherwise it gets an account of its own. --dry-run shows everything and writes nothing.

        Azure: the output of `az vm list -d -o json` (or `az vm show -d`, or the REST list), or \
        --run-az to run az itself (--resource-group, --subscription). One VM per Windows VM: \
        name, host (--address), osProfile.computerName, osProfile.adminUsername as a local \
        account without a password, resource group and subscription, Azure tags as KEY:VALUE. \
        A deallocated or stopped VM gets a warning. --update gives VMs that exist their new \
        address and changes nothing else (a dynamic public IP changes after deallocation).

        CSV: a header of name,host,port,kind,user,domain,computer_name,tags,resource_group, \
        subscription,note in any order (name, host and user required; tags separated by ;), \
        as list --format csv writes it. Passwords are not read from a spreadsheet.

        Other tools: mRemoteNG's confCons.xml, RDCMan's .rdg, KeePass XML or .kdbx (through \
        keepassxc-cli), Remmina's .remmina (--remmina-pref decrypts their passwords). Each RDP \
        connection with a host becomes a VM with its password; a file password is asked on the \
        terminal or read from --source-password-file. A file whose protection was weak (the \
        mRemoteNG built-in key, Remmina's key beside the data, clear text) is reported with the \
        accounts whose passwords to change.
        """)

    @OptionGroup var options: VaultOptions
    @Argument(
      help:
        "The files to import (.rdp, bundles, Azure or CSV lists, other tools' files), or directories of .rdp, .rdpw and .remmina files."
    )
    var files: [String] = []
    @Option(help: "The VM's name (one file only; default: the file name).") var name: String?
    @Option(help: "Override the inferred account kind.") var kind: AccountKind?
    @Option(name: .customLong("tag"), help: "Tag every imported VM (repeatable).") var tags:
      [String] = []
    @Option(
      help:
        "The user of every VM imported, in place of the files' own (Azure's .rdp downloads name none)."
    )
    var user: String?
    @Option(help: "The VM's Windows computer name.") var computerName: String?
    @Flag(help: "Bundles: pin an unknown sender (check the fingerprint it prints).") var trust =
      false
    @Option(help: "Bundles: skip, replace or rename VMs whose names are taken.")
    var onConflict: ConflictPolicy = .skip
    @Flag(help: "Link VMs to stored accounts of the same sign-in name (and their passwords).")
    var linkExisting = false
    @Flag(help: ".rdp files: store a password saved in the clear as the account's password.")
    var storeClearPassword = false
    @Flag(
      help:
        "VMs that exist: an .rdp file refreshes their host, port and settings; a list (Azure, CSV, other tools) their host and port. Accounts and passwords stay."
    )
    var update = false
    @Flag(help: "Show what would be imported, and write nothing.") var dryRun = false
    @Option(help: "What the files are (default: told from their content).") var from: ImportFormat?
    @Option(
      help: "Azure: the address that becomes the host (auto: public, else private, else FQDN).")
    var address: AzureAddress = .auto
    @Flag(help: "Azure: run az vm list -d -o json instead of reading a file.") var runAz = false
    @Option(help: "With --run-az: only this resource group.") var resourceGroup: String?
    @Option(help: "With --run-az: this subscription.") var subscription: String?
    @Option(
      help: ArgumentHelp(
        "mRemoteNG and KeePass: a file holding the password that protects the imported file (default: asked on the terminal).",
        valueName: "file"))
    var sourcePasswordFile: String?
    @Option(
      help: ArgumentHelp(
        "Remmina: the remmina.pref whose secret decrypts the profiles' passwords.",
        valueName: "file"))
    var remminaPref: String?
    @Option(
      help: ArgumentHelp(
        "Inventories and other tools: new local VMs share one password as this template credential (each signs in as its own COMPUTER\\user).",
        valueName: "name"))
    var sharedCredential: String?

    /// Files larger than this are neither .rdp files nor bundles this tool wrote.
    static let maximumFileSize = 512 << 20

    func validate() throws {
      if runAz {
        if !files.isEmpty { throw ValidationError("--run-az reads from az: give no FILE") }
        if let from, from != .azure { throw ValidationError("--run-az goes with --from azure") }
      } else if resourceGroup != nil || subscription != nil {
        throw ValidationError("--resource-group and --subscription go with --run-az")
      }
      if let resourceGroup { try Self.checkAzureValue(resourceGroup, option: "--resource-group") }
      if let subscription { try Self.checkAzureValue(subscription, option: "--subscription") }
      if files.isEmpty && !runAz { throw ValidationError("missing FILE") }
      if name != nil && files.count > 1 { throw ValidationError("--name goes with a single file") }
    }

    /// The files named, with each directory replaced by its .rdp and .rdpw files, sorted: a
    /// folder of 10,000 files is one argument rather than 10,000.
    static func expand(_ arguments: [String]) throws -> [String] {
      try arguments.flatMap { argument -> [String] in
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory),
          isDirectory.boolValue
        else {
          return [argument]
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: argument)
          .filter { name in
            [".rdp", ".rdpw", ".remmina"].contains { name.lowercased().hasSuffix($0) }
          }
          .sorted()
        if names.isEmpty { throw CLIError("\(argument) holds no .rdp, .rdpw or .remmina file") }
        return names.map { (argument.hasSuffix("/") ? argument : argument + "/") + $0 }
      }
    }

    func run() throws {
      // The values typed are checked before the vault is opened: a mistake is a usage error.
      try UsageError.check {
        if let name { try Validation.profileName(name) }
        for tag in tags { try Validation.tag(tag) }
        if let computerName { try Validation.computerName(computerName) }
        if let user { _ = try AccountName.parse(user: user, domain: nil) }
        if let sharedCredential { try Validation.templateName(sharedCredential) }
      }
      let vault = try options.openVault()
      if runAz {
        let failed = try importAzure(try azureVMList(), from: "az vm list", into: vault)
        if !failed.isEmpty {
          throw CLIError(
            "\(failed.count) VM\(failed.count == 1 ? "" : "s") failed: \(failed.joined(separator: ", "))"
          )
        }
        return
      }
      let files = try Self.expand(self.files)
      var failed: [String] = []
      // Questions only for a handful of files on a terminal; a bulk import does the safe thing
      // and lists what it kept apart, with the flag that links it.
      let interactive = !dryRun && files.count <= 20 && Terminal.isAvailable
      var batch: [(name: String, bytes: [UInt8])] = []
      // The files' bytes may hold a clear-text password: wiped in place once imported.
      defer {
        for index in batch.indices {
          batch[index].bytes.withUnsafeMutableBytes {
            _ = $0.initializeMemory(as: UInt8.self, repeating: 0)
          }
        }
      }
      for file in files {
        do {
          var bytes = try Self.read(file)
          // Another tool's file may hold passwords in the clear: wiped once read (a copy
          // kept for the batch below is wiped there).
          defer {
            bytes.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
          }
          if from == .azure || (from == nil && AzureInventory.looksLikeAzure(bytes)) {
            let names = try importAzure(bytes, from: file, into: vault)
            if !names.isEmpty { failed.append("\(file) (\(names.joined(separator: ", ")))") }
          } else if from == .mremoteng || (from == nil && MRemoteNGFile.looksLikeMRemoteNG(bytes)) {
            let names = try importMRemoteNG(bytes, from: file, into: vault)
            if !names.isEmpty { failed.append("\(file) (\(names.joined(separator: ", ")))") }
          } else if from == .keepass
            || (from == nil
              && (KeePassFile.isKDBX(bytes) || KeePassFile.looksLikeKeePassXML(bytes)))
          {
            let names = try importKeePass(bytes, from: file, into: vault)
            if !names.isEmpty { failed.append("\(file) (\(names.joined(separator: ", ")))") }
          } else if from == .remmina || (from == nil && RemminaFile.looksLikeRemmina(bytes)) {
            let names = try importRemmina(bytes, from: file, into: vault)
            if !names.isEmpty { failed.append("\(file) (\(names.joined(separator: ", ")))") }
          } else if from == .rdcman || (from == nil && RDCManFile.looksLikeRDCMan(bytes)) {
            let names = try importRDCMan(bytes, from: file, into: vault)
            if !names.isEmpty { failed.append("\(file) (\(names.joined(separator: ", ")))") }
          } else if from == .csv || (from == nil && CSVInventory.looksLikeCSV(bytes)) {
            let names = try importCSV(bytes, from: file, into: vault)
            if !names.isEmpty { failed.append("\(file) (\(names.joined(separator: ", ")))") }
          } else if from == .bundle && !ImportSource.isBundle(bytes) {
            throw CLIError("\(file) is not a bundle")
          } else if ImportSource.isBundle(bytes) {
            try importBundle(bytes, from: file, into: vault, interactive: interactive)
          } else if interactive || name != nil {
            defer { for index in bytes.indices { bytes[index] = 0 } }
            let result = try importRDP(&bytes, from: file, into: vault, interactive: interactive)
            ImportReportPrinter.rdp(result, file: file, dryRun: dryRun)
          } else {
            batch.append((file, bytes))
          }
        } catch {
          _ = Diagnostics.report(error)
          failed.append(file)
        }
      }
      if !batch.isEmpty {
        let results = try vault.importRDPFiles(
          batch, kind: kind, tags: tags, user: user, computerName: computerName,
          consent: ImportConsent(
            linkExisting: linkExisting, storeClearTextPasswords: storeClearPassword,
            updateExisting: update), dryRun: dryRun,
          progress: ProgressBar.make(
            "importing", enabled: batch.count > ImportReportPrinter.detailLimit))
        let quiet = batch.count > ImportReportPrinter.detailLimit
        var added = 0
        var guessed = 0
        for (file, result) in zip(batch.map(\.name), results) {
          switch result {
          case .success(let imported):
            added += 1
            if imported.guessedDomain != nil && imported.item.action == .add { guessed += 1 }
            if !quiet || imported.item.needsAttention {
              ImportReportPrinter.rdp(imported, file: file, dryRun: dryRun)
            }
          case .failure(let error):
            _ = Diagnostics.report(error)
            failed.append(file)
          }
        }
        if quiet {
          Diagnostics.note(
            "\(dryRun ? "would import" : "imported") \(added) of \(batch.count) .rdp files\(dryRun ? " (dry run: nothing was written)" : "")"
          )
          if guessed > 0 {
            Diagnostics.note(
              "\(guessed) of them sign in as PREFIX\\user with a PREFIX taken as a domain, \(ImportReportPrinter.guessedDomainReason); "
                + "if those are the VMs' own computer names, "
                + (dryRun
                  ? "import them with --kind local"
                  : "remove them and import them again with --kind local"))
          }
        }
      }
      if !failed.isEmpty {
        throw CLIError(
          "\(failed.count) of \(files.count) file\(files.count == 1 ? "" : "s") failed: \(failed.joined(separator: ", "))"
        )
      }
    }

    /// Reads a whole file with read(2), so a clear-text password in it lies only in a buffer
    /// that is wiped after the import.
    static func read(_ path: String) throws -> [UInt8] {
      let fd = open(path, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else {
        throw CLIError("cannot read \(path): \(String(cString: strerror(errno)))")
      }
      defer { close(fd) }
      var info = stat()
      guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
        throw CLIError("\(path) is not a regular file")
      }
      guard info.st_size <= maximumFileSize else {
        throw CLIError(
          "\(path) is larger than \(maximumFileSize >> 20) MiB: not an .rdp file or a bundle")
      }
      var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
      var offset = 0
      while offset < bytes.count {
        let n = bytes.withUnsafeMutableBytes {
          Glibc.read(fd, $0.baseAddress! + offset, $0.count - offset)
        }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        offset += n
      }
      // A file that shrank while read: drop the tail in place (no second, unwiped copy).
      if offset < bytes.count { bytes.removeLast(bytes.count - offset) }
      return bytes
    }

    func importRDP(
      _ bytes: inout [UInt8], from file: String, into vault: any VaultService, interactive: Bool
    ) throws -> RDPImport {
      do {
        return try importRDP(
          &bytes, from: file, into: vault, interactive: interactive, computerName: computerName)
      } catch VaultError.computerNameNeeded(_, let user) where interactive {
        // Asked, never invented: the file names the user, not the machine.
        let answer = try Prompt.ask(
          "\(file) names the local user \(user) but not the computer. Its Windows computer name (. for the VM itself): ",
          hint: "pass --computer-name")
        guard !answer.isEmpty else {
          throw CLIError("no computer name given; nothing was imported from \(file)")
        }
        return try importRDP(
          &bytes, from: file, into: vault, interactive: interactive, computerName: answer)
      }
    }

    func importRDP(
      _ bytes: inout [UInt8], from file: String, into vault: any VaultService, interactive: Bool,
      computerName: String?
    ) throws -> RDPImport {
      var consent = ImportConsent(
        linkExisting: linkExisting, storeClearTextPasswords: storeClearPassword,
        updateExisting: update)
      func attempt(_ dry: Bool, _ bytes: inout [UInt8]) throws -> RDPImport {
        var copy = bytes
        defer { for index in copy.indices { copy[index] = 0 } }
        return try vault.importRDPFile(
          &copy, fileName: file, name: name, kind: kind, tags: tags, user: user,
          computerName: computerName,
          consent: consent, dryRun: dry)
      }
      // Ask on a terminal about what needs consent, after showing it; without one, do the safe thing.
      if interactive, !(linkExisting && storeClearPassword) {
        let preview = try attempt(true, &bytes)
        if preview.item.link == .keptApart {
          ImportReportPrinter.rdp(preview, file: file, dryRun: true)
          consent.linkExisting = try Prompt.confirm(
            "Link \(preview.item.name) (\(preview.item.host):\(preview.item.port)) to your stored account "
              + "\(preview.item.signInName), so connect hands it that password?",
            hint: "pass --link-existing")
        }
        let links =
          [.linked, .sharedWithoutPassword].contains(preview.item.link)
          || (preview.item.link == .keptApart && consent.linkExisting)
        if preview.hadClearTextPassword && !storeClearPassword && !links {
          consent.storeClearTextPasswords = try Prompt.confirm(
            "\(file) held a password in the clear. Store it as the password of \(preview.item.signInName)?",
            hint: "pass --store-clear-password")
        }
      }
      return try attempt(dryRun, &bytes)
    }

    func importBundle(
      _ bytes: [UInt8], from file: String, into vault: any VaultService, interactive: Bool
    ) throws {
      var link = linkExisting
      if interactive && !linkExisting {
        let preview = try vault.importBundle(
          bytes, trust: trust, onConflict: onConflict, linkExisting: false, dryRun: true)
        let matches = preview.matchingStoredAccounts
        if !matches.isEmpty {
          Diagnostics.note(
            "these VMs from \(file) sign in with names of accounts you already store:")
          for item in matches { ImportReportPrinter.item(item, dryRun: true, from: nil) }
          link = try Prompt.confirm(
            "Link them to your stored accounts, so connect hands those hosts your stored passwords?",
            hint: "pass --link-existing")
        }
      }
      let report = try vault.importBundle(
        bytes, trust: trust, onConflict: onConflict, linkExisting: link, dryRun: dryRun)
      ImportReportPrinter.bundle(report, file: file)
    }
  }
}
