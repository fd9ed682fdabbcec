/// FreeRDP 2 (`xfreerdp`): everything but the password on the command line; the password
/// on stdin with `/from-stdin:force`, followed by `\n` alone (FreeRDP keeps a `\r`).
struct FreeRDP2Adapter: ClientAdapter {
  func plan(for entry: ProfileEntry, program: String, extraArguments: [String]) throws -> LaunchPlan
  {
    let (arguments, notes) = try FreeRDPArguments.connection(entry, version: .two)
    return LaunchPlan(
      client: .xfreerdp,
      steps: [
        LaunchStep(
          role: .client, program: program,
          arguments: arguments + ["/from-stdin:force"] + extraArguments,
          stdin: SecretText([.password, .text("\n")]))
      ],
      notes: notes)
  }
}
