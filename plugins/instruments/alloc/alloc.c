/*
 * alloc — what a point allocates, from the jemalloc the host runs on.
 *
 * Bytes come from jemalloc's per-thread counters (thread.allocated and
 * thread.deallocated), read in thread_start() and thread_end() of each
 * measured thread and added up: exact for those threads, in usable sizes.
 * Calls come from the statistics of every arena, which are the whole
 * process's: at both ends each measured thread flushes its thread cache, so
 * that its calls reach them, and waits for the others; the last one to
 * arrive reads the arenas' totals.
 *
 * Without jemalloc in the process (the sanitizer build), every metric is
 * unavailable with the reason, never zero.
 */
#include <bhost/bhost.h>

#include "jemalloc_stats.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static const char *const metric_names[] = {"bytes_allocated", "bytes_freed", "net_bytes",
                                           "allocations", "deallocations"};

struct thread_bytes {
    int started;        /* thread_start() read the counters */
    int ended;          /* thread_end() did too: the fields below are changes */
    uint64_t allocated; /* at thread_start(), then the change by thread_end() */
    uint64_t freed;
};

/* Where the measured threads meet, in thread_start() and in thread_end(): each flushes its
 * cache and waits until the last one has read the arenas' totals, so that no call made in
 * between is missed or counted twice. */
struct meeting {
    uint32_t arrived;
    int have;                  /* the last to arrive read `totals` */
    struct arena_totals totals;
};

struct point {
    uint32_t nthreads;
    int count_calls;
    pthread_mutex_t lock;
    pthread_cond_t all_here;   /* on CLOCK_MONOTONIC */
    struct meeting start, end;
    struct thread_bytes *threads;
};

struct alloc {
    struct jemalloc je;
    struct point *point; /* the point under way, in its own process */
};

static int alloc_run_start(bhost_ctx *ctx, void **state)
{
    struct alloc *s = calloc(1, sizeof *s);
    if (!s)
        return bhost_fail(ctx, "out of memory");
    jemalloc_find(&s->je);
    *state = s;
    return BHOST_OK;
}

static int alloc_point_start(bhost_ctx *ctx, void *state)
{
    struct alloc *s = state;
    if (!s->je.mallctl)
        return BHOST_OK;
    struct point *p = calloc(1, sizeof *p);
    uint32_t n = bhost_thread_count(ctx);
    if (p)
        p->threads = calloc(n, sizeof *p->threads);
    if (!p || !p->threads) {
        free(p);
        return bhost_fail(ctx, "out of memory");
    }
    p->nthreads = n;
    p->count_calls = bhost_param_bool(ctx, "count_calls");
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&p->all_here, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&p->lock, NULL);
    s->point = p;
    return BHOST_OK;
}

/* A thread that never comes (the point is failing) holds the others this long at most. */
#define MEETING_WAIT_S 10

static void meet(const struct alloc *s, struct point *p, struct meeting *m)
{
    jemalloc_flush_thread_cache(&s->je);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += MEETING_WAIT_S;
    pthread_mutex_lock(&p->lock);
    if (++m->arrived == p->nthreads) {
        m->have = jemalloc_arena_totals(&s->je, &m->totals) == 0;
        pthread_cond_broadcast(&p->all_here);
    }
    while (m->arrived < p->nthreads &&
           pthread_cond_timedwait(&p->all_here, &p->lock, &until) == 0)
        ;
    pthread_mutex_unlock(&p->lock);
}

static int alloc_thread_start(bhost_ctx *ctx, void *state)
{
    struct alloc *s = state;
    struct point *p = s->point;
    uint32_t i = bhost_thread_index(ctx);
    if (!p || i >= p->nthreads)
        return BHOST_OK;
    struct thread_bytes *t = &p->threads[i];
    t->started = jemalloc_thread_bytes(&s->je, &t->allocated, &t->freed) == 0;
    if (p->count_calls)
        meet(s, p, &p->start);
    return BHOST_OK;
}

