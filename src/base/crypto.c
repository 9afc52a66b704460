/* crypto.c - libsodium wrappers; see crypto.h. */
#include "base/crypto.h"

#include <sodium.h>
#include <string.h>

#include "base/err.h"

int ts_crypto_init(void) { return sodium_init() < 0 ? TS_ERR_INTERNAL : 0; }

void ts_random_hex(char *out, size_t outsz, size_t nbytes)
{
	unsigned char buf[64];
	if (nbytes > sizeof(buf))
		nbytes = sizeof(buf);
	if (outsz < 2 * nbytes + 1)
		nbytes = (outsz - 1) / 2;
	randombytes_buf(buf, nbytes);
	sodium_bin2hex(out, outsz, buf, nbytes);
}

void ts_random_token(char *out, size_t outsz, size_t nbytes)
{
	unsigned char buf[64];
	if (nbytes > sizeof(buf))
		nbytes = sizeof(buf);
	while (nbytes && sodium_base64_ENCODED_LEN(nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING) > outsz)
		nbytes--;
	randombytes_buf(buf, nbytes);
	sodium_bin2base64(out, outsz, buf, nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void ts_sha256_hex(const void *data, size_t len, char *out, size_t outsz)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, outsz, h, sizeof(h));
}

_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(((struct ts_sha256 *)0)->state),
	       "ts_sha256 too small for libsodium's state");

void ts_sha256_init(struct ts_sha256 *h)
{
	crypto_hash_sha256_init((crypto_hash_sha256_state *)(void *)h->state);
}

void ts_sha256_update(struct ts_sha256 *h, const void *data, size_t len)
{
	crypto_hash_sha256_update((crypto_hash_sha256_state *)(void *)h->state, data, len);
}

void ts_sha256_final(struct ts_sha256 *h, char *out, size_t outsz)
{
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final((crypto_hash_sha256_state *)(void *)h->state, d);
	sodium_bin2hex(out, outsz, d, sizeof(d));
}

bool ts_str_eq_ct(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return false;
	return sodium_memcmp(a, b, la) == 0;
}
