/* The floor: one Argon2id evaluation with the vault's parameters (libsodium's crypto_pwhash),
 * which every command that opens a vault pays. Usage: pwhash OPSLIMIT MEMLIMIT */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 3 || sodium_init() < 0) return 64;
  unsigned long long ops = strtoull(argv[1], NULL, 10);
  size_t mem = (size_t) strtoull(argv[2], NULL, 10);
  unsigned char salt[crypto_pwhash_SALTBYTES] = {0};
  unsigned char key[32];
  const char *passphrase = "benchmark passphrase";
  if (crypto_pwhash(key, sizeof key, passphrase, 20, salt, ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0) return 1;
  return 0;
}
