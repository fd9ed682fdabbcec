import Testing

@testable import VaultKit

/// The filters of `list` (issue 15): every condition given must hold, case ignored.
@Suite struct ProfileFilterTests {
  static let web = Profile(
    name: "Web-01", host: "10.0.1.4", computerName: "WEB-01", kind: .local,
    resourceGroup: "rg-Web", subscription: "sub-a", tags: ["Lab", "db"])
  static let dc = Profile(
    name: "dc-01", host: "dc01.contoso.com", computerName: "DC-01", kind: .dc,
    resourceGroup: "rg-core", subscription: "sub-b", tags: ["prod"])

  @Test(arguments: [
    (ProfileFilter(), true, true),
    (ProfileFilter(tags: ["lab"]), true, false),
    (ProfileFilter(tags: ["LAB", "DB"]), true, false),
    (ProfileFilter(tags: ["lab", "prod"]), false, false),
    (ProfileFilter(kind: .dc), false, true),
    (ProfileFilter(resourceGroup: "RG-WEB"), true, false),
    (ProfileFilter(resourceGroup: "rg"), false, false),
    (ProfileFilter(subscription: "sub-b"), false, true),
    (ProfileFilter(host: "10.0.1.*"), true, false),
    (ProfileFilter(host: "*.CONTOSO.com"), false, true),
    (ProfileFilter(host: "contoso"), false, true),
    (ProfileFilter(name: "web"), true, false),
    (ProfileFilter(name: "?c-0[0-9]"), false, true),
    (ProfileFilter(name: "web", tags: ["prod"]), false, false),
  ])
  func everyConditionMustHold(_ filter: ProfileFilter, _ web: Bool, _ dc: Bool) {
    #expect(filter.matches(Self.web) == web, "\(filter)")
    #expect(filter.matches(Self.dc) == dc, "\(filter)")
  }

  @Test func tagsAreAddedAndRemovedInAnyCase() {
    var profile = Self.web
    ProfileChanges(addTags: ["LAB", "new"], removeTags: ["DB"]).apply(to: &profile)
    #expect(profile.tags == ["Lab", "new"])
    ProfileChanges(tags: ["a", "b"], addTags: ["c"], removeTags: ["A"]).apply(to: &profile)
    #expect(profile.tags == ["b", "c"])
  }
}
