import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A progress line on stderr for long work (import, export, verify of many VMs): only when
/// stderr is a terminal and --quiet was not given; redrawn when the bar moves, and erased
/// when the work is done (the command's own summary follows).
enum ProgressBar {
  static let width = 30

  /// A `(done, total)` callback drawing "rdpvault: VERB [####......] done of total", or nil
  /// when no bar should show.
  static func make(_ verb: String, enabled: Bool = true) -> ((Int, Int) -> Void)? {
    guard enabled, isatty(2) != 0, Diagnostics.level != .quiet else { return nil }
    var drawn = -1
    return { done, total in
      let filled = total <= 0 ? width : min(width, done * width / total)
      guard filled != drawn || done == total else { return }
      drawn = filled
      let bar =
        String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
      Diagnostics.writeStderr("\rrdpvault: \(verb) [\(bar)] \(done) of \(total)")
      if done >= total { Diagnostics.writeStderr("\r\u{1B}[K") }
    }
  }
}
