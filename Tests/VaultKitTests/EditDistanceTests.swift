import Testing

@testable import VaultKit

/// "Did you mean": a swap of two neighbours is one typo; a far word is no suggestion.
@Suite struct EditDistanceTests {
  @Test(arguments: [
    ("list", "list", 0), ("lsit", "list", 1), ("conect", "connect", 1), ("hots", "host", 1),
    ("locla", "local", 1), ("", "abc", 3), ("abc", "", 3), ("kitten", "sitting", 3),
    ("ca", "abc", 3),
  ])
  func distances(_ a: String, _ b: String, _ expected: Int) {
    #expect(editDistance(a, b) == expected)
    #expect(editDistance(b, a) == expected)
  }

  @Test func closestCandidates() {
    #expect(closest(to: "lsit", in: ["list", "show", "rm"]) == ["list"])
    #expect(closest(to: "--hots", in: ["--host", "--note", "--port"]) == ["--host"])
    #expect(closest(to: "frobnicate", in: ["list", "show"]).isEmpty)
    #expect(closest(to: "LIST", in: ["list"]) == ["list"])
  }
}
