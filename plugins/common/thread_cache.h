/*
 * thread_cache.h — for instruments' own threads: jemalloc's thread cache
 * off, so that what such a thread frees goes back to the arenas at once and
 * the alloc instrument's process-wide call counts, taken with the measured
 * threads' caches flushed, see its calls whole (docs/plugins.md, alloc).
 * Nothing happens where the host does not run on jemalloc.
 */
#ifndef BHOST_THREAD_CACHE_H
#define BHOST_THREAD_CACHE_H

void thread_cache_off(void);

#endif
