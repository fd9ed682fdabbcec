import Foundation
import VaultCrypto
import VaultKit

// rdpvault-bench-fixtures SIZE DIR PASSPHRASE-FILE
//
// Writes into DIR, for SIZE profiles:
//   vault.db      a vault (default KDF preset) with SIZE realistic profiles, made in one
//                 transaction: mixed kinds, half of the VMs on shared domain accounts, tags,
//                 some RDP settings; and 10 pinned teammates, the first of them peer.db
//   peer.db       an empty vault (same preset) that pins vault.db's identity: it imports
//   profiles.json the same profiles as JSON, for age
//   keepass.xml   the same entries (title, host, user name, password) as KeePass 2 XML
//   names.txt     the profile names, one per line
//   rdp/          (up to 10,000 profiles) one .rdp file per VM, as `rdp` writes it, to import
let arguments = CommandLine.arguments
guard arguments.count == 4, let size = Int(arguments[1]), size > 0 else {
  FileHandle.standardError.write(
    Data("usage: rdpvault-bench-fixtures SIZE DIR PASSPHRASE-FILE\n".utf8))
  exit(64)
}
let directory = arguments[2]
let passphraseBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: arguments[3])))
let trimmed = passphraseBytes.last == 0x0A ? Array(passphraseBytes.dropLast()) : passphraseBytes
let passphrase = try SecretBytes(copying: trimmed)
try FileManager.default.createDirectory(
  atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
for file in ["vault.db", "peer.db"] {
  try? FileManager.default.removeItem(atPath: "\(directory)/\(file)")
}

let vault = try Vault.create(at: "\(directory)/vault.db", passphrase: passphrase, kdf: .moderate)
let peer = try Vault.create(at: "\(directory)/peer.db", passphrase: passphrase, kdf: .moderate)
try vault.addTeammate(name: "t1", identity: try peer.identity())
for index in 2...10 {
  let box = try Sealing.keyPair()
  let sign = try Signing.keyPair()
  try vault.addTeammate(
    name: "t\(index)", identity: try PublicIdentity(boxKey: box.publicKey, signKey: sign.publicKey))
}
try peer.addTeammate(name: "exporter", identity: try vault.identity())

var generator = SystemRandomNumberGenerator()
let domains = ["CONTOSO", "FABRIKAM", "NORTHWIND", "ADATUM"]
let sharedAccounts = max(1, size / 100)
var items: [(profile: Profile, account: AccountName, admin: Bool)] = []
var passwords: [String] = []
var json: [[String: Any]] = []
var xml =
  "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<KeePassFile><Root><Group><Name>rdpvault</Name>\n"
var names = ""
for index in 0..<size {
  let name = String(format: "vm-%06d", index)
  let computer = String(format: "VM%06d", index)
  let host =
    index % 3 == 0
    ? "\(name).westeurope.cloudapp.azure.com"
    : "10.\(index / 65536 % 256).\(index / 256 % 256).\(index % 256)"
  let tags = [["prod", "web"], ["dev"], ["prod", "db"], ["test", "jit"]][index % 4]
  var profile = Profile(
    name: name, host: host, port: index % 10 == 0 ? 3390 : 3389, computerName: computer,
    kind: .local,
    resourceGroup: "rg-\(index % 50)", subscription: "sub-\(index % 5)", tags: tags)
  if index % 5 == 0 {
    try profile.settings.set("desktopwidth", "1920")
    try profile.settings.set("desktopheight", "1080")
  }
  if index % 7 == 0 { try profile.settings.set("administrative session", "1") }
  if index % 11 == 0 { try profile.settings.addExtraLine("smart sizing:i:1") }
  let account: AccountName
  var admin = false
  var user = "azureuser"
  var domain = computer
  switch index % 10 {
  case 0..<5:
    // Half the VMs: shared domain accounts, a few hundred VMs each at 100,000.
    let shared = index % sharedAccounts
    domain = domains[shared % domains.count]
    user = "svc-ops\(shared)"
    profile.kind = .domain
    account = AccountName(userName: user, domain: domain, form: .downLevel)
  case 5:
    let shared = index % max(1, sharedAccounts / 10)
    domain = domains[shared % domains.count]
    user = "da-admin\(shared)"
    profile.kind = .dc
    admin = true
    account = AccountName(userName: user, domain: domain, form: .downLevel)
  default:
    account = AccountName(userName: user, domain: computer, form: .downLevel)
  }
  let password =
    "Pw-\(index)-" + String(UInt64.random(in: 0...UInt64.max, using: &generator), radix: 36)
  items.append((profile, account, admin))
  passwords.append(password)
  json.append([
    "name": name, "host": host, "port": profile.port, "kind": profile.kind.rawValue,
    "user": "\(domain)\\\(user)", "tags": tags,
  ])
  xml +=
    "<Entry><String><Key>Title</Key><Value>\(name)</Value></String><String><Key>URL</Key><Value>rdp://\(host)</Value></String>"
  xml +=
    "<String><Key>UserName</Key><Value>\(domain)\\\(user)</Value></String><String><Key>Password</Key><Value>\(password)</Value></String></Entry>\n"
  names += name + "\n"
}
xml += "</Group></Root></KeePassFile>\n"
try vault.addProfiles(items) { index in try SecretBytes(copying: Array(passwords[index].utf8)) }
try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]).write(
  to: URL(fileURLWithPath: "\(directory)/profiles.json"))
try Data(xml.utf8).write(to: URL(fileURLWithPath: "\(directory)/keepass.xml"))
try Data(names.utf8).write(to: URL(fileURLWithPath: "\(directory)/names.txt"))
for file in ["vault.db", "peer.db", "profiles.json", "keepass.xml", "names.txt"] {
  chmod("\(directory)/\(file)", 0o600)
}
if size <= 10_000 {
  let rdp = "\(directory)/rdp"
  try? FileManager.default.removeItem(atPath: rdp)
  try FileManager.default.createDirectory(
    atPath: rdp, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
  for item in items {
    let account = Account(scope: .local, userName: "azureuser")
    var profile = item.profile
    profile.kind = .local
    let bytes = RDPFileWriter.data(for: ProfileEntry(profile: profile, account: account))
    try Data(bytes).write(to: URL(fileURLWithPath: "\(rdp)/\(profile.name).rdp"))
  }
}
print("\(size) profiles in \(directory)")
