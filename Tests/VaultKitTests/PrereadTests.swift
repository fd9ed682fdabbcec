import Foundation
import GRDB
import Testing
import VaultCrypto

@testable import VaultKit

/// Whole tables read while the key is derived (`WholeTables`) are used only while they are
/// still the file's rows: a commit by another process, or a write by the command itself,
/// sends the command back to the file.
struct PrereadTests {
  let all: WholeTables = [.profiles, .accounts, .passwords]

  func vaultFile(_ temp: TemporaryDirectory) throws -> String {
    let path = temp.path + "/vault.db"
    let vault = try Vault.create(at: path, passphrase: try secret("pp"), kdf: testKDF)
    try vault.addLocal("web-01", password: "x")
    try vault.addDomain("app-01", user: "CONTOSO\\alice", password: "y")
    return path
  }

  @Test func theRowsReadAheadAreTheOnesListed() throws {
    let temp = TemporaryDirectory()
    let path = try vaultFile(temp)
    let vault = try Vault.open(at: path, passphrase: try secret("pp"), wholeTables: all)
    #expect(vault.preread?.batches.count == 3)
    #expect(try vault.profiles().map(\.profile.name) == ["app-01", "web-01"])
    // Each batch is used once; the next read goes to the file.
    #expect(vault.preread?.batches.keys.contains(.profiles) == false)
    #expect(try vault.profiles().map(\.profile.name) == ["app-01", "web-01"])
  }

  @Test func aCommitByAnotherProcessMakesThemStale() throws {
    let temp = TemporaryDirectory()
    let path = try vaultFile(temp)
    let vault = try Vault.open(at: path, passphrase: try secret("pp"), wholeTables: all)
    let other = try Vault.open(at: path, passphrase: try secret("pp"))
    try other.addLocal("web-02", password: "z")
    try other.removeProfile(named: "app-01")
    // Stale rows would be missing web-02, and their row set would not match the header's.
    #expect(try vault.profiles().map(\.profile.name) == ["web-01", "web-02"])
    #expect(try vault.verify().isSound)
  }

  @Test func theCommandsOwnWriteMakesThemStale() throws {
    let temp = TemporaryDirectory()
    let path = try vaultFile(temp)
    let vault = try Vault.open(at: path, passphrase: try secret("pp"), wholeTables: all)
    try vault.addLocal("web-02", password: "z")
    #expect(try vault.profiles().map(\.profile.name) == ["app-01", "web-01", "web-02"])
  }

