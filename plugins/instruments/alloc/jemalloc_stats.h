/*
 * jemalloc_stats.h — what the alloc instrument reads from the jemalloc the
 * host runs on, through its mallctl(), found at run time: the plugin never
 * links jemalloc, so without it in the process there is nothing to read.
 */
#ifndef BHOST_ALLOC_JEMALLOC_STATS_H
#define BHOST_ALLOC_JEMALLOC_STATS_H

#include <stddef.h>
#include <stdint.h>

typedef int (*mallctl_fn)(const char *name, void *old, size_t *oldlen, void *new_value,
                          size_t newlen);

struct jemalloc {
    mallctl_fn mallctl;  /* NULL: not usable, `missing` says why */
    const char *version; /* "5.3.0-0-g54eaed1d..." */
    const char *missing;
};

/* Allocation calls and live objects of every arena, as of the last epoch. */
struct arena_totals {
    uint64_t requests; /* allocation calls whose thread cache was flushed since */
    uint64_t live;     /* objects handed out by arenas and not given back to them */
};

/* Finds mallctl() in the process and checks it keeps statistics. */
void jemalloc_find(struct jemalloc *je);

/* The calling thread's bytes allocated and freed since it started (usable sizes). */
int jemalloc_thread_bytes(const struct jemalloc *je, uint64_t *allocated, uint64_t *freed);

/* Gives the calling thread's cached objects back to their arenas, and its call
 * counts to the arenas' statistics. */
void jemalloc_flush_thread_cache(const struct jemalloc *je);

/* Refreshes the statistics (a new epoch) and reads the arenas' totals. */
int jemalloc_arena_totals(const struct jemalloc *je, struct arena_totals *out);

#endif
