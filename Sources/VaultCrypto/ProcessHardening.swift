import CSodium

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Keeps secrets out of core dumps and away from other processes of the same user.
public enum ProcessHardening {
  /// No core dumps, not dumpable (so no ptrace by the user's other processes, and a
  /// root-owned /proc/PID), and files created private by default.
  public static func apply() {
    umask(0o077)
    var limit = rlimit(rlim_cur: 0, rlim_max: 0)
    #if os(Linux)
      setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit)
      _ = rdpvault_set_not_dumpable()
    #else
      setrlimit(RLIMIT_CORE, &limit)
    #endif
  }
}
