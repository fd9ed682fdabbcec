import Foundation

/// Which VMs a command that changes many at once works on: names and globs, narrowed by a
/// filter. An exact name must name a VM; a glob or a filter may match any number, but the
/// whole selection must match at least one.
public struct ProfileSelection: Equatable, Sendable {
  /// Exact names (case ignored) or globs with `*`, `?` or `[...]`; empty means every VM
  /// the filter matches.
  public var names: [String]
  /// Every VM selected must also match this.
  public var filter: ProfileFilter

  public init(names: [String], filter: ProfileFilter = ProfileFilter()) {
    self.names = names
    self.filter = filter
  }

  /// Nothing named and no filter: a command must not take that as "every VM".
  public var isEmpty: Bool { names.isEmpty && filter.isEmpty }

  /// One exact name and no filter: the usual one-VM command, which asks nothing more.
  public var isOneName: Bool {
    names.count == 1 && !Self.isGlob(names[0]) && filter.isEmpty
  }

  /// Whether the user picked these VMs one by one (every name exact, no filter).
  public var isExactNames: Bool {
    !names.isEmpty && filter.isEmpty && !names.contains(where: Self.isGlob)
  }

  /// VM names cannot hold these characters, so a word with one is a glob.
  public static func isGlob(_ word: String) -> Bool {
    word.contains { "*?[".contains($0) }
  }

  /// The selected VMs from `entries`, each once, in the order of `entries`. Throws when an
  /// exact name names no VM (`missing` builds that error) or when nothing is selected.
  public func select(
    from entries: [ProfileEntry], missing: (String) throws -> Never
  ) throws -> [ProfileEntry] {
    var byName: [String: Int] = [:]
    for (index, entry) in entries.enumerated() { byName[entry.profile.name.lowercased()] = index }
    var exact = Set<Int>()
    var globs: [String] = []
    for word in names {
      if Self.isGlob(word) {
        globs.append(word.lowercased())
      } else if let index = byName[word.lowercased()] {
        exact.insert(index)
      } else {
        try missing(word)
      }
    }
    let selected = entries.indices.filter { index in
      let profile = entries[index].profile
      let named =
        names.isEmpty || exact.contains(index)
        || globs.contains { fnmatch($0, profile.name.lowercased(), 0) == 0 }
      return named && filter.matches(profile)
    }
    guard !selected.isEmpty else { throw VaultError.nothingSelected }
    return selected.map { entries[$0] }
  }
}

extension VaultService {
  /// The VMs `selection` picks, in name order. Exact names alone are looked up one by one
  /// (no other VM is read); anything else reads the list once.
  public func profiles(selectedBy selection: ProfileSelection) throws -> [ProfileEntry] {
    if selection.isExactNames {
      var seen = Set<String>()
      var entries: [ProfileEntry] = []
      for name in selection.names {
        let entry = try profile(named: name)
        if seen.insert(entry.profile.name.lowercased()).inserted { entries.append(entry) }
      }
      return entries
    }
    return try selection.select(from: profiles()) { name in
      _ = try profile(named: name)  // throws the usual error, with suggestions
      throw VaultError.profileNotFound(name: name, suggestions: [])
    }
  }
}
