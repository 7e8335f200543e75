/*
 * util.h — small helpers the host shares: allocation that never returns
 * NULL, a growable string, hashing, names and paths.
 */
#ifndef BHOST_UTIL_H
#define BHOST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation failure in the host is unrecoverable: these print and exit 3. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
__attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...);
__attribute__((format(printf, 1, 0))) char *xvasprintf(const char *fmt, va_list ap);

/* Grows *v (of *cap elements of `size` bytes) so that index `need` fits. */
void grow(void *v, size_t *cap, size_t need, size_t size);

/* 64-bit FNV-1a: the documented hash behind point ids. */
uint64_t fnv1a64(const void *data, size_t len, uint64_t h);
#define FNV1A64_INIT UINT64_C(0xcbf29ce484222325)
/* SplitMix64 finaliser: spreads seed bits. */
uint64_t mix64(uint64_t x);

/* Levenshtein distance, for did-you-mean suggestions. */
size_t edit_distance(const char *a, const char *b);
/* The candidate closest to `word` if it is close enough to be a likely typo. */
const char *closest_name(const char *word, const char *const *candidates, size_t n);

/* mkdir -p. 0 or -1 with errno. */
int mkdir_p(const char *path, unsigned mode);
/* rm -rf of a directory tree. 0 or -1 with errno. */
int remove_tree(const char *path);
/* Writes `len` bytes to `path` via a temporary file and rename(2). */
int write_file_atomic(const char *path, const void *data, size_t len);
/* The whole file, NUL-terminated, malloc'd; NULL with errno. */
char *read_file(const char *path, size_t *len);

/* Whether s is valid UTF-8; and s with each invalid byte replaced by '?'
 * (in place, returned). JSON strings must be UTF-8, and plugins may not be. */
int utf8_valid(const char *s);
char *utf8_sanitize(char *s);

/* Joins names[0..n) with ", " into buf (truncated to fit). */
void join_names(char *buf, size_t size, const char *const *names, size_t n);

/* UTC time as 2026-11-22T08:11:02Z (iso=1) or 20261122T081102Z (iso=0). */
void utc_stamp(char *buf, size_t n, int iso);

#endif
