import Foundation
import GRDB
import Testing
import VaultCrypto

@testable import VaultKit

/// Export and import between in-memory vaults: round trips, and every way a bundle must be
/// refused, each leaving the importing vault exactly as it was.
struct SharingTests {
  struct Team {
    let alice: Vault
    let bob: Vault
    let carol: Vault
    let bobQueue: DatabaseQueue
  }

  static func team() throws -> Team {
    let (alice, _) = try memoryVault()
    let (bob, bobQueue) = try memoryVault()
    let (carol, _) = try memoryVault()
    try alice.addTeammate(name: "bob", identity: try bob.identity())
    try alice.addTeammate(name: "carol", identity: try carol.identity())
    try bob.addTeammate(name: "alice", identity: try alice.identity())
    try carol.addTeammate(name: "alice", identity: try alice.identity())
    return Team(alice: alice, bob: bob, carol: carol, bobQueue: bobQueue)
  }

  static func populate(_ vault: Vault) throws {
    var web = Profile(
      name: "web-01", host: "canary-host.example.net", port: 3390, computerName: "WEB-01",
      kind: .local,
      resourceGroup: "rg-canary", subscription: "sub", tags: ["prod"], note: "canary note")
    try web.settings.set("desktopwidth", "1920")
    try web.settings.addExtraLine("smart sizing:i:1")
    try web.settings.set("cert-sha256", String(repeating: "ab", count: 32))
    try vault.addProfile(
      web, account: try AccountName.parse(user: "CanaryUser", domain: nil),
      password: try secret("Canary-Pw 1 \"é\""))
    try vault.addDomain("app-01", user: "CONTOSO\\alice", admin: true, password: "Shared-Canary-Pw")
    try vault.addDomain("dc-01", kind: .dc, user: "CONTOSO\\alice", password: nil)
  }

