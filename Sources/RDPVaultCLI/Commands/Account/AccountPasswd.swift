import ArgumentParser
import VaultKit

extension RDPVault.AccountCommand {
  struct Passwd: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "passwd",
      abstract: "Change an account's password, for every VM that uses it.")

    @OptionGroup var options: VaultOptions
    @Argument(help: "The account: CONTOSO\\alice, alice@contoso.com or WEB01\\admin.")
    var account: String
    @OptionGroup var passwordOptions: PasswordOptions

    func run() throws {
      let vault = try options.openVault()
      // The account is found before its new password is asked for (a mistyped name is told
      // at once), and the prompt names it as the vault stores it.
      let entry = try vault.account(named: account)
      guard let password = try passwordOptions.read(for: entry.signInName) else { return }
      let vms = try vault.setAccountPassword(account, password: password)
      Diagnostics.note(
        "password changed for \(account) (used by \(vms.isEmpty ? "no VM" : vms.sorted().joined(separator: ", ")))"
      )
    }
  }
}
