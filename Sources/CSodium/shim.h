#include <sodium.h>
#ifdef __linux__
#include <sys/prctl.h>
/* prctl is variadic, which Swift cannot call; this fixes its arguments. */
static inline int rdpvault_set_not_dumpable(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }
#endif
