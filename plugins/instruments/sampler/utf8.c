/*
 * utf8.c — one well-formed UTF-8 character at a time (Unicode 15, table 3-7).
 */
#include "utf8.h"

size_t utf8_decode(const char *s, uint32_t *code_point)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char lead = u[0];
    size_t length;
    /* The second byte's range is narrower than 80..BF after E0, ED, F0 and F4:
     * that is what excludes overlong forms, surrogates and values past U+10FFFF. */
    unsigned char second_min = 0x80, second_max = 0xBF;
    uint32_t cp;

    if (lead < 0x80) {
        *code_point = lead;
        return 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        cp = lead & 0x0F;
        if (lead == 0xE0)
            second_min = 0xA0;
        else if (lead == 0xED)
            second_max = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        cp = lead & 0x07;
        if (lead == 0xF0)
            second_min = 0x90;
        else if (lead == 0xF4)
            second_max = 0x8F;
    } else {
        return 0;
    }
    if (u[1] < second_min || u[1] > second_max)
        return 0;
    for (size_t i = 1; i < length; i++) {
        if (u[i] < 0x80 || u[i] > 0xBF)
            return 0;
        cp = cp << 6 | (u[i] & 0x3F);
    }
    *code_point = cp;
    return length;
}
