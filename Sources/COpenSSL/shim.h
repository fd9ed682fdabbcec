/* OpenSSL's libcrypto, for the ciphers other tools used on their files (ForeignCrypto). */
#include <openssl/evp.h>
#include <openssl/err.h>