static int alloc_thread_end(bhost_ctx *ctx, void *state)
{
    struct alloc *s = state;
    struct point *p = s->point;
    uint32_t i = bhost_thread_index(ctx);
    if (!p || i >= p->nthreads)
        return BHOST_OK;
    struct thread_bytes *t = &p->threads[i];
    uint64_t allocated, freed;
    if (t->started && jemalloc_thread_bytes(&s->je, &allocated, &freed) == 0) {
        /* Unsigned: right across a wrap of jemalloc's counters too. */
        t->allocated = allocated - t->allocated;
        t->freed = freed - t->freed;
        t->ended = 1;
    }
    /* Only if every thread met at the start: then every thread comes here. */
    if (p->count_calls && p->start.have)
        meet(s, p, &p->end);
    return BHOST_OK;
}

static void report_bytes(bhost_ctx *ctx, const struct point *p)
{
    double allocated = 0, freed = 0;
    for (uint32_t i = 0; i < p->nthreads; i++) {
        if (!p->threads[i].ended) {
            for (int k = 0; k < 3; k++)
                bhost_unavailable(ctx, metric_names[k],
                                  "thread %u's jemalloc counters were not read at both ends", i);
            return;
        }
        allocated += (double)p->threads[i].allocated;
        freed += (double)p->threads[i].freed;
    }
    bhost_counter_add(ctx, "bytes_allocated", allocated);
    bhost_counter_add(ctx, "bytes_freed", freed);
    bhost_counter_add(ctx, "net_bytes", allocated - freed);
}

static void report_calls(bhost_ctx *ctx, const struct point *p)
{
    const char *why = NULL;
    if (!p->count_calls)
        why = "not counted: count_calls is false";
    else if (!p->start.have || !p->end.have)
        why = "jemalloc's arena statistics could not be read after every thread's flush";
    if (why) {
        bhost_unavailable(ctx, "allocations", "%s", why);
        bhost_unavailable(ctx, "deallocations", "%s", why);
        return;
    }
    /* Every call made since the start reached the arenas' counts, and every object the
     * flushed caches held went back: what the calls freed is what they allocated less
     * what is still live. */
    uint64_t calls = p->end.totals.requests - p->start.totals.requests;
    int64_t more_live = (int64_t)(p->end.totals.live - p->start.totals.live);
    bhost_counter_add(ctx, "allocations", (double)calls);
    bhost_counter_add(ctx, "deallocations", (double)calls - (double)more_live);
}

static int alloc_point_end(bhost_ctx *ctx, void *state)
{
    struct alloc *s = state;
    struct point *p = s->point;
    if (!p) {
        for (size_t k = 0; k < sizeof metric_names / sizeof metric_names[0]; k++)
            bhost_unavailable(ctx, metric_names[k], "%s", s->je.missing);
        return BHOST_OK;
    }
    report_bytes(ctx, p);
    report_calls(ctx, p);
    bhost_note(ctx, "jemalloc", "%s", s->je.version);
    pthread_cond_destroy(&p->all_here);
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p);
    s->point = NULL;
    return BHOST_OK;
}

static void alloc_run_end(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    free(state);
}

static const struct bhost_param params[] = {
    {.name = "count_calls", .type = BHOST_BOOL, .def = "true",
     .doc = "count allocation and free calls too: each measured thread flushes its jemalloc "
            "thread cache before and after measuring (false: bytes only, caches untouched)"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_INSTRUMENT),
    .name = "alloc",
    .version = "1.0",
    .summary = "bytes allocated and freed by the measured threads, and allocation and free "
               "calls, from jemalloc's statistics",
    .doc = "Per point, counters (so also per iteration and per second): bytes_allocated and "
           "bytes_freed (bytes, exact for the measured threads: jemalloc's per-thread "
           "counters, in usable sizes, so a malloc(100) counts 112), net_bytes (their "
           "difference), allocations and deallocations (calls, from every arena's statistics: "
           "the whole process's; deallocations is allocations less the growth in live "
           "objects). Both include the host's own work on the measured threads between "
           "repetitions. Needs the host to run on jemalloc; without it every metric is "
           "unavailable, with the reason.",
    BHOST_PARAMS(params),
    .run_start = alloc_run_start,
    .point_start = alloc_point_start,
    .point_end = alloc_point_end,
    .run_end = alloc_run_end,
    .thread_start = alloc_thread_start,
    .thread_end = alloc_thread_end,
};
