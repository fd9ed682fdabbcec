#define _GNU_SOURCE
#include "csystem.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

long long csystem_peer_uid(int fd) {
  struct ucred credentials;
  socklen_t length = sizeof credentials;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
  return (long long)credentials.uid;
}

int csystem_accept_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }

int csystem_flush_stdout(void) {
  errno = 0;
  if (fflush(stdout) != 0 && errno != 0) return errno;
  return ferror(stdout) ? -1 : 0;
}
