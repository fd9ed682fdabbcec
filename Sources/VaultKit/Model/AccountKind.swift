/// How a VM is signed in to. The kind decides how the sign-in name is formed.
public enum AccountKind: String, Codable, CaseIterable, Sendable {
  /// A local account of the VM: `COMPUTERNAME\user`.
  case local
  /// The VM is joined to a domain: `DOMAIN\user` or `user@domain.example`.
  case domain
  /// The VM is a domain controller: a domain administrator of its domain signs in.
  case dc
}
