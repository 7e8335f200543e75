/*
 * hdr_v2.c — HdrHistogram V2 encoding (as AbstractHistogram in HdrHistogram
 * Java writes it), compressed with zlib, plus its Base64 text form.
 *
 * Uncompressed: a 40-byte big-endian header (cookie, payload length,
 * normalizing index offset, significant digits, lowest discernible value,
 * highest trackable value, integer-to-double ratio) and a payload of counts
 * from index 0 to the highest non-zero one, each a ZigZag LEB128 int64 of at
 * most 9 bytes; a run of k > 1 zero counts is written as -k.
 * Compressed: cookie, deflated length, zlib stream of the uncompressed form.
 */
#include "hdr/hdr_v2.h"
#include "hdr/base64.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#define ZLIB_CONST /* next_in is const: zlib only reads it */
#include <zlib.h>

#define V2_COOKIE_BASE INT32_C(0x1c849303)
#define V2_COMPRESSED_COOKIE_BASE INT32_C(0x1c849304)
#define V2_WORD_SIZE_BITS 0x10 /* marks the ZigZag LEB128 word format */
/* Java ignores the word-size nibble of V2 cookies when decoding. */
#define COOKIE_BASE(c) ((c) & ~INT32_C(0xf0))
#define V2_HEADER_LEN 40
#define V2_MAX_WORD_LEN 9
#define V2_MAX_DECODED_LEN (64u << 20)

static void put_be32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
    return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static uint64_t double_bits(double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return bits;
}

/* LEB128-64b9B: 7 bits a byte, except that a 9th byte carries 8. */
static size_t put_zigzag(uint8_t *p, int64_t value)
{
    uint64_t z = (uint64_t)value << 1 ^ (0 - ((uint64_t)value >> 63));
    size_t n = 0;
    while (n < 8 && z >= 0x80) {
        p[n++] = (uint8_t)(z | 0x80);
        z >>= 7;
    }
    p[n++] = (uint8_t)z;
    return n;
}

static int get_zigzag(const uint8_t **pos, const uint8_t *end, int64_t *value)
{
    const uint8_t *p = *pos;
    uint64_t z = 0;
    for (int shift = 0;; shift += 7) {
        if (p == end)
            return -1;
        uint8_t b = *p++;
        if (shift == 56) {
            z |= (uint64_t)b << 56;
            break;
        }
        z |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
    }
    *value = (int64_t)(z >> 1 ^ (0 - (z & 1)));
    *pos = p;
    return 0;
}

/* Highest non-zero index, or 0 for an empty histogram (Java writes a single
 * zero count then). */
static int32_t encoded_last_index(const struct hdr *h)
{
    int32_t i = h->max_index;
    while (i >= h->min_index && h->counts[i] == 0)
        i--;
    return i >= h->min_index ? i : 0;
}

/*
 * The uncompressed V2 form in a malloc'd buffer, or NULL. The buffer starts
 * at a size that fits typical histograms and doubles as needed: a bound of
 * 9 bytes per count would be ~300 KB, which malloc maps afresh (and the
 * kernel faults in page by page) for every encoding.
 */
static uint8_t *encode_plain(const struct hdr *h, size_t *len)
{
    int32_t last = encoded_last_index(h);
    for (int32_t i = h->min_index; i <= last; i++) {
        if (h->counts[i] < 0) {
            errno = EINVAL;
            return NULL;
        }
    }
    size_t cap = V2_HEADER_LEN + 16 * 1024, n = V2_HEADER_LEN;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return NULL;
    const int64_t *c = h->counts;
    for (int32_t i = 0; i <= last;) {
        if (n + V2_MAX_WORD_LEN > cap) {
            uint8_t *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                return NULL;
            }
            buf = bigger;
            cap *= 2;
        }
        int32_t run = 1;
        if (c[i] == 0) {
            while (i + run <= last && c[i + run] == 0)
                run++;
        }
        n += put_zigzag(buf + n, run > 1 ? -(int64_t)run : c[i]);
        i += run;
    }
    put_be32(buf, (uint32_t)(V2_COOKIE_BASE | V2_WORD_SIZE_BITS));
    put_be32(buf + 4, (uint32_t)(n - V2_HEADER_LEN));
    put_be32(buf + 8, 0); /* normalizing index offset */
    put_be32(buf + 12, (uint32_t)h->sig_figs);
    put_be64(buf + 16, (uint64_t)h->lowest_discernible);
    put_be64(buf + 24, (uint64_t)h->highest_trackable);
    put_be64(buf + 32, double_bits(1.0));
    *len = n;
    return buf;
}

