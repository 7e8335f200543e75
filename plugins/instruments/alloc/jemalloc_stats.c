/* jemalloc_stats.c — see jemalloc_stats.h. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include "jemalloc_stats.h"

#include <dlfcn.h>
#include <stdbool.h>

/* "stats.arenas.<i>" with i = MALLCTL_ARENAS_ALL (4096 in jemalloc 5): every arena summed. */
#define ALL_ARENAS "stats.arenas.4096."

static int read_u64(const struct jemalloc *je, const char *name, uint64_t *v)
{
    size_t size = sizeof *v;
    return je->mallctl(name, v, &size, NULL, 0);
}

void jemalloc_find(struct jemalloc *je)
{
    *je = (struct jemalloc){0};
    void *sym = dlsym(RTLD_DEFAULT, "mallctl");
    if (!sym) {
        je->missing = "jemalloc is not in this process (no mallctl symbol): bhost was built "
                      "without it, as sanitizer builds are";
        return;
    }
    je->mallctl = (mallctl_fn)sym; /* POSIX: dlsym's pointer may be a function's */
    bool stats = false;
    size_t size = sizeof stats;
    if (je->mallctl("config.stats", &stats, &size, NULL, 0) != 0 || !stats) {
        je->mallctl = NULL;
        je->missing = "jemalloc was built without statistics (config.stats is false)";
        return;
    }
    size = sizeof je->version;
    if (je->mallctl("version", &je->version, &size, NULL, 0) != 0)
        je->version = "unknown";
}

int jemalloc_thread_bytes(const struct jemalloc *je, uint64_t *allocated, uint64_t *freed)
{
    return read_u64(je, "thread.allocated", allocated) || read_u64(je, "thread.deallocated", freed)
               ? -1 : 0;
}

void jemalloc_flush_thread_cache(const struct jemalloc *je)
{
    /* EFAULT when the thread has no cache (opt.tcache:false): nothing to flush. */
    (void)je->mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
}

int jemalloc_arena_totals(const struct jemalloc *je, struct arena_totals *out)
{
    uint64_t epoch = 1, small_req, small_in, small_out, large_req, large_in, large_out;
    size_t size = sizeof epoch;
    if (je->mallctl("epoch", &epoch, &size, &epoch, sizeof epoch) != 0 ||
        read_u64(je, ALL_ARENAS "small.nrequests", &small_req) ||
        read_u64(je, ALL_ARENAS "small.nmalloc", &small_in) ||
        read_u64(je, ALL_ARENAS "small.ndalloc", &small_out) ||
        read_u64(je, ALL_ARENAS "large.nrequests", &large_req) ||
        read_u64(je, ALL_ARENAS "large.nmalloc", &large_in) ||
        read_u64(je, ALL_ARENAS "large.ndalloc", &large_out))
        return -1;
    out->requests = small_req + large_req;
    out->live = (small_in - small_out) + (large_in - large_out);
    return 0;
}
