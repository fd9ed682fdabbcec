import RDPVaultCLI

RDPVaultMain.run()
