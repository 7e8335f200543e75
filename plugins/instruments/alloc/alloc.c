/*
 * alloc — what a point allocates, from the jemalloc the host runs on.
 *
 * Bytes come from jemalloc's per-thread counters (thread.allocated and
 * thread.deallocated), read on each measured thread where its counting
 * begins (thread_start(), resume()) and ends (pause(), thread_end()) and
 * added up: exact for those threads, in usable sizes, and without the
 * host's work between repetitions. Calls come from the statistics of every
 * arena, which are the whole process's: at each of those ends every
 * measured thread flushes its thread cache, so that its calls reach them,
 * and waits for the others; the last one to arrive reads the arenas'
 * totals.
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
    int counting;       /* between thread_start() or resume() and pause() or thread_end() */
    int ended;          /* thread_end() ran, with every reading taken */
    int failed;         /* a reading failed */
    uint64_t mark_allocated, mark_freed; /* the counters when counting last began */
    uint64_t allocated, freed;           /* what the counted stretches added */
};

struct point {
    uint32_t nthreads;
    int count_calls;
    pthread_mutex_t lock;
    pthread_cond_t all_here;   /* on CLOCK_MONOTONIC */
    /* Where the measured threads meet, at each end of each counted stretch: each flushes
     * its cache, and the last to arrive reads the arenas' totals, so that no call made in
     * a stretch is missed or counted twice, and none made between stretches (the host's)
     * counts. */
    uint32_t arrived;
    uint64_t round;
    int meetings_ok;           /* every meeting was whole and read the totals */
    struct arena_totals began; /* at the start of the stretch under way */
    uint64_t requests;         /* allocation calls over the stretches */
    int64_t more_live;         /* growth in live objects over them */
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
    p->meetings_ok = 1;
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

/* Every measured thread meets here at the start (`beginning`) or the end of a counted
 * stretch; the last to arrive reads the arenas' totals for them all. */
static void meet(const struct alloc *s, struct point *p, int beginning)
{
    jemalloc_flush_thread_cache(&s->je);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += MEETING_WAIT_S;
    pthread_mutex_lock(&p->lock);
    uint64_t round = p->round;
    if (++p->arrived == p->nthreads) {
        struct arena_totals now;
        int have = jemalloc_arena_totals(&s->je, &now) == 0;
        p->meetings_ok &= have;
        if (have && beginning) {
            p->began = now;
        } else if (have) {
            p->requests += now.requests - p->began.requests;
            p->more_live += (int64_t)(now.live - p->began.live);
        }
        p->arrived = 0;
        p->round++;
        pthread_cond_broadcast(&p->all_here);
    }
    while (p->round == round &&
           pthread_cond_timedwait(&p->all_here, &p->lock, &until) == 0)
        ;
    if (p->round == round) { /* waited in vain: the figures would not be whole */
        p->meetings_ok = 0;
        p->arrived = 0;
        p->round++;
    }
    pthread_mutex_unlock(&p->lock);
}

/* The calling thread's counting begins (thread_start, resume) or ends (pause, thread_end). */
static void stretch(const struct alloc *s, struct point *p, uint32_t i, int beginning)
{
    struct thread_bytes *t = &p->threads[i];
    uint64_t allocated, freed;
    if (jemalloc_thread_bytes(&s->je, &allocated, &freed) != 0) {
        t->failed = 1;
    } else if (beginning) {
        t->mark_allocated = allocated;
        t->mark_freed = freed;
    } else {
        /* Unsigned: right across a wrap of jemalloc's counters too. */
        t->allocated += allocated - t->mark_allocated;
        t->freed += freed - t->mark_freed;
    }
    t->counting = beginning;
    if (p->count_calls)
        meet(s, p, beginning);
}

static struct point *point_of(void *state, bhost_ctx *ctx, uint32_t *i)
{
    struct point *p = ((struct alloc *)state)->point;
    *i = bhost_thread_index(ctx);
    return p && *i < p->nthreads ? p : NULL;
}

static int alloc_thread_start(bhost_ctx *ctx, void *state)
{
    uint32_t i;
    struct point *p = point_of(state, ctx, &i);
    if (p)
        stretch(state, p, i, 1);
    return BHOST_OK;
}

/* The host's work between repetitions is left out: counting stops, and starts again. */
static int alloc_pause(bhost_ctx *ctx, void *state)
{
    uint32_t i;
    struct point *p = point_of(state, ctx, &i);
    if (p && p->threads[i].counting)
        stretch(state, p, i, 0);
    return BHOST_OK;
}

static int alloc_resume(bhost_ctx *ctx, void *state)
{
    uint32_t i;
    struct point *p = point_of(state, ctx, &i);
    if (p)
        stretch(state, p, i, 1);
    return BHOST_OK;
}

static int alloc_thread_end(bhost_ctx *ctx, void *state)
{
    uint32_t i;
    struct point *p = point_of(state, ctx, &i);
    if (!p)
        return BHOST_OK;
    if (p->threads[i].counting) /* a host without pause(): the stretch ends here */
        stretch(state, p, i, 0);
    p->threads[i].ended = 1;
    return BHOST_OK;
}

static void report_bytes(bhost_ctx *ctx, const struct point *p)
{
    double allocated = 0, freed = 0;
    for (uint32_t i = 0; i < p->nthreads; i++) {
        if (!p->threads[i].ended || p->threads[i].failed) {
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
    else if (!p->meetings_ok)
        why = "jemalloc's arena statistics could not be read after every thread's flush";
    if (why) {
        bhost_unavailable(ctx, "allocations", "%s", why);
        bhost_unavailable(ctx, "deallocations", "%s", why);
        return;
    }
    /* Every call made in a stretch reached the arenas' counts, and every object the
     * flushed caches held went back: what the calls freed is what they allocated less
     * what is still live. */
    bhost_counter_add(ctx, "allocations", (double)p->requests);
    bhost_counter_add(ctx, "deallocations", (double)p->requests - (double)p->more_live);
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
           "objects). The host's own work between repetitions is left out. Needs the host to run on jemalloc; without it every metric is "
           "unavailable, with the reason.",
    BHOST_PARAMS(params),
    .run_start = alloc_run_start,
    .point_start = alloc_point_start,
    .point_end = alloc_point_end,
    .run_end = alloc_run_end,
    .thread_start = alloc_thread_start,
    .thread_end = alloc_thread_end,
    .pause = alloc_pause,
    .resume = alloc_resume,
};
