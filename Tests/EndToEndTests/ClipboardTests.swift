import Foundation
import Testing

/// `password --clip` against a real X clipboard (Xvfb, read back with xclip): the password is
/// there, it is gone after the clip time, a clipboard that changed meanwhile is left alone,
/// and the password never appears in a process's arguments or environment.
@Suite(.serialized) struct ClipboardTests {
  static let tools = ["xclip", "xsel"].filter { RDPServer.installed($0) }

  /// The clipboard's text as xclip reads it; nil when nothing owns it.
  static func clipboard(_ display: String) -> String? {
    let output = NSTemporaryDirectory() + "/rdpvault-clip-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: output) }
    guard
      let child = try? Child(
        "/usr/bin/xclip", ["-selection", "clipboard", "-out"],
        environment: ["DISPLAY": display, "PATH": "/usr/bin:/bin"], stdout: output,
        stderr: "/dev/null")
    else { return nil }
    guard child.wait(timeout: 10, what: "xclip -out") == 0 else { return nil }
    return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
  }

  /// Puts `text` on the clipboard as a user would: an xclip that serves it, in a session of
  /// its own (it ends with the display).
  static func setClipboard(_ display: String, _ text: String) throws {
    let input = NSTemporaryDirectory() + "/rdpvault-clip-\(UUID().uuidString)"
    _ = FileManager.default.createFile(atPath: input, contents: Data(text.utf8))
    defer { try? FileManager.default.removeItem(atPath: input) }
    let child = try Child(
      "/usr/bin/xclip", ["-selection", "clipboard", "-in"],
      environment: ["DISPLAY": display, "PATH": "/usr/bin:/bin"], stdin: input,
      stdout: "/dev/null", stderr: "/dev/null")
    // Not `wait`, which would end the server xclip leaves in its group.
    let deadline = Date().addingTimeInterval(10)
    while child.isRunning && Date() < deadline { usleep(10_000) }
  }

  /// Waits up to `timeout` for the clipboard to read `expected`.
  static func clipboard(_ display: String, becomes expected: String?, timeout: TimeInterval)
    -> Bool
  {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      let now = clipboard(display)
      if now == expected || (expected == nil && now == "") { return true }
      usleep(100_000)
    }
    return false
  }

  func box(canary: String) -> Sandbox {
    let box = Sandbox()
    box.initVault()
    let added = box.run(
      ["add", "vm", "--host", "10.0.0.4", "--kind", "local", "--user", "u", "--password-stdin"],
      stdin: canary + "\n")
    #expect(added.status == 0, "\(added.stderr)")
    return box
  }

  @Test func theClipboardHoldsThePasswordThenIsCleared() throws {
    #expect(!Self.tools.isEmpty, "install xclip (scripts/install-deps)")
    let (xvfb, display) = try RDPServer.startXvfb()
    defer { RDPServer.stopXvfb(xvfb) }
    let canary = "Clip-Canary-7f3e9a"
    let box = box(canary: canary)
    for tool in Self.tools {
      // Only this tool on PATH: a directory holding a link to it.
      let bin = box.root + "/bin-\(tool)"
      try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
      try? FileManager.default.createSymbolicLink(
        atPath: bin + "/" + tool, withDestinationPath: "/usr/bin/" + tool)
      let environment = ["DISPLAY": display, "PATH": bin]
      let result = box.run(
        ["password", "vm", "--clip", "--clip-time", "2"], environment: environment)
      #expect(result.status == 0, "\(tool): \(result.stderr)")
      #expect(result.stdout.isEmpty, "--clip printed the password")
      #expect(result.stderr.contains("(\(tool)); it is cleared in 2 s"), "\(result.stderr)")
      #expect(
        Self.clipboard(display) == canary, "\(tool): the clipboard does not hold the password")
      // No process has the password in its arguments or environment meanwhile.
      for pid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
      where Int(pid) != nil {
        for file in ["cmdline", "environ"] {
          if let data = FileManager.default.contents(atPath: "/proc/\(pid)/\(file)") {
            #expect(!String(decoding: data, as: UTF8.self).contains(canary), "/proc/\(pid)/\(file)")
          }
        }
      }
      #expect(
        Self.clipboard(display, becomes: nil, timeout: 6), "\(tool): the clipboard was not cleared")
    }
  }

  @Test func aClipboardThatChangedIsLeftAlone() throws {
    let (xvfb, display) = try RDPServer.startXvfb()
    defer { RDPServer.stopXvfb(xvfb) }
    let box = box(canary: "Clip-Canary-2")
    let result = box.run(
      ["password", "vm", "-c", "--clip-time", "1"], environment: ["DISPLAY": display])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(Self.clipboard(display) == "Clip-Canary-2")
    try Self.setClipboard(display, "something the user copied since")
    #expect(Self.clipboard(display) == "something the user copied since")
    sleep(3)
    #expect(Self.clipboard(display) == "something the user copied since")
  }

  @Test func withoutAClipboardNothingIsAskedOrPrinted() throws {
    let box = box(canary: "Clip-Canary-3")
    let noDisplay = box.run(["password", "vm", "--clip"], environment: ["DISPLAY": ""])
    #expect(noDisplay.status == 1)
    #expect(
      noDisplay.stderr.hasPrefix(
        "rdpvault: error: no clipboard: neither WAYLAND_DISPLAY nor DISPLAY is set"))
    #expect(noDisplay.stdout.isEmpty)
    let noTool = box.run(
      ["password", "vm", "--clip"], environment: ["DISPLAY": ":99", "PATH": "/nonexistent"])
    #expect(noTool.status == 1)
    #expect(noTool.stderr.contains("no clipboard tool: none of xclip, xsel is installed"))
    #expect(box.run(["password", "vm", "--clip-time", "5"]).status == 64)
    #expect(box.run(["password", "vm", "--clip", "--clip-time", "0"]).status == 64)
  }
}
