/*
 * utf8.h — reading names that may not be valid UTF-8, for the writers whose
 * formats (JSON, XML) require it.
 */
#ifndef BHOST_SAMPLER_UTF8_H
#define BHOST_SAMPLER_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* U+FFFD, what the writers put in place of a byte that is not UTF-8. */
#define UTF8_REPLACEMENT "\xEF\xBF\xBD"

/*
 * The length (1 to 4) of the well-formed UTF-8 character that starts `s`,
 * with its code point in *code_point; 0 if `s` does not start with one
 * (a stray or overlong byte, a surrogate, a code point above U+10FFFF, a
 * sequence cut short, by the string's terminating NUL included).
 */
size_t utf8_decode(const char *s, uint32_t *code_point);

#endif /* BHOST_SAMPLER_UTF8_H */
