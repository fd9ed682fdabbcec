import Foundation

/// mstsc on Windows: the credential is written for `TERMSRV/host` through the Windows
/// credential API (CredWrite, from PowerShell, the password read from stdin), mstsc opens a
/// temporary .rdp file, and the credential is deleted when mstsc exits.
struct MstscAdapter: ClientAdapter {
  func plan(for entry: ProfileEntry, program: String, extraArguments: [String]) throws -> LaunchPlan
  {
    let target = "TERMSRV/\(entry.profile.host)"
    let rdp = RDPFileWriter.lines(for: entry).map { $0 + "\r\n" }.joined()
    let script = Self.credWriteScript(target: target, user: entry.signInName)
    let encoded = utf16LittleEndian(script)
    return LaunchPlan(
      client: .mstsc,
      files: [PlannedFile(name: "connection.rdp", contents: SecretText([.text(rdp)]))],
      steps: [
        LaunchStep(
          role: .prepare, program: "powershell.exe",
          arguments: [
            "-NoProfile", "-NonInteractive", "-EncodedCommand", Data(encoded).base64EncodedString(),
          ],
          stdin: SecretText([.password, .text("\n")])),
        LaunchStep(
          role: .client, program: program, arguments: ["{tmp}\\connection.rdp"] + extraArguments),
        LaunchStep(role: .cleanup, program: "cmdkey.exe", arguments: ["/delete:\(target)"]),
      ],
      notes: ["the credential for \(target) exists only while mstsc runs"])
  }

  /// Reads one line from stdin and stores it with CredWriteW as a domain-password credential.
  /// The target and the user reach the script as base64 of their UTF-8 bytes, decoded by
  /// PowerShell at run time: data, never code, whatever quotes (PowerShell also ends strings
  /// at U+2018-U+201B) they hold.
  static func credWriteScript(target: String, user: String) -> String {
    let quotedTarget = Data(target.utf8).base64EncodedString()
    let quotedUser = Data(user.utf8).base64EncodedString()
    return """
      $ErrorActionPreference = 'Stop'
      Add-Type -TypeDefinition @'
      using System; using System.Runtime.InteropServices; using System.Text;
      public static class RdpVaultCred {
        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        public struct CREDENTIAL { public int Flags; public int Type; public string TargetName; public string Comment;
          public long LastWritten; public int CredentialBlobSize; public IntPtr CredentialBlob; public int Persist;
          public int AttributeCount; public IntPtr Attributes; public string TargetAlias; public string UserName; }
        [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern bool CredWriteW(ref CREDENTIAL c, int flags);
        public static void Write(string target, string user, string secret) {
          byte[] blob = Encoding.Unicode.GetBytes(secret);
          IntPtr p = Marshal.AllocHGlobal(blob.Length);
          try {
            Marshal.Copy(blob, 0, p, blob.Length);
            var c = new CREDENTIAL { Type = 2, TargetName = target, UserName = user, CredentialBlob = p,
              CredentialBlobSize = blob.Length, Persist = 1 };
            if (!CredWriteW(ref c, 0)) throw new System.ComponentModel.Win32Exception(Marshal.GetLastWin32Error());
          } finally { for (int i = 0; i < blob.Length; i++) Marshal.WriteByte(p, i, 0); Marshal.FreeHGlobal(p); Array.Clear(blob, 0, blob.Length); }
        }
      }
      '@
      function FromBase64([string]$b) { [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($b)) }
      [RdpVaultCred]::Write((FromBase64 '\(quotedTarget)'), (FromBase64 '\(quotedUser)'), [Console]::In.ReadLine())
      """
  }
}
