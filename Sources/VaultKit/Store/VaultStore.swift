import Foundation
import GRDB
import VaultMigrations

/// Owns the database connection and its schema, as GRDB's `AppDatabase` does.
/// It stores and fetches boxes; it never sees a key.
public final class VaultStore {
  let writer: any DatabaseWriter
  /// Whether opening applied a migration (the schema changed under anything read before).
  private(set) var migrated = false

  /// Applies the embedded migrations, each in its own transaction.
  public init(_ writer: any DatabaseWriter) throws {
    self.writer = writer
    // A vault that is up to date needs no write transaction: every command opens one.
    if try Self.refuseNewerSchema(writer) == Set(Self.knownMigrations) { return }
    migrated = true
    do {
      try Self.migrator.migrate(writer)
    } catch {
      throw VaultError.database(detail: "migration failed: \(error)")
    }
  }

  static let migrator: DatabaseMigrator = {
    var migrator = DatabaseMigrator()
    for migration in SchemaMigrations.all {
      migrator.registerMigration(migration.identifier) { db in
        try db.execute(sql: migration.sql)
      }
    }
    return migrator
  }()

  /// The migrations this binary knows, for `info`.
  public static var knownMigrations: [String] { SchemaMigrations.all.map(\.identifier) }

  /// A vault that records a migration this binary does not know was made by a newer rdpvault.
  /// Returns the applied migrations.
  @discardableResult
  static func refuseNewerSchema(_ reader: any DatabaseReader) throws -> Set<String> {
    let applied = try guarded { try reader.read { try migrator.appliedIdentifiers($0) } }
    let unknown = applied.subtracting(knownMigrations)
    if !unknown.isEmpty { throw VaultError.newerSchema(unknownMigrations: unknown.sorted()) }
    return applied
  }

  /// The identifiers of the applied migrations, in order.
  static func appliedMigrations(_ reader: any DatabaseReader) throws -> [String] {
    try guarded { try reader.read { try migrator.appliedMigrations($0) } }
  }

  /// Runs a database call and turns SQLite's errors into vault errors.
  static func guarded<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as VaultError {
      throw error
    } catch is RowDecodingError {
      throw VaultError.corrupt(detail: "a value of the wrong type")
    } catch let error as DatabaseError {
      switch error.resultCode {
      case .SQLITE_NOTADB: throw VaultError.corrupt(detail: "not an SQLite database")
      case .SQLITE_CORRUPT: throw VaultError.corrupt(detail: "SQLite reports corruption")
      default: throw VaultError.database(detail: error.message ?? "\(error.resultCode)")
      }
    }
  }
}
