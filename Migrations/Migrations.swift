/// The schema migrations, in the order they run. Identifiers are the file names; they are
/// recorded in the vault and must never change.
public enum SchemaMigrations {
  public static let all: [(identifier: String, sql: String)] = [
    ("0001_initial", String(decoding: PackageResources._001_initial_sql, as: UTF8.self)),
    ("0002_sharing", String(decoding: PackageResources._002_sharing_sql, as: UTF8.self)),
    ("0003_account_linking", String(decoding: PackageResources._003_account_linking_sql, as: UTF8.self)),
  ]
}
