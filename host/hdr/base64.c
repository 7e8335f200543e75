/*
 * base64.c — RFC 4648 Base64 with padding; the decoder accepts only the
 * canonical form.
 */
#include "hdr/base64.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *b64_encode(const uint8_t *data, size_t len)
{
    if (len / 3 >= (SIZE_MAX - 5) / 4) {
        errno = ENOMEM;
        return NULL;
    }
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (!out)
        return NULL;
    char *p = out;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
        *p++ = b64_alphabet[v >> 18];
        *p++ = b64_alphabet[(v >> 12) & 63];
        *p++ = b64_alphabet[(v >> 6) & 63];
        *p++ = b64_alphabet[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)data[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)data[i + 1] << 8;
        *p++ = b64_alphabet[v >> 18];
        *p++ = b64_alphabet[(v >> 12) & 63];
        *p++ = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
        *p++ = '=';
    }
    *p = '\0';
    return out;
}

/* Each alphabet character's sextet plus one; 0 marks every other byte. */
static const uint8_t b64_plus_one[256] = {
    ['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7,
    ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14,
    ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21,
    ['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28,
    ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35,
    ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
    ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49,
    ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63,
    ['/'] = 64,
};

/* The sextets of 4 characters packed into 24 bits, or -1 if one of them is
 * not in the alphabet. */
static int32_t b64_quad(const char *in)
{
    uint32_t a = b64_plus_one[(uint8_t)in[0]], b = b64_plus_one[(uint8_t)in[1]],
             c = b64_plus_one[(uint8_t)in[2]], d = b64_plus_one[(uint8_t)in[3]];
    if (!a || !b || !c || !d)
        return -1;
    return (int32_t)((a - 1) << 18 | (b - 1) << 12 | (c - 1) << 6 | (d - 1));
}

/* Decodes one group of 4 characters, `pad` of them '='; writes 3 - pad bytes. */
static int b64_decode_group(const char *in, size_t pad, uint8_t *out)
{
    char quad[4];
    memcpy(quad, in, sizeof quad);
    for (size_t j = 4 - pad; j < 4; j++)
        quad[j] = 'A';
    int32_t v = b64_quad(quad);
    if (v < 0)
        return -1;
    /* The bits of the last data character beyond the final byte must be 0. */
    if ((uint32_t)v & ((UINT32_C(1) << (8 * pad)) - 1))
        return -1;
    for (size_t j = 0; j < 3 - pad; j++)
        out[j] = (uint8_t)((uint32_t)v >> (16 - 8 * j));
    return 0;
}

int b64_decode(const char *text, uint8_t **out, size_t *out_len)
{
    size_t len = strlen(text);
    if (len % 4) {
        errno = EINVAL;
        return -1;
    }
    size_t pad = 0;
    if (len && text[len - 1] == '=')
        pad = text[len - 2] == '=' ? 2 : 1;
    size_t n = len / 4 * 3 - pad;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return -1;
    size_t i = 0, o = 0;
    int ok = 1;
    /* Every group but the last has no padding: the quick path. */
    for (; len && i < len - 4; i += 4, o += 3) {
        int32_t v = b64_quad(text + i);
        uint32_t u = (uint32_t)v;
        ok &= v >= 0;
        buf[o] = (uint8_t)(u >> 16);
        buf[o + 1] = (uint8_t)(u >> 8);
        buf[o + 2] = (uint8_t)u;
    }
    if (!ok || (len && b64_decode_group(text + i, pad, buf + o) < 0)) {
        free(buf);
        errno = EINVAL;
        return -1;
    }
    *out = buf;
    *out_len = n;
    return 0;
}
