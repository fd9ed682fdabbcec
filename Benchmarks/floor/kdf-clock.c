/* Preloaded (LD_PRELOAD) into a process the suite times side by side with the floor: it
 * wraps libsodium's crypto_pwhash and, when the process exits, appends the seconds spent
 * inside it to the file named by RDPVAULT_BENCH_KDF_CLOCK. Wall time minus that is the
 * process's own cost, without the Argon2id run whose jitter (tens of ms on a shared host)
 * would otherwise swamp a difference of a few ms. A process that never derives a key (sh,
 * cp) writes nothing. Build: cc -O2 -shared -fPIC -o kdf-clock.so kdf-clock.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

typedef int (*pwhash_fn)(unsigned char *, unsigned long long, const char *, unsigned long long,
                         const unsigned char *, unsigned long long, size_t, int);

static double inside;
static int calls;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

static void report(void) {
  const char *path = getenv("RDPVAULT_BENCH_KDF_CLOCK");
  if (calls == 0 || path == NULL) return;
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;
  char line[64];
  int length = snprintf(line, sizeof line, "%.6f\n", inside);
  if (length > 0) (void) !write(fd, line, (size_t) length);
  close(fd);
}

int crypto_pwhash(unsigned char *out, unsigned long long outlen, const char *passwd,
                  unsigned long long passwdlen, const unsigned char *salt,
                  unsigned long long opslimit, size_t memlimit, int alg) {
  static pwhash_fn real;
  if (real == NULL) {
    real = (pwhash_fn) dlsym(RTLD_NEXT, "crypto_pwhash");
    if (real == NULL) abort();
  }
  if (calls++ == 0) atexit(report);
  double start = now();
  int status = real(out, outlen, passwd, passwdlen, salt, opslimit, memlimit, alg);
  inside += now() - start;
  return status;
}
