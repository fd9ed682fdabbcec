import GRDB

/// The tables of format 2, made by `FormatUpgrade` (for a new vault, and in place for a
/// format-1 one) rather than by a numbered migration, since filling them needs the vault key.
enum FormatTwoSchema {
  static let tables = """
    CREATE TABLE profiles (
      id INTEGER PRIMARY KEY, lookup BLOB NOT NULL UNIQUE, account_id INTEGER NOT NULL REFERENCES accounts(id),
      version INTEGER NOT NULL, record BLOB NOT NULL);
    CREATE INDEX profiles_account ON profiles(account_id);
    CREATE TABLE accounts (
      id INTEGER PRIMARY KEY, lookup BLOB NOT NULL, version INTEGER NOT NULL, record BLOB NOT NULL);
    CREATE INDEX accounts_lookup ON accounts(lookup);
    CREATE TABLE account_secrets (
      id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE, version INTEGER NOT NULL,
      record BLOB NOT NULL);
    CREATE TABLE identity (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, record BLOB NOT NULL);
    CREATE TABLE teammates (
      id INTEGER PRIMARY KEY, lookup BLOB NOT NULL UNIQUE, key_lookup BLOB NOT NULL UNIQUE,
      version INTEGER NOT NULL, record BLOB NOT NULL);
    CREATE TABLE seen_bundles (
      id INTEGER PRIMARY KEY, lookup BLOB NOT NULL UNIQUE, version INTEGER NOT NULL, record BLOB NOT NULL);
    CREATE TABLE sender_sequences (
      id INTEGER PRIMARY KEY, lookup BLOB NOT NULL UNIQUE, version INTEGER NOT NULL, record BLOB NOT NULL);
    """

  /// Triggers and views are never rdpvault's: one in the file (a trigger that rewrites each
  /// new replay row, say) is tampering.
  static func refuseForeignObjects(_ db: Database) throws {
    let foreign = try String.fetchAll(
      db, sql: "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'view')")
    if let first = foreign.first {
      throw VaultError.corrupt(
        detail: "the file holds a trigger or view rdpvault never makes (\(quoted(first)))")
    }
  }

  /// The format-1 tables a format-2 vault no longer has.
  static let formatOneTables = [
    "profiles", "account_secrets", "accounts", "identity", "teammates", "seen_bundles",
    "sender_sequences",
  ]
}
