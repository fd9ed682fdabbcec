import Foundation
import Testing

@testable import VaultKit

/// CSV inventories: RFC 4180 quoting, line endings, a byte-order mark, columns in any order,
/// and a reason for everything refused.
struct CSVInventoryTests {
  @Test func quotedFieldsLineEndingsAndABOM() throws {
    let text =
      "\u{FEFF}host,name,user,tags,note,kind,domain\r\n"
      + "10.0.0.4,web-01,azureuser,lab;db,\"a, \"\"quoted\"\" note\",,\r\n"
      + "app.contoso.com,app-01,alice,,,domain,CONTOSO\n"
      + "\n"
    let items = try CSVInventory.read(Array(text.utf8))
    #expect(
      items == [
        InventoryItem(
          name: "web-01", host: "10.0.0.4", kind: .local, user: "azureuser", computerName: nil,
          tags: ["lab", "db"], note: "a, \"quoted\" note"),
        InventoryItem(
          name: "app-01", host: "app.contoso.com", kind: .domain, user: "alice",
          domain: "CONTOSO", computerName: nil),
      ])
  }

  @Test func aLineBreakInsideQuotesIsPartOfTheField() throws {
    let items = try CSVInventory.read(Array("name,host,user,note\nvm,h,u,\"two\nlines\"\n".utf8))
    #expect(items.first?.note == "two\nlines")
  }

  @Test(arguments: [
    ("name,host,usr\nvm,h,u\n", "its header has an unknown column \"usr\" (did you mean user?)"),
    ("name,host\nvm,h\n", "its header has no user column"),
    ("name,host,user\nvm,h\n", "record 2 has 2 fields, the header 3"),
    ("name,host,user,port\nvm,h,u,x\n", "record 2: port \"x\" is not a number"),
    ("name,host,user,kind\nvm,h,u,admin\n", "record 2: kind \"admin\" is not local, domain or dc"),
    ("name,host,user\nvm,\"h,u\n", "record 2: a quote is never closed"),
    ("name,host,user\nvm,h\"x\",u\n", "record 2: a quote inside an unquoted field"),
    ("name,host,user,name\nvm,h,u,v\n", "its header names a column twice"),
  ])
  func badFilesAreRefusedWithAReason(_ text: String, _ reason: String) {
    #expect {
      try CSVInventory.read(Array(text.utf8))
    } throws: { error in
      guard case .inventory(let message) = error as? VaultError else { return false }
      return message.hasPrefix(reason)
    }
  }

  @Test func aPasswordColumnIsRefused() {
    #expect(throws: VaultError.inventoryHasPasswords) {
      try CSVInventory.read(Array("name,host,user,password\nvm,h,u,secret\n".utf8))
    }
  }

  @Test func notUTF8IsRefused() {
    #expect(throws: VaultError.inventory(reason: "it is not UTF-8 text")) {
      try CSVInventory.read([0x6E, 0x61, 0xFF, 0x0A])
    }
  }

  @Test func fieldsAreQuotedOnlyWhenNeeded() {
    #expect(CSVInventory.field("plain") == "plain")
    #expect(CSVInventory.field("a,b") == "\"a,b\"")
    #expect(CSVInventory.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
    #expect(CSVInventory.field(" padded") == "\" padded\"")
  }
}
