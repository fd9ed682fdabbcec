import ArgumentParser
import VaultKit

extension ConflictPolicy: ExpressibleByArgument {}
