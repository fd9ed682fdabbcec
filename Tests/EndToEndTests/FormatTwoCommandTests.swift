import Foundation
import GRDB
import Testing

/// Format 2 through the real binary: the upgrade of a format-1 vault (also when killed
/// midway), and `verify`.
@Suite(.serialized) struct FormatTwoCommandTests {
  static let schema1 = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("VaultKitTests/Fixtures/upgrade/vault-schema1.db").path

  func formatOneBox() throws -> Sandbox {
    let box = Sandbox()
    box.write("schema one passphrase\n", to: box.passphraseFile)
    try FileManager.default.createDirectory(
      atPath: box.root + "/data", withIntermediateDirectories: true,
      attributes: [.posixPermissions: 0o700])
    try FileManager.default.copyItem(atPath: Self.schema1, toPath: box.vault)
    chmod(box.vault, 0o600)
    return box
  }

  func formatVersion(_ box: Sandbox) throws -> Int? {
    let info = box.run(["info", "--json"])
    guard
      let json = try? JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any]
    else {
      Issue.record("info failed (\(info.status)): \(info.stderr)")
      return nil
    }
    return json["format_version"] as? Int
  }

  @Test func aFormatOneVaultUpgradesOnceAndSaysSo() throws {
    let box = try formatOneBox()
    #expect(try formatVersion(box) == 1)
    let first = box.run(["list"])
    #expect(first.status == 0, "\(first.stderr)")
    #expect(
      first.stderr.contains(
        "rdpvault: upgraded \(box.vault) from format 1 to format 2 (one sealed record per row); everything was kept"
      ))
    #expect(first.stdout.contains("web-01") && first.stdout.contains("app-01"))
    #expect(try formatVersion(box) == 2)
    let again = box.run(["list"])
    #expect(!again.stderr.contains("upgraded"))
    #expect(box.run(["password", "web-01"]).stdout == "Local-Pw-1\n")
    let verify = box.run(["verify"])
    #expect(verify.status == 0, "\(verify.stderr)")
    #expect(verify.stdout.hasPrefix("The vault is sound: 2 account_secrets, 2 accounts"))
  }

  /// `kill -9` at many points of the upgrade leaves the old vault or the new one, and
  /// whichever it is opens with everything in it.
  @Test func killedDuringTheUpgradeItLeavesTheOldVaultOrTheNew() throws {
    var outcomes: [Int: Int] = [:]
    for step in 0..<24 {
      let box = try formatOneBox()
      let child = try box.start(["list"])
      usleep(useconds_t(40_000 + step * 12_000))
      kill(-child.processIdentifier, SIGKILL)
      _ = box.finish(child)
      let version = try #require(try formatVersion(box))
      outcomes[version, default: 0] += 1
      #expect([1, 2].contains(version))
      let list = box.run(["list", "--json"])
      #expect(list.status == 0, "after a kill at step \(step): \(list.stderr)")
      #expect(list.stdout.contains("\"web-01\"") && list.stdout.contains("\"app-01\""))
      #expect(box.run(["password", "app-01"]).stdout == "Domain-Pw-2\n")
      #expect(box.run(["verify"]).status == 0)
    }
    #expect(outcomes.values.reduce(0, +) == 24)
  }

  @Test func verifyReportsADeletedRowByTable() throws {
    let box = Sandbox()
    box.initVault()
    for name in ["web-01", "web-02"] {
      #expect(
        box.run(
          [
            "add", name, "--host", "10.0.0.4", "--kind", "local", "--user", "u", "--password-stdin",
          ], stdin: "pw\n"
        ).status == 0)
    }
    let sound = box.run(["verify", "--json"])
    #expect(sound.status == 0)
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(sound.stdout.utf8)) as? [String: Any])
    #expect(report["sound"] as? Bool == true)
    #expect((report["rows"] as? [String: Int])?["profiles"] == 2)
    let queue = try DatabaseQueue(path: box.vault)
    try queue.write {
      try $0.execute(sql: "DELETE FROM profiles WHERE id = (SELECT min(id) FROM profiles)")
    }
    try queue.close()
    let damaged = box.run(["verify"])
    #expect(damaged.status == 1)
    #expect(
      damaged.stderr.contains(
        "rdpvault: error: profiles: the vault is damaged or was tampered with: rows of profiles were deleted, added or rolled back\n"
      ))
    #expect(
      damaged.stderr.contains(
        "rdpvault: error: the vault is damaged or was tampered with (1 problem)\n"))
    let json = box.run(["verify", "--json"])
    #expect(json.status == 1)
    let problems = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(problems["sound"] as? Bool == false)
    #expect((problems["problems"] as? [[String: Any]])?.first?["table"] as? String == "profiles")
    let list = box.run(["list"])
    #expect(list.status == 1)
    #expect(
      list.stderr.hasPrefix(
        "rdpvault: error: the vault is damaged or was tampered with: rows of profiles were deleted")
    )
  }
}
