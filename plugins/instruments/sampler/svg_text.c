/*
 * svg_text.c — cleaning, measuring, cutting and escaping text for SVG.
 */
#include "svg_text.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

char *svg_clean(const char *s)
{
    char *clean = malloc(3 * strlen(s) + 1);
    if (!clean)
        return NULL;
    char *at = clean;
    while (*s) {
        unsigned char c = (unsigned char)*s;
        uint32_t code_point;
        size_t length = utf8_decode(s, &code_point);
        if (c < 0x20 || c == 0x7F) {
            *at++ = '_';
        } else if (length && code_point != 0xFFFE && code_point != 0xFFFF) {
            memcpy(at, s, length);
            at += length;
        } else {
            memcpy(at, UTF8_REPLACEMENT, 3);
            at += 3;
        }
        s += length ? length : 1;
    }
    *at = '\0';
    return clean;
}

/* A cleaned string is valid UTF-8: continuation bytes are 10xxxxxx. */
static int starts_character(char c)
{
    return ((unsigned char)c & 0xC0) != 0x80;
}

size_t svg_char_count(const char *clean)
{
    size_t chars = 0;
    for (; *clean; clean++)
        chars += starts_character(*clean);
    return chars;
}

size_t svg_prefix_bytes(const char *clean, size_t chars)
{
    size_t bytes = 0;
    for (; clean[bytes]; bytes++)
        if (starts_character(clean[bytes]) && chars-- == 0)
            break;
    return bytes;
}

void svg_write_escaped(FILE *out, const char *clean, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++) {
        switch (clean[i]) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        default: fputc(clean[i], out);
        }
    }
}

void svg_write_fixed(FILE *out, double value)
{
    uint64_t hundredths = value > 0 ? (uint64_t)(value * 100 + 0.5) : 0;
    fprintf(out, "%" PRIu64 ".%02u", hundredths / 100, (unsigned)(hundredths % 100));
}
