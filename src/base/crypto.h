/* crypto.h - small wrappers over libsodium: random tokens, hashes, constant-time compare.
 * Call ts_crypto_init() once at start (idempotent, thread-safe after). */
#ifndef TS_BASE_CRYPTO_H
#define TS_BASE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

/* 0 or TS_ERR_INTERNAL when libsodium cannot start. */
int ts_crypto_init(void);
/* Fills out with 2*nbytes lowercase hex chars + NUL (outsz >= 2*nbytes+1). */
void ts_random_hex(char *out, size_t outsz, size_t nbytes);
/* Random URL-safe token of nbytes entropy, base64url without padding, NUL-terminated. */
void ts_random_token(char *out, size_t outsz, size_t nbytes);
/* SHA-256 of data as 64 hex chars + NUL into out (outsz >= 65). */
void ts_sha256_hex(const void *data, size_t len, char *out, size_t outsz);
/* Streaming SHA-256 (for files too large to hold in memory). The state is opaque bytes
 * sized for libsodium's; init, update any number of times, then final writes 64 hex chars
 * + NUL into out (outsz >= 65). */
struct ts_sha256 {
	_Alignas(16) unsigned char state[128];
};
void ts_sha256_init(struct ts_sha256 *h);
void ts_sha256_update(struct ts_sha256 *h, const void *data, size_t len);
void ts_sha256_final(struct ts_sha256 *h, char *out, size_t outsz);
/* Constant-time string equality (lengths compared first). */
bool ts_str_eq_ct(const char *a, const char *b);

#endif
