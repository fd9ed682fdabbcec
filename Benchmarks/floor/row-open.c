/* A floor for whole-table commands: the crypto a vault of format 2 does per row, on every
 * core, and nothing else. Each row is one XChaCha20-Poly1305 open (a RECORD-byte record,
 * 48 bytes of associated data, as a profile row's table, id, version and bound columns) and
 * one keyed BLAKE2b-256 of that associated data (the row's element of the row-set digest).
 * Prints the wall seconds for ROWS rows split over THREADS threads.
 * Usage: row-open ROWS RECORD THREADS */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { AD = 48, MAX_RECORD = 4096 };
static unsigned char key[32], element_key[32], nonce[24], ad[AD];
static unsigned char box[MAX_RECORD + crypto_aead_xchacha20poly1305_ietf_ABYTES];
static unsigned long long box_length;
static long rows_each;

static void *open_rows(void *unused) {
  (void) unused;
  unsigned char plain[MAX_RECORD], element[32], row_ad[AD];
  memcpy(row_ad, ad, AD);
  for (long i = 0; i < rows_each; i++) {
    unsigned long long plain_length;
    memcpy(row_ad, &i, sizeof i);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plain_length, NULL, box, box_length,
                                                   ad, AD, nonce, key) != 0) abort();
    crypto_generichash(element, sizeof element, row_ad, AD, element_key, sizeof element_key);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4 || sodium_init() < 0) return 64;
  long rows = strtol(argv[1], NULL, 10), record = strtol(argv[2], NULL, 10);
  long threads = strtol(argv[3], NULL, 10);
  if (rows < 1 || record < 1 || record > MAX_RECORD || threads < 1 || threads > 64) return 64;
  rows_each = (rows + threads - 1) / threads;
  randombytes_buf(key, sizeof key);
  randombytes_buf(element_key, sizeof element_key);
  randombytes_buf(nonce, sizeof nonce);
  randombytes_buf(ad, sizeof ad);
  unsigned char plain[MAX_RECORD];
  randombytes_buf(plain, (size_t) record);
  crypto_aead_xchacha20poly1305_ietf_encrypt(box, &box_length, plain, (unsigned long long) record,
                                             ad, AD, NULL, nonce, key);
  struct timespec start, end;
  pthread_t workers[64];
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (long t = 0; t < threads; t++) pthread_create(&workers[t], NULL, open_rows, NULL);
  for (long t = 0; t < threads; t++) pthread_join(workers[t], NULL);
  clock_gettime(CLOCK_MONOTONIC, &end);
  printf("%.6f\n", (double) (end.tv_sec - start.tv_sec) + (double) (end.tv_nsec - start.tv_nsec) / 1e9);
  return 0;
}