/*
 * One deflate stream for the process, reset between encodings. Its strategy
 * is Z_RLE: counts repeat bytes rather than longer strings, so run-length
 * matches compress a wide histogram 8 % smaller than the default strategy
 * at Java's default level, in an eighth of the time. Run-length matches
 * reach back one byte, so a 512-byte window (windowBits 9) loses nothing,
 * and memLevel 6 keeps 4096-symbol blocks (within 1 % of the default's
 * size) with a 16 KB hash: the state is ~36 KB instead of ~260 KB, and an
 * isolated point's child, which writes to it copy-on-write, faults in a few
 * pages rather than dozens. Any zlib inflater (Java's too) reads the stream.
 */
static z_stream deflater;
static int deflater_ready;

static int deflate_all(const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
    if (!deflater_ready) {
        if (deflateInit2(&deflater, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 9, 6, Z_RLE) != Z_OK)
            return -1;
        deflater_ready = 1;
    } else if (deflateReset(&deflater) != Z_OK) {
        return -1;
    }
    deflater.next_in = in;
    deflater.avail_in = (uInt)in_len;
    deflater.next_out = out;
    deflater.avail_out = (uInt)*out_len;
    if (deflate(&deflater, Z_FINISH) != Z_STREAM_END)
        return -1;
    *out_len = deflater.total_out;
    return 0;
}

int hdr_encode_v2(const struct hdr *h, uint8_t **out, size_t *out_len)
{
    size_t plain_len;
    uint8_t *plain = encode_plain(h, &plain_len);
    if (!plain)
        return -1;
    size_t deflated_len = compressBound(plain_len);
    uint8_t *buf = malloc(8 + deflated_len);
    if (!buf || deflate_all(plain, plain_len, buf + 8, &deflated_len) != 0) {
        free(buf);
        free(plain);
        errno = ENOMEM;
        return -1;
    }
    free(plain);
    put_be32(buf, (uint32_t)(V2_COMPRESSED_COOKIE_BASE | V2_WORD_SIZE_BITS));
    put_be32(buf + 4, (uint32_t)deflated_len);
    *out = buf;
    *out_len = 8 + deflated_len;
    return 0;
}

/*
 * Checks a V2 header and initialises *h for its layout; returns the payload
 * length it announces, or -1. Only what bhost writes is accepted: no index
 * offset (Java shifts counts by it) and a conversion ratio of 1.0 (anything
 * else holds DoubleHistogram values in other units).
 */
static int64_t init_from_header(const uint8_t *p, struct hdr *h)
{
    int32_t cookie = (int32_t)get_be32(p);
    int32_t payload = (int32_t)get_be32(p + 4);
    int32_t offset = (int32_t)get_be32(p + 8);
    int32_t sig_figs = (int32_t)get_be32(p + 12);
    if (COOKIE_BASE(cookie) != V2_COOKIE_BASE || payload < 0)
        return -1;
    if (offset != 0 || get_be64(p + 32) != double_bits(1.0)) {
        errno = ENOTSUP;
        return -1;
    }
    if (hdr_init(h, (int64_t)get_be64(p + 16), (int64_t)get_be64(p + 24), sig_figs) < 0)
        return -1;
    if ((uint64_t)payload > (uint64_t)h->counts_len * V2_MAX_WORD_LEN ||
        (uint32_t)payload > V2_MAX_DECODED_LEN - V2_HEADER_LEN) {
        hdr_fini(h);
        return -1;
    }
    return payload;
}

