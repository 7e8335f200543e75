/*
 * mem.h — memory the host allocates: allocation failure in the host is
 * unrecoverable, so these never return NULL; they print and exit 3.
 */
#ifndef BHOST_MEM_H
#define BHOST_MEM_H

#include <stdarg.h>
#include <stddef.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
__attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...);
__attribute__((format(printf, 1, 0))) char *xvasprintf(const char *fmt, va_list ap);

/* Frees an owned copy that a struct shows through a const pointer (a descriptor's
 * strings, which the SDK declares const). */
void free_const(const void *p);

/* Grows *v (of *cap elements of `size` bytes) so that index `need` fits. */
void grow(void *v, size_t *cap, size_t need, size_t size);

#endif
