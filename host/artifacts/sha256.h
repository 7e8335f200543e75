/*
 * sha256.h — SHA-256 (FIPS 180-4), for the manifest's checksums of a run's
 * files: what `sha256sum` prints, so a reader can check a file with the
 * tools at hand. No library on the build's list offers it (docs/dependencies.md).
 */
#ifndef BHOST_SHA256_H
#define BHOST_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 64

struct sha256 {
    uint32_t state[8];
    uint64_t length;        /* bytes hashed so far */
    unsigned char block[64];
    size_t used;            /* bytes waiting in block */
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* The digest as 64 lowercase hex digits and a NUL, in hex. */
void sha256_final_hex(struct sha256 *c, char hex[SHA256_HEX_LEN + 1]);

/* The digest of `len` bytes. */
void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1]);
/* The digest of what is left to read of `fd`, and how many bytes that was: 0, or -1 with
 * errno. The caller closes fd. */
int sha256_fd(int fd, char hex[SHA256_HEX_LEN + 1], uint64_t *size);

#endif
