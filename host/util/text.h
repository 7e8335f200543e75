/*
 * text.h — text the host checks and shows: UTF-8 validity (JSON strings
 * must be UTF-8, and plugins' and users' text may not be), names joined for
 * messages, and did-you-mean suggestions.
 */
#ifndef BHOST_TEXT_H
#define BHOST_TEXT_H

#include <stddef.h>

/* The length of the UTF-8 character at s (RFC 3629: no overlong forms, no
 * surrogates), or 0 if it is not one. s is NUL-terminated. */
size_t utf8_char_len(const unsigned char *s);
/* Whether s is valid UTF-8; and s with each invalid byte replaced by '?'
 * (in place, returned). */
int utf8_valid(const char *s);
/* How many of s's first bytes, at most `max`, end on a character boundary: a cut that
 * leaves no character in pieces (`printf("%.*s", (int)utf8_prefix(s, 300), s)`). */
size_t utf8_prefix(const char *s, size_t max);
char *utf8_sanitize(char *s);
/* s with every control character (C0, DEL, C1) replaced by '?' (in place,
 * returned), for a terminal: text from a results file must not move the
 * cursor, recolour the screen or break a table's lines. */
char *text_scrub_controls(char *s);

/* Joins names[0..n) with ", " into buf (truncated to fit). */
void join_names(char *buf, size_t size, const char *const *names, size_t n);

/* Edit distance counting a swap of two neighbouring letters as one edit (optimal
 * string alignment), for did-you-mean suggestions. */
size_t edit_distance(const char *a, const char *b);
/* The candidate closest to `word` if it is close enough to be a likely typo; else the only
 * one that begins with `word` or begins it (3 characters at least); else NULL. */
const char *closest_name(const char *word, const char *const *candidates, size_t n);

/* "SIGSEGV" for SIGSEGV; "signal 42" (in buf) for one without a name here. */
const char *signal_name(int sig, char *buf, size_t n);

#endif
