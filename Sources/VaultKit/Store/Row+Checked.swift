import Foundation
import GRDB

/// Reads of clear columns that report a value of the wrong SQLite type as damage, naming the
/// table, where GRDB's subscripts would stop the process. Whoever can write the vault file
/// can put any type in any column.
extension Row {
  func integer(_ index: Int, table: String) throws -> Int64 {
    guard case .int64(let value) = (self[index] as DatabaseValue).storage else {
      throw VaultError.corrupt(detail: "\(table) holds a value of the wrong type")
    }
    return value
  }

  func integer(_ column: String, table: String) throws -> Int64 {
    guard case .int64(let value) = (self[column] as DatabaseValue?)?.storage else {
      throw VaultError.corrupt(detail: "\(table).\(column) is missing or of the wrong type")
    }
    return value
  }

  /// A blob column; nil for NULL.
  func blob(_ column: String, table: String) throws -> Data? {
    switch (self[column] as DatabaseValue?)?.storage {
    case nil, .null: return nil
    case .blob(let data): return data
    default: throw VaultError.corrupt(detail: "\(table).\(column) holds a value of the wrong type")
    }
  }

  func blob(_ index: Int, table: String) throws -> Data? {
    switch (self[index] as DatabaseValue).storage {
    case .null: return nil
    case .blob(let data): return data
    default: throw VaultError.corrupt(detail: "\(table) holds a value of the wrong type")
    }
  }

  /// A blob column read in place, without a copy (the hot path of `list`).
  func withBlob<T>(_ index: Int, table: String, _ body: (Data?) throws -> T) throws -> T {
    switch (self[index] as DatabaseValue).storage {
    case .null, .blob: return try withUnsafeData(atIndex: index, body)
    default: throw VaultError.corrupt(detail: "\(table) holds a value of the wrong type")
    }
  }
}

extension DatabaseValue.Storage {
  /// The bytes of a text value; nil for any other type.
  var text: [UInt8]? {
    if case .string(let string) = self { return Array(string.utf8) }
    return nil
  }
}
