/*
 * OpenSSL's libcrypto, for the ciphers other tools used on their files (ForeignCrypto).
 *
 * Loaded at run time (dlopen "libcrypto.so.3"), on the first call, not linked: only an import
 * of such a file needs it, and every other command starts without loading or initialising
 * OpenSSL. The few functions ForeignCrypto calls are declared here under their own names,
 * with OpenSSL 3's types kept opaque and its two constants copied from <openssl/evp.h>; each
 * looks its symbol up once. When the library or a symbol is missing, a function returns
 * failure (0 or NULL) and rv_crypto_available() says why the caller got it.
 */
#ifndef RDPVAULT_COPENSSL_SHIM_H
#define RDPVAULT_COPENSSL_SHIM_H

#include <dlfcn.h>
#include <stddef.h>

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;
typedef struct evp_cipher_st EVP_CIPHER;
typedef struct evp_md_st EVP_MD;
typedef struct engine_st ENGINE;

#define EVP_CTRL_GCM_SET_IVLEN 0x9
#define EVP_CTRL_GCM_SET_TAG 0x11

/* The library, opened once (a second open of a loaded library is a no-op). */
static inline void *rv_crypto_library(void) {
  static void *handle;
  if (handle == NULL) handle = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
  return handle;
}

static inline void *rv_crypto_symbol(const char *name) {
  void *library = rv_crypto_library();
  return library == NULL ? NULL : dlsym(library, name);
}

/* 1 when libcrypto.so.3 loads, else 0. */
static inline int rv_crypto_available(void) { return rv_crypto_library() != NULL; }

#define RV_CRYPTO_FUNCTION(returns, name, failure, parameters, arguments) \
  static inline returns name parameters { \
    static returns(*function) parameters; \
    if (function == NULL) function = (returns(*) parameters)rv_crypto_symbol(#name); \
    return function == NULL ? failure : function arguments; \
  }

RV_CRYPTO_FUNCTION(EVP_CIPHER_CTX *, EVP_CIPHER_CTX_new, NULL, (void), ())
RV_CRYPTO_FUNCTION(const EVP_CIPHER *, EVP_aes_256_gcm, NULL, (void), ())
RV_CRYPTO_FUNCTION(const EVP_CIPHER *, EVP_aes_128_cbc, NULL, (void), ())
RV_CRYPTO_FUNCTION(const EVP_CIPHER *, EVP_aes_192_cbc, NULL, (void), ())
RV_CRYPTO_FUNCTION(const EVP_CIPHER *, EVP_aes_256_cbc, NULL, (void), ())
RV_CRYPTO_FUNCTION(const EVP_CIPHER *, EVP_des_ede3_cbc, NULL, (void), ())
RV_CRYPTO_FUNCTION(const EVP_MD *, EVP_sha1, NULL, (void), ())
RV_CRYPTO_FUNCTION(const EVP_MD *, EVP_md5, NULL, (void), ())
RV_CRYPTO_FUNCTION(int, EVP_DecryptInit_ex, 0,
  (EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher, ENGINE *impl, const unsigned char *key,
   const unsigned char *iv),
  (ctx, cipher, impl, key, iv))
RV_CRYPTO_FUNCTION(int, EVP_DecryptUpdate, 0,
  (EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl, const unsigned char *in, int inl),
  (ctx, out, outl, in, inl))
RV_CRYPTO_FUNCTION(int, EVP_DecryptFinal_ex, 0,
  (EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl), (ctx, out, outl))
RV_CRYPTO_FUNCTION(int, EVP_CIPHER_CTX_ctrl, 0,
  (EVP_CIPHER_CTX *ctx, int type, int arg, void *ptr), (ctx, type, arg, ptr))
RV_CRYPTO_FUNCTION(int, EVP_CIPHER_CTX_set_padding, 0, (EVP_CIPHER_CTX *ctx, int pad),
  (ctx, pad))
RV_CRYPTO_FUNCTION(int, EVP_Digest, 0,
  (const void *data, size_t count, unsigned char *md, unsigned int *size, const EVP_MD *type,
   ENGINE *impl),
  (data, count, md, size, type, impl))
RV_CRYPTO_FUNCTION(int, PKCS5_PBKDF2_HMAC, 0,
  (const char *pass, int passlen, const unsigned char *salt, int saltlen, int iter,
   const EVP_MD *digest, int keylen, unsigned char *out),
  (pass, passlen, salt, saltlen, iter, digest, keylen, out))

/* void functions: nothing happens when the symbol is missing. */
static inline void EVP_CIPHER_CTX_free(EVP_CIPHER_CTX *ctx) {
  static void (*function)(EVP_CIPHER_CTX *);
  if (function == NULL) function = (void (*)(EVP_CIPHER_CTX *))rv_crypto_symbol("EVP_CIPHER_CTX_free");
  if (function != NULL) function(ctx);
}

static inline void ERR_clear_error(void) {
  static void (*function)(void);
  if (function == NULL) function = (void (*)(void))rv_crypto_symbol("ERR_clear_error");
  if (function != NULL) function();
}

#endif
