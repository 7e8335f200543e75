/* checksum.c — see checksum.h. */
#include "util/checksum.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void checksum_init(struct checksum *c)
{
    sha256_init(&c->ctx);
}

void checksum_update(struct checksum *c, const void *data, size_t len)
{
    sha256_update(&c->ctx, len, data);
}

void checksum_final_hex(struct checksum *c, char hex[CHECKSUM_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&c->ctx, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[CHECKSUM_HEX_LEN] = '\0';
}

void checksum_hex(const void *data, size_t len, char hex[CHECKSUM_HEX_LEN + 1])
{
    struct checksum c;
    checksum_init(&c);
    checksum_update(&c, data, len);
    checksum_final_hex(&c, hex);
}

int checksum_fd(int fd, char hex[CHECKSUM_HEX_LEN + 1], uint64_t *size)
{
    struct checksum c;
    checksum_init(&c);
    unsigned char buf[65536];
    uint64_t total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        checksum_update(&c, buf, (size_t)n);
        total += (uint64_t)n;
    }
    checksum_final_hex(&c, hex);
    *size = total;
    return 0;
}

static int ids_ascending(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void checksum_ids_hex(const char **ids, size_t n, char hex[CHECKSUM_HEX_LEN + 1])
{
    qsort(ids, n, sizeof *ids, ids_ascending);
    struct checksum c;
    checksum_init(&c);
    for (size_t i = 0; i < n; i++) {
        checksum_update(&c, ids[i], strlen(ids[i]));
        checksum_update(&c, "\n", 1);
    }
    checksum_final_hex(&c, hex);
}
