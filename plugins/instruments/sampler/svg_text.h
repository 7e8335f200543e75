/*
 * svg_text.h — names made fit for an SVG document: valid XML characters,
 * escaped, cut to a width.
 */
#ifndef BHOST_SAMPLER_SVG_TEXT_H
#define BHOST_SAMPLER_SVG_TEXT_H

#include <stddef.h>
#include <stdio.h>

/*
 * A malloc'd copy of `s` made only of characters XML 1.0 allows: control
 * characters (tab and line breaks too) become '_', bytes that are not
 * UTF-8 and U+FFFE/U+FFFF become U+FFFD. NULL on ENOMEM.
 */
char *svg_clean(const char *s);

/* The number of characters (code points) of a cleaned string. */
size_t svg_char_count(const char *clean);

/* The bytes of the first `chars` characters of a cleaned string. */
size_t svg_prefix_bytes(const char *clean, size_t chars);

/* Writes the first `bytes` bytes of a cleaned string with &, <, >, " and '
 * escaped, fit for text and attribute values alike. */
void svg_write_escaped(FILE *out, const char *clean, size_t bytes);

/*
 * Writes a number >= 0 with two decimals, whatever the locale ("12.50"),
 * so that a program with a decimal comma still writes valid SVG.
 */
void svg_write_fixed(FILE *out, double value);

#endif /* BHOST_SAMPLER_SVG_TEXT_H */