  /// Every row of every table, the header (and its row-set digests) included: a command that
  /// failed must leave all of it unchanged.
  static func snapshot(_ queue: DatabaseQueue) throws -> [String: [Row]] {
    try queue.read { db in
      var tables: [String: [Row]] = [:]
      for table in [
        "profiles", "accounts", "account_secrets", "teammates", "seen_bundles", "sender_sequences",
        "identity", "vault_header",
      ] {
        tables[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid")
      }
      return tables
    }
  }

  @Test func aRoundTripToTwoTeammatesKeepsEverything() throws {
    let team = try Self.team()
    try Self.populate(team.alice)
    let bundle = try team.alice.exportBundle(
      names: [], all: true, tag: nil, to: ["bob", "carol"], includeSecrets: true)
    for receiver in [team.bob, team.carol] {
      let report = try receiver.importBundle(bundle, trust: false, onConflict: .skip)
      #expect(report.added == ["app-01", "dc-01", "web-01"])
      // Everything arrives; the sender's domain account is kept apart from any the receiver
      // adds later (it links by name only in the vault that made it).
      let received = try receiver.profiles(withSettings: true)
      #expect(
        received.map {
          $0.account.scope == .domain ? !$0.account.linksByName : $0.account.linksByName
        } == [true, true, true])
      #expect(
        received.map { entry -> ProfileEntry in
          var copy = entry
          copy.account.linksByName = true
          return copy
        } == (try team.alice.profiles(withSettings: true)))
      for name in ["web-01", "app-01", "dc-01"] {
        #expect(
          text(of: try receiver.password(forProfile: name))
            == text(of: try team.alice.password(forProfile: name)))
      }
      #expect(try receiver.accounts().count == 2, "the shared domain account stays one account")
    }
  }

  @Test func withoutSecretsNoPasswordTravels() throws {
    let team = try Self.team()
    try Self.populate(team.alice)
    let bundle = try team.alice.exportBundle(
      names: ["web-01", "app-01"], all: false, tag: nil, to: ["bob"], includeSecrets: false)
    let report = try team.bob.importBundle(bundle, trust: false, onConflict: .skip)
    #expect(report.withoutPassword == ["app-01", "web-01"])
    #expect(throws: VaultError.noPassword(account: "WEB-01\\CanaryUser", profile: "web-01")) {
      _ = try team.bob.password(forProfile: "web-01")
    }
    try team.bob.setAccountPassword("CONTOSO\\alice", password: try secret("bob's own"))
    #expect(text(of: try team.bob.password(forProfile: "app-01")) == "bob's own")
  }

  @Test func noPlaintextInTheBundle() throws {
    let team = try Self.team()
    try Self.populate(team.alice)
    let bundle = try team.alice.exportBundle(
      names: [], all: true, tag: nil, to: ["bob"], includeSecrets: true)
    for canary in [
      "canary-host", "CanaryUser", "Canary-Pw", "Shared-Canary-Pw", "web-01", "app-01", "CONTOSO",
      "rg-canary", "canary note", "1920",
    ] {
      #expect(!contains(bundle, Array(canary.utf8)), "\(canary)")
      #expect(!contains(bundle, Array(canary.utf8).flatMap { [$0, 0] }), "\(canary) (UTF-16)")
    }
  }

  /// A bundle small enough to try every byte: flipping any one, or cutting it anywhere, is
  /// refused, and the importing vault does not change.
  @Test func everyFlippedByteAndEveryTruncationIsRefused() throws {
    let team = try Self.team()
    try team.alice.addLocal("vm", password: "pw")
    let bundle = try team.alice.exportBundle(
      names: ["vm"], all: false, tag: nil, to: ["bob"], includeSecrets: true)
    let before = try Self.snapshot(team.bobQueue)
    var accepted: [Int] = []
    for offset in bundle.indices {
      for mask: UInt8 in [0x01, 0x80] {
        var altered = bundle
        altered[offset] ^= mask
        if (try? team.bob.importBundle(altered, trust: true, onConflict: .replace)) != nil {
          accepted.append(offset)
        }
      }
    }
    #expect(accepted.isEmpty, "flips accepted at \(accepted)")
    var truncations: [Int] = []
    for length in 0..<bundle.count {
      if (try? team.bob.importBundle(
        Array(bundle.prefix(length)), trust: true, onConflict: .replace)) != nil
      {
        truncations.append(length)
      }
    }
    #expect(truncations.isEmpty)
    #expect(try Self.snapshot(team.bobQueue) == before)
    // The untouched bundle still imports.
    #expect(try team.bob.importBundle(bundle, trust: false, onConflict: .skip).added == ["vm"])
  }

  @Test func eachFailureHasItsOwnError() throws {
    let team = try Self.team()
    try team.alice.addLocal("vm", password: "pw")
    let forBob = try team.alice.exportBundle(
      names: ["vm"], all: false, tag: nil, to: ["bob"], includeSecrets: true)
    let before = try Self.snapshot(team.bobQueue)

    #expect(throws: VaultError.bundleNotForUs) {
      try team.carol.importBundle(forBob, trust: false, onConflict: .skip)
    }
    #expect(throws: VaultError.bundleTrailingData(bytes: 3)) {
      try team.bob.importBundle(forBob + [1, 2, 3], trust: false, onConflict: .skip)
    }
    var version4 = forBob
    version4[8] = 4
    #expect(throws: VaultError.bundleUnsupportedVersion(4)) {
      try team.bob.importBundle(version4, trust: false, onConflict: .skip)
    }
    #expect(throws: VaultError.bundleTruncated) {
      try team.bob.importBundle(Array(forBob.dropLast(1)), trust: false, onConflict: .skip)
    }
    var badSignature = forBob
    badSignature[badSignature.count - 1] ^= 1
    #expect(throws: VaultError.bundleBadSignature) {
      try team.bob.importBundle(badSignature, trust: false, onConflict: .skip)
    }
    #expect(throws: VaultError.bundleMalformed(reason: "it does not start with RDPVBNDL")) {
      try team.bob.importBundle(Array("full address:s:x".utf8), trust: false, onConflict: .skip)
    }
    // A stranger's bundle: unknown sender, unless --trust.
    let (stranger, _) = try memoryVault()
    try stranger.addTeammate(name: "bob", identity: try team.bob.identity())
    try stranger.addLocal("other", password: "x")
    let fromStranger = try stranger.exportBundle(
      names: ["other"], all: false, tag: nil, to: ["bob"], includeSecrets: true)
    #expect(
      throws: VaultError.bundleUnknownSender(fingerprint: try stranger.identity().fingerprint)
    ) {
      try team.bob.importBundle(fromStranger, trust: false, onConflict: .skip)
    }
    #expect(try Self.snapshot(team.bobQueue) == before)
    let trusted = try team.bob.importBundle(fromStranger, trust: true, onConflict: .skip)
    #expect(trusted.pinnedAs == "sender-" + String(try stranger.identity().fingerprint.prefix(4)))
    #expect(try team.bob.teammates().map(\.name).contains(trusted.pinnedAs!))
  }

  /// The recipient list is signed: reordering, removing or adding a recipient breaks it.
  @Test func recipientsCannotBeChanged() throws {
    let team = try Self.team()
    try team.alice.addLocal("vm", password: "pw")
    let bundle = try team.alice.exportBundle(
      names: ["vm"], all: false, tag: nil, to: ["bob", "carol"], includeSecrets: true)
    let parsed = try BundleFormat.parse(bundle)
    func rebuilt(_ recipients: [BundleFormat.Recipient]) -> [UInt8] {
      var header = parsed.header
      header.recipients = recipients
      let headerBytes = header.encoded()
      var out =
        BundleFormat.magic + [BundleFormat.version] + be(UInt32(headerBytes.count)) + headerBytes
        + parsed.streamHeader
      for chunk in parsed.chunks { out += be(UInt32(chunk.count)) + chunk }
      return out + parsed.signature
    }
    let recipients = parsed.header.recipients
    #expect(rebuilt(recipients) == bundle, "the rebuild itself is faithful")
    let (mallory, _) = try memoryVault()
    let extra = BundleFormat.Recipient(
      boxKey: try mallory.identity().boxKey, sealedFileKey: recipients[0].sealedFileKey)
    for variant in [Array(recipients.reversed()), [recipients[0]], recipients + [extra]] {
      #expect(throws: VaultError.bundleBadSignature) {
        try team.bob.importBundle(rebuilt(variant), trust: false, onConflict: .skip)
      }
    }
  }

  @Test func replayedAndOlderBundlesAreRefused() throws {
    let team = try Self.team()
    try team.alice.addLocal("vm", password: "pw")
    let first = try team.alice.exportBundle(
      names: ["vm"], all: false, tag: nil, to: ["bob"], includeSecrets: true)
    let second = try team.alice.exportBundle(
      names: ["vm"], all: false, tag: nil, to: ["bob"], includeSecrets: true)
    #expect(
      try BundleFormat.parse(first).header.sequence + 1
        == (try BundleFormat.parse(second).header.sequence))
    _ = try team.bob.importBundle(second, trust: false, onConflict: .skip)
    #expect(throws: VaultError.bundleReplayed) {
      try team.bob.importBundle(second, trust: false, onConflict: .skip)
    }
    #expect(throws: VaultError.bundleRolledBack(sequence: 1, last: 2)) {
      try team.bob.importBundle(first, trust: false, onConflict: .skip)
    }
  }

  @Test func conflictsFollowThePolicy() throws {
    let team = try Self.team()
    try team.alice.addLocal("vm", host: "10.1.1.1", password: "alice's")
    try team.bob.addLocal("vm", host: "10.2.2.2", password: "bob's")
    let export = {
      try team.alice.exportBundle(
        names: ["vm"], all: false, tag: nil, to: ["bob"], includeSecrets: true)
    }
    #expect(
      try team.bob.importBundle(try export(), trust: false, onConflict: .skip).skipped == ["vm"])
    #expect(try team.bob.profile(named: "vm").profile.host == "10.2.2.2")
    let renamed = try team.bob.importBundle(try export(), trust: false, onConflict: .rename)
    #expect(renamed.renamed.map(\.1) == ["vm-2"])
    #expect(
      try team.bob.importBundle(try export(), trust: false, onConflict: .replace).replaced == ["vm"]
    )
    #expect(try team.bob.profile(named: "vm").profile.host == "10.1.1.1")
    #expect(text(of: try team.bob.password(forProfile: "vm")) == "alice's")
  }

  /// New rows of an import are sealed together, so the import's own reads must see the rows
  /// still waiting: a VM renamed onto a name later in the bundle makes that one a conflict too, and many
  /// VMs of one account (sealed on every core) keep their link and its password.
  @Test func aBigImportSeesItsOwnNewRows() throws {
    let team = try Self.team()
    try team.alice.addLocal("vm", host: "10.1.1.1", password: "alice's vm")
    try team.alice.addLocal("vm-2", host: "10.1.1.2", password: "alice's vm-2")
    for index in 0..<700 {
      try team.alice.addDomain(
        "app-\(index)", user: "CONTOSO\\ops", password: index == 0 ? "Shared-Pw" : nil)
    }
    try team.bob.addLocal("vm", host: "10.2.2.2", password: "bob's")
    let bundle = try team.alice.exportBundle(
      names: [], all: true, tag: nil, to: ["bob"], includeSecrets: true)
    let report = try team.bob.importBundle(bundle, trust: false, onConflict: .rename)
    #expect(report.renamed.map { [$0.0, $0.1] } == [["vm", "vm-2"], ["vm-2", "vm-2-2"]])
    #expect(report.added.count == 700)
    #expect(try team.bob.profile(named: "vm").profile.host == "10.2.2.2")
    #expect(try team.bob.profile(named: "vm-2").profile.host == "10.1.1.1")
    #expect(try team.bob.profile(named: "vm-2-2").profile.host == "10.1.1.2")
    #expect(text(of: try team.bob.password(forProfile: "vm-2")) == "alice's vm")
    #expect(text(of: try team.bob.password(forProfile: "vm-2-2")) == "alice's vm-2")
    for name in ["app-0", "app-350", "app-699"] {
      #expect(text(of: try team.bob.password(forProfile: name)) == "Shared-Pw")
    }
    // Bob's vm, alice's two local accounts and the one domain account of all 700.
    #expect(
      try team.bobQueue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM accounts") } == 4)
    #expect(try team.bob.verify().isSound)
  }

  @Test func identitiesRejectTypos() throws {
    let (vault, _) = try memoryVault()
    let identity = try vault.identity()
    #expect(try PublicIdentity(parsing: identity.encoded) == identity)
    #expect(
      try PublicIdentity(
        parsing: identity.encoded.uppercased().replacingOccurrences(of: "RDPV1-", with: "rdpv1-"))
        == identity)
    var typo = Array(identity.encoded)
    typo[20] = typo[20] == "a" ? "b" : "a"
    #expect(
      throws: VaultError.invalidIdentity(
        reason: "the checksum does not match: a character was mistyped")
    ) {
      try PublicIdentity(parsing: String(typo))
    }
    expectVaultError({ _ = try PublicIdentity(parsing: "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgp") }) {
      if case .invalidIdentity = $0 { true } else { false }
    }
    expectVaultError({ _ = try PublicIdentity(parsing: String(identity.encoded.dropLast(2))) }) {
      if case .invalidIdentity = $0 { true } else { false }
    }
    #expect(identity.fingerprint.count == 19)
    #expect(throws: VaultError.invalidIdentity(reason: "that is this vault's own identity")) {
      try vault.addTeammate(name: "me", identity: identity)
    }
  }

  @Test func anIdentityPinnedTwiceIsRefused() throws {
    let team = try Self.team()
    #expect(throws: VaultError.identityAlreadyPinned(name: "bob")) {
      try team.alice.addTeammate(name: "robert", identity: try team.bob.identity())
    }
    #expect(throws: VaultError.teammateExists(name: "BOB")) {
      try team.alice.addTeammate(name: "BOB", identity: try team.carol.identity())
    }
    try team.alice.removeTeammate(name: "bob")
    #expect(throws: VaultError.teammateNotFound(name: "bob")) {
      try team.alice.removeTeammate(name: "bob")
    }
  }

  /// An approval is this vault's own: the sender's approved hook arrives unapproved, and the
  /// bundle is not refused for carrying it.
  @Test func anApprovedHookTravelsUnapproved() throws {
    let team = try Self.team()
    var profile = Profile(name: "jit-01", host: "10.0.0.9", computerName: "JIT-01", kind: .local)
    try profile.settings.set("pre-connect", "az vm start -g rg -n jit-01")
    #expect(profile.settings.approvedPreConnect == "az vm start -g rg -n jit-01")
    try team.alice.addProfile(
      profile, account: try AccountName.parse(user: "u", domain: nil), password: try secret("pw"))
    let bundle = try team.alice.exportBundle(
      names: ["jit-01"], all: false, tag: nil, to: ["bob"], includeSecrets: true)
    let report = try team.bob.importBundle(bundle, trust: false, onConflict: .skip)
    #expect(report.items.map(\.preConnect) == ["az vm start -g rg -n jit-01"])
    let received = try team.bob.profile(named: "jit-01").profile.settings
    #expect(received.options[ConnectOption.preConnect] == "az vm start -g rg -n jit-01")
    #expect(received.approvedPreConnect == nil)
  }

  /// The signature is checked first (SECURITY.md): a damaged bundle says so, whoever it is
  /// for and whoever sent it, before any other check can answer.
  @Test func theSignatureIsCheckedBeforeSenderAndRecipient() throws {
    let team = try Self.team()
    try team.alice.addLocal("vm", password: "pw")
    var bundle = try team.alice.exportBundle(
      names: ["vm"], all: false, tag: nil, to: ["bob"], includeSecrets: true)
    bundle[bundle.count - 1] ^= 0x01
    #expect(throws: VaultError.bundleBadSignature) {
      try team.carol.importBundle(bundle, trust: false, onConflict: .skip)
    }
    let (stranger, _) = try memoryVault()
    #expect(throws: VaultError.bundleBadSignature) {
      try stranger.importBundle(bundle, trust: false, onConflict: .skip)
    }
    #expect(throws: VaultError.bundleBadSignature) {
      try team.bob.importBundle(bundle, trust: false, onConflict: .skip)
    }
  }

  /// Export of every VM makes each record from its stored bytes on every core; by name it
  /// goes through the decoded profile. Both give the same payload, byte for byte: VMs with
  /// approvals, extra lines, non-ASCII notes, an upper-case name, shared and local accounts, one without a
  /// password, and a tag filter (a query in another Unicode form too, as Strings compare).
  @Test func exportOfEveryVMMakesThePayloadThatExportByNameMakes() throws {
    let team = try Self.team()
    try Self.populate(team.alice)
    var jit = Profile(
      name: "Jit-01", host: "jit.example.net", computerName: "JIT", kind: .local,
      tags: ["K8s", "prod"],
      note: "中")
    try jit.settings.set("pre-connect", "az vm start -g rg -n jit")
    try jit.settings.set("desktopwidth", "1280")
    _ = try team.alice.addProfile(
      jit, account: try AccountName.parse(user: "jit", domain: nil), password: try secret("Jit-Pw"))
    _ = try team.alice.addDomain("app-02", user: "CONTOSO\\alice", password: nil)
    _ = try team.alice.addDomain("zz-03", user: "CONTOSO\\bob", password: "Bob-Pw")
    let bob = try team.bob.identity()
    func payload(_ names: [String], all: Bool, tag: String?, secrets: Bool) throws -> [UInt8] {
      let bundle = try team.alice.exportBundle(
        names: names, all: all, tag: tag, to: ["bob"], includeSecrets: secrets)
      let opened = try BundleFormat.open(
        try BundleFormat.parse(bundle), boxKey: bob.boxKey,
        boxSecret: try team.bob.identitySecret(.box))
      return opened.withUnsafeBytes { Array($0) }
    }
    let every = try team.alice.profiles(withSettings: false).map(\.profile)
    for secrets in [true, false] {
      #expect(
        try payload([], all: true, tag: nil, secrets: secrets)
          == payload(every.map(\.name), all: false, tag: nil, secrets: secrets))
      for tag in ["prod", "K8s", "\u{212A}8s", "none-such"] {
        let tagged = every.filter { $0.tags.contains(tag) }.map(\.name)
        if tagged.isEmpty {
          #expect(throws: VaultError.nothingToExport) {
            try payload([], all: false, tag: tag, secrets: secrets)
          }
          continue
        }
        #expect(
          try payload([], all: false, tag: tag, secrets: secrets)
            == payload(tagged, all: false, tag: nil, secrets: secrets), "\(tag)")
      }
    }
  }

  /// A password record that fails to open fails the export that carries it, by name or of
  /// every VM, and the transaction it ran in leaves the vault exactly as it was (no sequence
  /// number taken). An export that does not carry that password never opens it.
  @Test func anExportThatCannotOpenAPasswordLeavesTheVaultAsItWas() throws {
    let (alice, queue) = try memoryVault()
    let (bob, _) = try memoryVault()
    try alice.addTeammate(name: "bob", identity: try bob.identity())
    try Self.populate(alice)
    // The password of the shared CONTOSO\alice account: the one account two VMs (app-01,
    // dc-01) link to. Row ids are random, so it is found by its links.
    try queue.write { db in
      try db.execute(
        sql: """
          UPDATE account_secrets SET record = CAST(substr(record, 1, 30)
            || CASE WHEN substr(record, 31, 1) = x'00' THEN x'01' ELSE x'00' END
            || substr(record, 32) AS BLOB)
          WHERE id = (SELECT account_id FROM profiles GROUP BY account_id HAVING count(*) = 2)
          """)
      #expect(db.changesCount == 1)
    }
    let before = try Self.snapshot(queue)
    for names in [[], ["web-01", "app-01"]] {
      #expect(throws: VaultError.tampered(table: "account_secrets", column: "record")) {
        try alice.exportBundle(
          names: names, all: names.isEmpty, tag: nil, to: ["bob"], includeSecrets: true)
      }
      #expect(try Self.snapshot(queue) == before)
    }
    for (names, tag) in [([String](), "prod"), (["web-01"], nil)] {
      let bundle = try alice.exportBundle(
        names: names, all: false, tag: tag, to: ["bob"], includeSecrets: true)
      #expect(try bob.importBundle(bundle, trust: true, onConflict: .replace).added.count <= 1)
    }
    #expect(text(of: try bob.password(forProfile: "web-01")) == "Canary-Pw 1 \"é\"")
  }

  /// Format 3 is signed with Ed25519ph and format 2 with pure Ed25519; the version byte,
  /// itself signed, decides which check runs. A format-2 bundle still imports; a bundle whose
  /// signature is the other algorithm's, by the right key over the same bytes, is refused.
  @Test func theSignatureAlgorithmGoesWithTheVersion() throws {
    let team = try Self.team()
    let alice = try team.alice.identity()
    let signingKey = try team.alice.identitySecret(.sign)
    func bundle(version: UInt8, sequence: UInt64) throws -> [UInt8] {
      let document = BundlePayload.Document(
        version: 2,
        accounts: [
          BundlePayload.AccountEntry(
            scope: "local", user: "u", domain: "VM-\(sequence)", form: "down-level",
            domainAdmin: false)
        ],
        profiles: [
          BundlePayload.ProfileEntry(
            name: "vm-\(sequence)", host: "vm-\(sequence).example.net", port: 3389,
            computerName: "VM-\(sequence)", kind: "local", resourceGroup: "", subscription: "",
            tags: [], note: "", settings: RDPSettings(), account: 0)
        ])
      let payload = try BundlePayload.encode(
        document, passwordLength: { _ in nil }, writePassword: { _, _ in })
      return try BundleFormat.write(
        payload: payload, senderBox: alice.boxKey, senderSign: alice.signKey,
        signingKey: signingKey, recipients: [try team.bob.identity()], sequence: sequence,
        version: version)
    }
    func resigned(_ bytes: [UInt8], version: UInt8, prehashed: Bool) throws -> [UInt8] {
      var signed = Array(bytes.dropLast(Signing.signatureLength))
      signed[8] = version
      let signature =
        prehashed
        ? try Signing.signPrehashed(signed, secretKey: signingKey)
        : try Signing.sign(signed, secretKey: signingKey)
      return signed + signature
    }
    let three = try bundle(version: 3, sequence: 1)
    let two = try bundle(version: 2, sequence: 2)
    for forged in [
      try resigned(three, version: 3, prehashed: false),
      try resigned(two, version: 3, prehashed: false),
      try resigned(two, version: 2, prehashed: true),
    ] {
      let before = try Self.snapshot(team.bobQueue)
      #expect(throws: VaultError.bundleBadSignature) {
        try team.bob.importBundle(forged, trust: false, onConflict: .skip)
      }
      #expect(try Self.snapshot(team.bobQueue) == before)
    }
    #expect(try team.bob.importBundle(three, trust: false, onConflict: .skip).added == ["vm-1"])
    #expect(try team.bob.importBundle(two, trust: false, onConflict: .skip).added == ["vm-2"])
    // What export writes now is format 3.
    try team.alice.addLocal("vm-9", password: "pw")
    let exported = try team.alice.exportBundle(
      names: ["vm-9"], all: false, tag: nil, to: ["bob"], includeSecrets: true)
    #expect(exported[8] == 3)
  }

  /// Found in review: a sequence number beyond Int64 is refused, not a crash.
  @Test func aSequenceBeyondRangeIsRefused() throws {
    let team = try Self.team()
    let alice = try team.alice.identity()
    let payload = try BundlePayload.encode(
      BundlePayload.Document(version: 1, accounts: [], profiles: []), passwordLength: { _ in nil },
      writePassword: { _, _ in })
    let bytes = try BundleFormat.write(
      payload: payload, senderBox: alice.boxKey, senderSign: alice.signKey,
      signingKey: try team.alice.identitySecret(.sign),
      recipients: [try team.bob.identity()], sequence: UInt64.max)
    #expect(throws: VaultError.bundleMalformed(reason: "sequence number out of range")) {
      try team.bob.importBundle(bytes, trust: false, onConflict: .skip)
    }
  }
}
