/*
 * checksum.h — SHA-256 as hex, the one SHA-256 of the host: of a run's files
 * for the artifact manifest (what `sha256sum` prints, so that a reader can
 * check a file with the tools at hand), of a shard's balance file and of a
 * sweep's point ids. Nettle computes it (docs/dependencies.md).
 */
#ifndef BHOST_CHECKSUM_H
#define BHOST_CHECKSUM_H

#include <nettle/sha2.h>

#include <stddef.h>
#include <stdint.h>

#define CHECKSUM_HEX_LEN 64

struct checksum {
    struct sha256_ctx ctx;
};

void checksum_init(struct checksum *c);
void checksum_update(struct checksum *c, const void *data, size_t len);
/* The digest as 64 lowercase hex digits and a NUL, in hex. */
void checksum_final_hex(struct checksum *c, char hex[CHECKSUM_HEX_LEN + 1]);

/* The digest of a set of ids: sorted ascending (ids is reordered), each followed by "\n"
 * (a shard's run.shard.sweep_ids_sha256, which merge checks the shards' union against). */
void checksum_ids_hex(const char **ids, size_t n, char hex[CHECKSUM_HEX_LEN + 1]);
/* The digest of `len` bytes. */
void checksum_hex(const void *data, size_t len, char hex[CHECKSUM_HEX_LEN + 1]);
/* The digest of what is left to read of `fd`, and how many bytes that was: 0, or -1 with
 * errno. The caller closes fd. */
int checksum_fd(int fd, char hex[CHECKSUM_HEX_LEN + 1], uint64_t *size);

#endif