  /// Rows read ahead stay within a memory budget (Argon2id holds its own meanwhile); a table
  /// cut short is finished from where it stopped, and the tables after it are read later.
  @Test func aTableBiggerThanTheBudgetIsFinishedLater() throws {
    let temp = TemporaryDirectory()
    let path = try vaultFile(temp)
    let vault = try Vault.open(at: path, passphrase: try secret("pp"))
    for index in 2...6 { try vault.addLocal("web-0\(index)", password: "x") }
    let whole = try #require(Preread.read([.profiles, .accounts], from: vault.writer))
    #expect(whole.batches[.profiles]?.count == 7 && whole.batches[.profiles]?.complete == true)
    #expect(whole.batches[.accounts]?.count == 7 && whole.batches[.accounts]?.complete == true)
    // Every place the budget can cut: before the first row, in the middle, after the last.
    var cuts: Set<Int> = []
    for budget in stride(from: 1, through: 8192, by: 97) {
      let partial = try #require(
        Preread.read([.profiles, .accounts], from: vault.writer, budget: budget))
      let profiles = try #require(partial.batches[.profiles])
      if !profiles.complete {
        cuts.insert(profiles.count)
        #expect(partial.batches[.accounts] == nil, "the tables after a cut are read later")
      }
      vault.preread = partial
      #expect(try vault.writer.read { try partial.isCurrent($0) })
      #expect(
        try vault.profiles().map(\.profile.name) == [
          "app-01", "web-01", "web-02", "web-03", "web-04", "web-05", "web-06",
        ])
      #expect(vault.preread == nil, "every batch was used")
    }
    #expect(cuts.contains(0) && cuts.count >= 3, "\(cuts)")
    #expect(try vault.verify().isSound)
  }

  /// What the budget left is read on another thread once the key is derived (the rest of
  /// the table cut short, in chunks, and the tables after it), while the command opens what
  /// is here: `list --json` opens each chunk as it comes, other commands take the table
  /// whole, and both give the same wherever the budget cut and however big the chunks.
  @Test func theRestIsReadOnAnotherThreadWhereverTheBudgetCut() throws {
    let temp = TemporaryDirectory()
    let path = try vaultFile(temp)
    let vault = try Vault.open(at: path, passphrase: try secret("pp"))
    for index in 2...6 { try vault.addLocal("web-0\(index)", password: "x") }
    let tables = WholeTables([.profiles, .accounts]).tables
    #expect(tables == [.accounts, .profiles], "the accounts, opened first, are read first")
    let expected = try vault.listJSON(matching: ProfileFilter()).bytes
    let names = try vault.profiles().map(\.profile.name)
    var cuts: Set<String> = []
    for budget in stride(from: 1, through: 8192, by: 131) {
      // One row a chunk (a chunk holds at least one), a few, and all of them.
      for chunkBudget in [1, 700, 1 << 20] {
        for listing in [true, false] {
          let partial = try #require(Preread.read(tables, from: vault.writer, budget: budget))
          let cut = tables.first { partial.batches[$0]?.complete != true }
          cuts.insert(cut.map { "\($0.rawValue) at \(partial.batches[$0]?.count ?? -1)" } ?? "none")
          let rest = partial.startRest(of: tables, from: vault.writer, chunkBudget: chunkBudget)
          #expect((rest == nil) == (cut == nil))
          let partTable = cut.flatMap { partial.batches[$0] == nil ? nil : $0 }
          #expect(rest?.table == partTable, "the partial table stays, its rest comes in chunks")
          vault.preread = partial
          vault.restOfPreread = rest
          if listing {
            #expect(
              try vault.listJSON(matching: ProfileFilter()).bytes == expected,
              "budget \(budget), chunks of \(chunkBudget)")
            #expect(vault.restOfPreread == nil && vault.preread == nil, "every batch was used")
          } else {
            #expect(try vault.profiles().map(\.profile.name) == names, "budget \(budget)")
            #expect(try vault.verify().isSound)
          }
        }
      }
    }
    #expect(cuts.contains("accounts at 0") && cuts.contains("none"), "\(cuts)")
    #expect(cuts.contains { $0.hasPrefix("profiles at") }, "\(cuts)")
  }

  /// The rest of the rows read ahead is dropped when another process committed before it
  /// was read, and so is what was opened early: the listing is the file's.
  @Test func aCommitBeforeTheRestIsReadMakesEverythingStale() throws {
    let temp = TemporaryDirectory()
    let path = try vaultFile(temp)
    let vault = try Vault.open(at: path, passphrase: try secret("pp"))
    let tables = WholeTables([.profiles, .accounts]).tables
    // The accounts whole, the profiles cut short.
    var budget = 1
    var partial = try #require(Preread.read(tables, from: vault.writer, budget: budget))
    while partial.batches[.accounts]?.complete != true || partial.batches[.profiles] == nil {
      budget += 16
      partial = try #require(Preread.read(tables, from: vault.writer, budget: budget))
    }
    #expect(partial.batches[.profiles]?.complete == false)
    let other = try Vault.open(at: path, passphrase: try secret("pp"))
    try other.addDomain("db-01", user: "FABRIKAM\\bob", password: "z")
    try other.removeProfile(named: "app-01")
    vault.preread = partial
    vault.restOfPreread = vault.preread?.startRest(of: tables, from: vault.writer)
    let listed = try vault.listJSON(matching: ProfileFilter()).bytes
    #expect(listed == (try other.listJSON(matching: ProfileFilter()).bytes))
    let text = String(decoding: listed, as: UTF8.self)
    #expect(text.contains("FABRIKAM") && !text.contains("app-01"))
  }

  /// A whole table asked for inside a transaction while the rest is still being read is
  /// read from the file: waiting there would wait for a read that waits for it.
  @Test func aWholeTableInsideATransactionNeverWaitsForTheRest() throws {
    let temp = TemporaryDirectory()
    let path = try vaultFile(temp)
    let vault = try Vault.open(at: path, passphrase: try secret("pp"))
    let tables = WholeTables([.profiles, .accounts]).tables
    let partial = try #require(Preread.read(tables, from: vault.writer, budget: 1))
    vault.restOfPreread = partial.startRest(of: tables, from: vault.writer)
    vault.preread = partial
    #expect(vault.restOfPreread != nil)
    let rows = try vault.writer.read { try vault.wholeTable($0, .profiles).count }
    #expect(rows == 2)
    #expect(try vault.profiles().map(\.profile.name) == ["app-01", "web-01"])
  }

  @Test func aWrongPassphraseStillFailsAsSuch() throws {
    let temp = TemporaryDirectory()
    let path = try vaultFile(temp)
    #expect(throws: VaultError.wrongPassphrase) {
      try Vault.open(at: path, passphrase: try secret("wrong"), wholeTables: all)
    }
  }
}
