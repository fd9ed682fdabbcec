import ArgumentParser
import Foundation
import VaultKit

#if canImport(Glibc)
  import Glibc
#endif

extension RDPVault {
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: "List VMs: name, address, kind, sign-in name and tags.",
      discussion: "No password is decrypted.")

    @OptionGroup var options: VaultOptions
    @Argument(help: "Only names matching this (a substring, or a glob with * and ?).")
    var pattern: String?
    @OptionGroup var filter: FilterOptions
    @Flag(help: "Print a JSON array (fields documented in the README).") var json = false
    @Option(help: "table, json or csv (the columns import reads back).") var format: ListFormat?

    enum ListFormat: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    func validate() throws {
      if json && format != nil && format != .json {
        throw ValidationError("--json and --format \(format!.rawValue) disagree")
      }
    }

    func run() throws {
      let vault = try options.openVault(wholeTables: [.profiles, .accounts])
      let filter = self.filter.filter(name: pattern)
      if json || format == .json {
        // Written by the vault from the records' bytes: at 100,000 VMs, making entries first
        // costs more than opening them.
        Output.writeAll(1, try vault.listJSON(matching: filter))
        return
      }
      // The entries stay where they are (a copy of 100,000 costs a retain per field); the
      // filter and the name order pick indices.
      let (all, sorted) = try vault.profilesUnsorted(withSettings: false)
      let order = filter.isEmpty ? sorted : sorted.filter { filter.matches(all[$0].profile) }
      let entries = order.map { all[$0] }
      if format == .csv {
        print(ProfileCSVWriter.text(entries), terminator: "")
        return
      }
      if entries.isEmpty {
        Diagnostics.note("no VMs\(filter.isEmpty ? "" : " match")")
        return
      }
      print(
        Output.table(
          ["NAME", "ADDRESS", "KIND", "SIGN-IN", "TAGS"],
          entries.map {
            [
              $0.profile.name, Output.address($0.profile), $0.profile.kind.rawValue, $0.signInName,
              $0.profile.tags.joined(separator: ","),
            ]
          }))
    }
  }
}