/* Sets counts from a payload and establishes min/max index and total. */
static int read_payload(struct hdr *h, const uint8_t *p, size_t len)
{
    const uint8_t *end = p + len;
    int32_t index = 0;
    while (p < end) {
        int64_t v;
        if (*p < 0x80) /* most words are one byte */
            v = (int64_t)(*p >> 1) ^ -(int64_t)(*p & 1), p++;
        else if (get_zigzag(&p, end, &v) < 0)
            return -1;
        if (v < 0) {
            uint64_t zeros = 0 - (uint64_t)v;
            if (zeros > (uint64_t)(h->counts_len - index))
                return -1;
            index += (int32_t)zeros;
            continue;
        }
        if (index >= h->counts_len)
            return -1;
        if (v > 0) {
            if (__builtin_add_overflow(h->total_count, v, &h->total_count))
                return -1;
            if (index < h->min_index)
                h->min_index = index;
            h->max_index = index;
        }
        h->counts[index++] = v;
    }
    return 0;
}

static int decode_plain(const uint8_t *buf, size_t len, struct hdr *h)
{
    if (len < V2_HEADER_LEN)
        return -1;
    int64_t payload = init_from_header(buf, h);
    if (payload < 0)
        return -1;
    if ((uint64_t)payload != len - V2_HEADER_LEN ||
        read_payload(h, buf + V2_HEADER_LEN, (size_t)payload) < 0) {
        hdr_fini(h);
        return -1;
    }
    return 0;
}

/*
 * Inflates the header, then the payload it announces into a buffer with one
 * spare byte: the stream must end with exactly that payload and no input
 * left over.
 */
static int inflate_v2(z_stream *zs, struct hdr *h)
{
    uint8_t header[V2_HEADER_LEN];
    zs->next_out = header;
    zs->avail_out = sizeof header;
    int rc = inflate(zs, Z_NO_FLUSH);
    if ((rc != Z_OK && rc != Z_STREAM_END) || zs->avail_out != 0)
        return -1;
    int64_t payload = init_from_header(header, h);
    if (payload < 0)
        return -1;
    uint8_t *buf = malloc((size_t)payload + 1);
    if (buf) {
        zs->next_out = buf;
        zs->avail_out = (uInt)payload + 1;
        rc = inflate(zs, Z_NO_FLUSH);
        if (rc == Z_STREAM_END && zs->avail_out == 1 && zs->avail_in == 0 &&
            read_payload(h, buf, (size_t)payload) == 0) {
            free(buf);
            return 0;
        }
    }
    free(buf);
    hdr_fini(h);
    return -1;
}

static int decode_compressed(const uint8_t *buf, size_t len, struct hdr *h)
{
    if (len < 8 || get_be32(buf + 4) != len - 8)
        return -1;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK)
        return -1;
    zs.next_in = buf + 8;
    zs.avail_in = (uInt)(len - 8);
    int rc = inflate_v2(&zs, h);
    int saved = errno;
    inflateEnd(&zs);
    errno = saved;
    return rc;
}

int hdr_decode_v2(const uint8_t *buf, size_t len, struct hdr *h)
{
    struct hdr tmp;
    int rc = -1;
    errno = 0;
    if (len >= 4) {
        int32_t base = COOKIE_BASE((int32_t)get_be32(buf));
        if (base == V2_COMPRESSED_COOKIE_BASE)
            rc = decode_compressed(buf, len, &tmp);
        else if (base == V2_COOKIE_BASE)
            rc = decode_plain(buf, len, &tmp);
    }
    if (rc < 0) {
        memset(h, 0, sizeof *h);
        if (errno != ENOTSUP)
            errno = EINVAL;
        return -1;
    }
    *h = tmp;
    return 0;
}

char *hdr_encode_v2_base64(const struct hdr *h)
{
    uint8_t *bin;
    size_t len;
    if (hdr_encode_v2(h, &bin, &len) < 0)
        return NULL;
    char *text = b64_encode(bin, len);
    free(bin);
    return text;
}

int hdr_decode_v2_base64(const char *text, struct hdr *h)
{
    uint8_t *bin;
    size_t len;
    if (b64_decode(text, &bin, &len) < 0) {
        memset(h, 0, sizeof *h);
        return -1;
    }
    int rc = hdr_decode_v2(bin, len, h);
    free(bin);
    return rc;
}
