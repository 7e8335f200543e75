/*
 * base64.c — RFC 4648 Base64 with padding; the decoder accepts only the
 * canonical form.
 */
#include "base64.h"

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

static int b64_sextet(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Decodes one group of 4 characters, `pad` of them '='; writes 3 - pad bytes. */
static int b64_decode_group(const char *in, size_t pad, uint8_t *out)
{
    uint32_t v = 0;
    for (size_t j = 0; j < 4; j++) {
        int s = j < 4 - pad ? b64_sextet(in[j]) : 0;
        if (s < 0)
            return -1;
        v = v << 6 | (uint32_t)s;
    }
    /* The bits of the last data character beyond the final byte must be 0. */
    if (v & ((UINT32_C(1) << (8 * pad)) - 1))
        return -1;
    for (size_t j = 0; j < 3 - pad; j++)
        out[j] = (uint8_t)(v >> (16 - 8 * j));
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
    for (size_t i = 0, o = 0; i < len; i += 4, o += 3) {
        if (b64_decode_group(text + i, i + 4 == len ? pad : 0, buf + o) < 0) {
            free(buf);
            errno = EINVAL;
            return -1;
        }
    }
    *out = buf;
    *out_len = n;
    return 0;
}
