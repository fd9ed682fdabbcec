#ifndef RDPVAULT_CSYSTEM_H
#define RDPVAULT_CSYSTEM_H

#include <sys/types.h>

/// The uid of the peer of a connected Unix socket (SO_PEERCRED); -1 on error.
long long csystem_peer_uid(int fd);

/// accept4 with SOCK_CLOEXEC: the connection never leaks into a child.
int csystem_accept_cloexec(int fd);

/// Flushes stdout; 0 when everything written to it arrived, else the errno of the failed
/// flush, or -1 when only the stream's error flag says an earlier write failed.
int csystem_flush_stdout(void);

#endif
