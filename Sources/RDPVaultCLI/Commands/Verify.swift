import ArgumentParser
import VaultKit

extension RDPVault {
  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "verify",
      abstract: "Check the whole vault: every record, link and index, and that no row is missing.",
      discussion: """
        Opens every record of every table, checks that each VM links to an account that exists \
        and that each row sits under its own name's index, and compares each table's rows with \
        the digest sealed in the header, so a deleted, added or rolled-back row is found. \
        Exits 0 only for a sound vault. An older copy of the whole file cannot be told apart \
        from the file alone (SECURITY.md).
        """)

    @OptionGroup var options: VaultOptions
    @Flag(help: "Print JSON: rows by table, and each problem's table, row and detail.") var json =
      false

    struct JSONReport: Encodable {
      struct Problem: Encodable {
        var table: String
        var row: Int64?
        var detail: String
      }
      var sound: Bool
      var rows: [String: Int]
      var problems: [Problem]
    }

    func run() throws {
      let report = try options.openVault(wholeTables: [.profiles, .accounts]).verify(
        progress: ProgressBar.make("verifying"))
      if json {
        print(
          try Format.json(
            JSONReport(
              sound: report.isSound, rows: report.rows,
              problems: report.problems.map {
                JSONReport.Problem(table: $0.table, row: $0.rowID, detail: $0.detail)
              })))
      } else {
        for problem in report.problems {
          Diagnostics.error(
            "\(problem.table)\(problem.rowID.map { " row \($0)" } ?? ""): \(problem.detail)")
        }
        if report.isSound {
          let counts = report.rows.keys.sorted().map { "\(report.rows[$0]!) \($0)" }.joined(
            separator: ", ")
          print("The vault is sound: \(counts).")
        }
      }
      if !report.isSound {
        throw CLIError(
          "the vault is damaged or was tampered with (\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s"))",
          hint: "restore the vault from a backup")
      }
    }
  }
}
