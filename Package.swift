// swift-tools-version:6.1
import PackageDescription

let package = Package(
  name: "rdpvault",
  // Linux only, for now (README: Layout): the launcher uses /proc and Glibc.
  products: [
    .executable(name: "rdpvault", targets: ["rdpvault"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
  ],
  targets: [
    // The C bridge: Debian's libsodium 1.0.18 through pkg-config.
    .systemLibrary(
      name: "CSodium",
      pkgConfig: "libsodium",
      providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
    ),
    // OpenSSL's libcrypto, only for the ciphers other tools protect their files with:
    // loaded at run time by an import that needs it (shim.h), not linked, so no other command
    // loads OpenSSL.
    .systemLibrary(name: "COpenSSL"),
    // The Linux calls Swift's Glibc module leaves out (SO_PEERCRED's ucred, accept4), for
    // the agent's socket; and stdio's `stdout` error state, which Swift 6 cannot name.
    .target(name: "CSystem"),
    // The only importer of CSodium.
    .target(name: "VaultCrypto", dependencies: ["CSodium"]),
    // The only importer of COpenSSL: decrypting mRemoteNG's and Remmina's files (import).
    .target(name: "ForeignCrypto", dependencies: ["COpenSSL", "VaultCrypto"]),
    // Schema migrations as numbered .sql files, compiled into the binary.
    .target(
      name: "VaultMigrations",
      path: "Migrations",
      exclude: ["README.md"],
      resources: [
        .embedInCode("0001_initial.sql"),
        .embedInCode("0002_sharing.sql"),
        .embedInCode("0003_account_linking.sql"),
      ]
    ),
    // The domain model and the store. Never prints, never parses arguments.
    .target(
      name: "VaultKit",
      dependencies: [
        "VaultCrypto", "ForeignCrypto", "VaultMigrations", "CSystem",
        .product(name: "GRDB", package: "GRDB.swift"),
        // SQLite's C API, for the bulk row scan of `list`, `export` and `verify`.
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
      ]
    ),
    // One file per subcommand.
    .target(
      name: "RDPVaultCLI",
      dependencies: [
        "VaultKit", "VaultCrypto", "CSystem",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "rdpvault", dependencies: ["RDPVaultCLI"]),
    // Makes the benchmark fixtures in bulk through the vault library (Benchmarks/README.md).
    .executableTarget(
      name: "rdpvault-bench-fixtures", dependencies: ["VaultKit", "VaultCrypto"],
      path: "Benchmarks/FixtureMaker"),
    .testTarget(name: "VaultCryptoTests", dependencies: ["VaultCrypto"], exclude: ["Vectors"]),
    .testTarget(
      name: "ForeignCryptoTests", dependencies: ["ForeignCrypto", "VaultCrypto"],
      exclude: ["Vectors"]),
    .testTarget(
      name: "VaultKitTests", dependencies: ["VaultKit", "VaultCrypto"], exclude: ["Fixtures"]),
    // The real binary end to end; VaultKit and GRDB only to build hostile inputs (validly
    // signed bundles, damaged vault files) that no command would make.
    .testTarget(
      name: "EndToEndTests",
      dependencies: [
        "rdpvault", "VaultKit", "VaultCrypto", .product(name: "GRDB", package: "GRDB.swift"),
      ],
      exclude: ["Golden"]),
  ]
)
