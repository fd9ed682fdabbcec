#define _GNU_SOURCE
#include "csystem.h"

#include <stddef.h>
#include <sys/socket.h>

long long csystem_peer_uid(int fd) {
  struct ucred credentials;
  socklen_t length = sizeof credentials;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
  return (long long)credentials.uid;
}

int csystem_accept_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }
