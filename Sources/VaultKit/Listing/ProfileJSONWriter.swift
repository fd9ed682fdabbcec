/// `list --json`'s object for one VM, written from its record's bytes (`ProfileFields`) and
/// its account: at 100,000 VMs, making a `Profile` of each record and then JSON of each
/// `Profile` cost more than opening the records. The fields and their order (keys sorted)
/// are the README's, the same as `show --json` prints.
enum ProfileJSONWriter {
  static func object(_ fields: ProfileFields, account: Account, into out: inout [UInt8]) throws {
    // Each key with what comes before it (`{` or `,`) and the colon: one copy per key.
    func key(_ text: StaticString) {
      out.append(
        contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
    func text(_ bytes: UnsafeRawBufferPointer) { JSONText.string(bytes, &out) }
    // Most VMs have no settings, and nearly all others have them as this vault wrote them,
    // which is already the JSON to print; the rest are decoded.
    let stored = fields.settings.isEmpty ? nil : StoredSettingsJSON(fields.settings)
    let settings =
      fields.settings.isEmpty || stored != nil
      ? RDPSettings() : try SettingsCoding.decode(fields.settings)
    func raw(_ bytes: UnsafeRawBufferPointer) { out.append(contentsOf: bytes) }
    key(#"{"computer_name":"#)
    text(fields.computerName)
    key(#","domain":"#)
    if account.signsInOnComputer {
      text(fields.computerName)
    } else {
      JSONText.string(account.domain, &out)
    }
    key(
      account.isDomainAdmin
        ? #","domain_admin":true,"extra_lines":"# : #","domain_admin":false,"extra_lines":"#)
    if let stored { raw(stored.extraLines) } else { JSONText.array(settings.extraLines, &out) }
    key(#","host":"#)
    text(fields.host)
    key(#","kind":"#)
    JSONText.string(fields.kind.rawValue, &out)
    key(#","name":"#)
    text(fields.name)
    key(#","note":"#)
    text(fields.note)
    key(#","options":"#)
    if let stored { raw(stored.options) } else { JSONText.dictionary(settings.shownOptions, &out) }
    key(#","port":"#)
    JSONText.integer(fields.port, &out)
    key(#","resource_group":"#)
    text(fields.resourceGroup)
    key(#","settings":"#)
    if let stored { raw(stored.values) } else { JSONText.dictionary(settings.values, &out) }
    key(#","sign_in_name":"#)
    signInName(fields, account, &out)
    key(#","subscription":"#)
    text(fields.subscription)
    key(#","tags":["#)
    var firstTag = true
    fields.forEachTag { tag in
      if !firstTag { out.append(UInt8(ascii: ",")) }
      firstTag = false
      text(tag)
    }
    key(#"],"user":"#)
    JSONText.string(account.userName, &out)
    out.append(UInt8(ascii: "}"))
  }

  /// `Account.signInName`, its parts escaped one by one (escaping works byte by byte).
  private static func signInName(
    _ fields: ProfileFields, _ account: Account, _ out: inout [UInt8]
  ) {
    func part(_ part: Account.SignInPart) {
      switch part {
      case .computerName: JSONText.escaped(fields.computerName, &out)
      case .user: escaped(account.userName)
      case .domain: escaped(account.domain)
      }
    }
    func escaped(_ text: String) {
      var text = text
      text.withUTF8 { JSONText.escaped(UnsafeRawBufferPointer($0), &out) }
    }
    let (first, separator, second) = account.signInLayout
    out.append(UInt8(ascii: "\""))
    part(first)
    escaped(separator)
    part(second)
    out.append(UInt8(ascii: "\""))
  }
}
