import ArgumentParser
import Foundation
import VaultCrypto

/// The whole life of the process: harden, parse, run, report.
public enum RDPVaultMain {
  public static func run() -> Never {
    ProcessHardening.apply()
    do {
      var command = try RDPVault.parseAsRoot()
      try command.run()
      exit(0)
    } catch {
      exit(Diagnostics.report(error))
    }
  }
}
