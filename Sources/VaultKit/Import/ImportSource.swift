/// What `import` was handed: told apart by content, never by the file's name.
public enum ImportSource {
  /// A teammate's bundle starts with its magic; anything else is read as an .rdp file.
  public static func isBundle(_ bytes: [UInt8]) -> Bool {
    bytes.starts(with: BundleFormat.magic)
  }
}
