/*
 * hdr_v0v1.c — HdrHistogram's V0 and V1 encodings, read only; see
 * hdr_v0v1.h. The layout, as HdrHistogram Java's AbstractHistogram reads it:
 *
 * Deflated form: a cookie (V0 0x1c849309, V1 0x1c849302, the bits 0xf0
 * aside), the length of the zlib stream that follows, the stream.
 * Inside it, big-endian:
 *   V1: cookie 0x1c849301, payload length, normalizing index offset,
 *       significant digits (32 bits each), lowest discernible value,
 *       highest trackable value (64 bits each), integer-to-double ratio
 *       (a double): 40 bytes; then the payload.
 *   V0: cookie 0x1c849308, significant digits (32 bits), lowest, highest,
 *       total count (64 bits each; readers ignore the count): 32 bytes;
 *       then the payload, to the end of the stream.
 * The payload is the counts from index 0, one signed word each, of the size
 * the inner cookie's bits 0xf0 give (shifted down by 4, bit 0 cleared):
 * 2, 4 or 8 bytes. Unlike V2 there are no zero runs.
 */
#include "hdr/hdr_v0v1.h"
#include "hdr/base64.h"
#include "hdr/hdr_v2.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#define ZLIB_CONST /* next_in is const: zlib only reads it */
#include <zlib.h>

#define V0_COOKIE_BASE INT32_C(0x1c849308)
#define V0_COMPRESSED_COOKIE_BASE INT32_C(0x1c849309)
#define V1_COOKIE_BASE INT32_C(0x1c849301)
#define V1_COMPRESSED_COOKIE_BASE INT32_C(0x1c849302)
#define V2_COOKIE_BASE INT32_C(0x1c849303)
#define V2_COMPRESSED_COOKIE_BASE INT32_C(0x1c849304)
#define COOKIE_BASE(c) ((c) & ~INT32_C(0xf0))
#define V0_HEADER_LEN 32
#define V1_HEADER_LEN 40
#define MAX_PAYLOAD (64u << 20)

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
    return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static int32_t cookie_at(const uint8_t *p)
{
    return (int32_t)get_be32(p);
}

/* The word size an inner cookie gives: 2, 4 or 8 bytes, else -1. */
static int word_size(int32_t cookie)
{
    int size = (int)(((uint32_t)cookie & 0xf0) >> 4) & 0xe;
    return size == 2 || size == 4 || size == 8 ? size : -1;
}

/* What a header says about the payload that follows it. */
struct payload_shape {
    int word;         /* bytes per count */
    size_t len;       /* V1: its exact length; V0: the most it may be */
    int exact;        /* V1: len is exact; V0: the payload runs to the end */
};

/*
 * Checks an inner header of `version` (0 or 1; `p` holds its whole length)
 * and initialises *h for its layout. 0, or -1 with errno set.
 */
static int read_header(const uint8_t *p, int version, struct hdr *h, struct payload_shape *s)
{
    int32_t cookie = cookie_at(p);
    s->word = word_size(cookie);
    if (COOKIE_BASE(cookie) != (version == 0 ? V0_COOKIE_BASE : V1_COOKIE_BASE) || s->word < 0) {
        errno = EINVAL;
        return -1;
    }
    int32_t sig_figs, payload = 0;
    const uint8_t *range;
    if (version == 1) {
        payload = (int32_t)get_be32(p + 4);
        int32_t offset = (int32_t)get_be32(p + 8);
        sig_figs = (int32_t)get_be32(p + 12);
        range = p + 16;
        double ratio;
        uint64_t bits = get_be64(p + 32);
        memcpy(&ratio, &bits, sizeof ratio);
        if (payload < 0) {
            errno = EINVAL;
            return -1;
        }
        if (offset != 0 || ratio != 1.0) {
            errno = ENOTSUP;
            return -1;
        }
    } else {
        sig_figs = (int32_t)get_be32(p + 4);
        range = p + 8;
    }
    if (hdr_init(h, (int64_t)get_be64(range), (int64_t)get_be64(range + 8), sig_figs) < 0)
        return -1;
    size_t most = (size_t)h->counts_len * (size_t)s->word;
    s->exact = version == 1;
    s->len = s->exact ? (size_t)payload : most;
    if (s->len > most || s->len > MAX_PAYLOAD || s->len % (size_t)s->word != 0) {
        hdr_fini(h);
        errno = EINVAL;
        return -1;
    }
    return 0;
}

/* Sets the counts from `len` bytes of words; establishes min/max index and total. */
static int read_counts(struct hdr *h, const uint8_t *p, size_t len, int word)
{
    if (len % (size_t)word != 0 || len / (size_t)word > (size_t)h->counts_len)
        return -1;
    for (int32_t i = 0; (size_t)i < len / (size_t)word; i++, p += word) {
        int64_t v = word == 2 ? (int16_t)(p[0] << 8 | p[1])
                    : word == 4 ? (int32_t)get_be32(p)
                                : (int64_t)get_be64(p);
        if (v < 0)
            return -1;
        if (v == 0)
            continue;
        if (__builtin_add_overflow(h->total_count, v, &h->total_count))
            return -1;
        if (i < h->min_index)
            h->min_index = i;
        h->max_index = i;
        h->counts[i] = v;
    }
    return 0;
}

static int decode_plain(const uint8_t *buf, size_t len, int version, struct hdr *h)
{
    size_t header = version == 0 ? V0_HEADER_LEN : V1_HEADER_LEN;
    struct payload_shape s;
    if (len < header) {
        errno = EINVAL;
        return -1;
    }
    if (read_header(buf, version, h, &s) != 0)
        return -1;
    size_t payload = len - header;
    if ((s.exact ? payload != s.len : payload > s.len) ||
        read_counts(h, buf + header, payload, s.word) != 0) {
        hdr_fini(h);
        errno = EINVAL;
        return -1;
    }
    return 0;
}

/*
 * Inflates the inner header, then the payload into a buffer one byte larger
 * than it may be: the stream must end there, with no input left over.
 */
static int inflate_payload(z_stream *zs, int version, struct hdr *h)
{
    uint8_t header[V1_HEADER_LEN];
    zs->next_out = header;
    zs->avail_out = version == 0 ? V0_HEADER_LEN : V1_HEADER_LEN;
    int rc = inflate(zs, Z_NO_FLUSH);
    if ((rc != Z_OK && rc != Z_STREAM_END) || zs->avail_out != 0) {
        errno = EINVAL;
        return -1;
    }
    struct payload_shape s;
    if (read_header(header, version, h, &s) != 0)
        return -1;
    uint8_t *buf = malloc(s.len + 1);
    if (!buf) {
        hdr_fini(h);
        errno = ENOMEM;
        return -1;
    }
    zs->next_out = buf;
    zs->avail_out = (uInt)s.len + 1;
    rc = inflate(zs, Z_NO_FLUSH);
    size_t got = s.len + 1 - zs->avail_out;
    int ok = rc == Z_STREAM_END && zs->avail_in == 0 && (s.exact ? got == s.len : got <= s.len) &&
             read_counts(h, buf, got, s.word) == 0;
    free(buf);
    if (!ok) {
        hdr_fini(h);
        errno = EINVAL;
        return -1;
    }
    return 0;
}

static int decode_compressed(const uint8_t *buf, size_t len, int version, struct hdr *h)
{
    if (len < 8 || get_be32(buf + 4) != len - 8) {
        errno = EINVAL;
        return -1;
    }
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK) {
        errno = ENOMEM;
        return -1;
    }
    zs.next_in = buf + 8;
    zs.avail_in = (uInt)(len - 8);
    int rc = inflate_payload(&zs, version, h);
    int saved = errno;
    inflateEnd(&zs);
    errno = saved;
    return rc;
}

int hdr_decode_v0v1(const uint8_t *buf, size_t len, struct hdr *h)
{
    struct hdr tmp;
    int rc = -1;
    errno = EINVAL;
    if (len >= 4 && len <= MAX_PAYLOAD) {
        switch (COOKIE_BASE(cookie_at(buf))) {
        case V0_COMPRESSED_COOKIE_BASE: rc = decode_compressed(buf, len, 0, &tmp); break;
        case V1_COMPRESSED_COOKIE_BASE: rc = decode_compressed(buf, len, 1, &tmp); break;
        case V0_COOKIE_BASE: rc = decode_plain(buf, len, 0, &tmp); break;
        case V1_COOKIE_BASE: rc = decode_plain(buf, len, 1, &tmp); break;
        default: break;
        }
    }
    if (rc < 0) {
        memset(h, 0, sizeof *h);
        return -1;
    }
    *h = tmp;
    return 0;
}

int hdr_decode_any(const uint8_t *buf, size_t len, struct hdr *h)
{
    int32_t base = len >= 4 ? COOKIE_BASE(cookie_at(buf)) : 0;
    if (base == V2_COOKIE_BASE || base == V2_COMPRESSED_COOKIE_BASE)
        return hdr_decode_v2(buf, len, h);
    return hdr_decode_v0v1(buf, len, h);
}

int hdr_decode_any_base64(const char *text, struct hdr *h)
{
    uint8_t *bin;
    size_t len;
    if (b64_decode(text, &bin, &len) < 0) {
        memset(h, 0, sizeof *h);
        errno = EINVAL;
        return -1;
    }
    int rc = hdr_decode_any(bin, len, h);
    int saved = errno;
    free(bin);
    errno = saved;
    return rc;
}
