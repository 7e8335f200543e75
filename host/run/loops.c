/* loops.c — see loops.h. */
#include "run/loops.h"
#include "run/schedule.h"

#include <string.h>

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* `n` iterations failed: one, or a whole batch (whose timing is then lost). */
static void count_failure(struct host_ctx *c, int rc, uint64_t n)
{
    failures_add(c->fails, ctx_take_reason(c, rc), n);
}

/*
 * The iterations of the call just made that bhost_failed() counted (already added to the
 * failures), reset for the next call. A call that also returned an error fails whole:
 * what bhost_failed() counted is part of it.
 */
ALWAYS_INLINE uint64_t take_call_failures(struct host_ctx *c)
{
    uint64_t k = c->call_failed;
    c->call_failed = 0;
    return k;
}

/*
 * Bins the first n pending timings into h, in a loop the CPU can pipeline,
 * and says so: in timer units when `convert` (then turned into ns here), or
 * already in ns.
 */
static void flush_timings(struct hdr *h, struct point_live *live, size_t n,
                          const struct timer *t, int convert)
{
    struct hdr_recorder rec = hdr_recorder_begin(h);
    if (convert && t->use_tsc)
        for (size_t i = 0; i < n; i++)
            hdr_recorder_record(&rec, tsc_to_ns(&t->tsc, (uint64_t)live->pending[i]));
    else
        for (size_t i = 0; i < n; i++)
            hdr_recorder_record(&rec, live->pending[i]);
    hdr_recorder_end(&rec, h);
    live->binned += n;
    memset(live->pending, 0xff, n * sizeof *live->pending);
}

/*
 * What a controlled iteration (manual time, pauses) took, in ns: the plugin's
 * own figure if it gave one, else the timer's less what was paused. An
 * iteration that ends paused counts up to the pause. Resets for the next.
 */
ALWAYS_INLINE int64_t controlled_ns(struct host_ctx *c, uint64_t t0, uint64_t t1)
{
    if (c->paused) {
        c->paused_for += t1 - c->paused_at;
        c->paused = 0;
    }
    uint64_t units = t1 - t0 > c->paused_for ? t1 - t0 - c->paused_for : 0;
    int64_t ns = c->manual_ns >= 0 ? c->manual_ns : timer_ns(c->timer, units);
    c->manual_ns = -1;
    c->paused_for = 0;
    return ns;
}

/*
 * The measured loop for iterate(). Per iteration it reads the clock once and
 * stores one delta. Binning waits until the buffer is full and happens
 * between iterations, with the clock read again after it: binning inline
 * would add its latency to every iteration. `use_tsc` and `controlled` are
 * constants at each call site, so each combination is its own loop.
 */
ALWAYS_INLINE uint64_t loop_single(struct host_ctx *c, void *state, struct hdr *h,
                                   struct point_live *live, uint64_t target, uint64_t min_units,
                                   uint64_t *wall_ns, const int use_tsc, const int controlled)
{
    int (*iterate)(bhost_ctx *, void *) = c->plugin->desc.iterate;
    bhost_ctx *pub = &c->pub;
    int64_t *buf = live->pending;
    size_t k = 0;
    c->call_n = 1;
    uint64_t n = 0, start = timer_now(use_tsc), t0 = start, t1;
    for (;;) {
        int rc = iterate(pub, state);
        t1 = timer_now(use_tsc);
        if (__builtin_expect(rc == BHOST_OK && c->call_failed == 0, 1)) {
            buf[k++] = controlled ? controlled_ns(c, t0, t1) : (int64_t)(t1 - t0);
        } else {
            if (controlled)
                controlled_ns(c, t0, t1);
            if (take_call_failures(c) == 0)
                count_failure(c, rc, 1);
            else
                ctx_drop_reason(c);
            live->failed++;
            t1 = timer_now(use_tsc);
        }
        if ((++n >= target && t1 - start >= min_units) || n >= POINT_MAX_ITERATIONS)
            break;
        if (__builtin_expect(k == POINT_TIMING_BUFFER, 0)) {
            flush_timings(h, live, k, c->timer, !controlled);
            k = 0;
            t1 = timer_now(use_tsc);
        }
        t0 = t1;
    }
    flush_timings(h, live, k, c->timer, !controlled);
    *wall_ns = (uint64_t)timer_ns(c->timer, timer_now(use_tsc) - start);
    return n;
}

/* The same for iterate_batch(): each call of `batch` iterations is timed as a whole. */
ALWAYS_INLINE uint64_t loop_batch(struct host_ctx *c, void *state, struct hdr *h,
                                  struct point_live *live, uint64_t batch, uint64_t target,
                                  uint64_t min_units, uint64_t *wall_ns, const int use_tsc,
                                  const int controlled)
{
    int (*iterate_batch)(bhost_ctx *, void *, uint64_t) = c->plugin->desc.iterate_batch;
    uint64_t n = 0, start = timer_now(use_tsc), t0 = start, t1;
    for (;;) {
        uint64_t k = n < target && target - n < batch ? target - n : batch;
        c->call_n = k;
        int rc = iterate_batch(&c->pub, state, k);
        t1 = timer_now(use_tsc);
        int64_t ns = controlled ? controlled_ns(c, t0, t1) : timer_ns(c->timer, t1 - t0);
        uint64_t bad = take_call_failures(c);
        if (rc == BHOST_OK) {
            /* The batch's mean, for each of its iterations that did not fail. */
            if (k > bad)
                hdr_record_n(h, (ns + (int64_t)k / 2) / (int64_t)k, (int64_t)(k - bad));
            live->binned += k - bad;
            live->failed += bad;
        } else {
            if (k > bad)
                count_failure(c, rc, k - bad);
            else
                ctx_drop_reason(c);
            live->failed += k;
            t1 = timer_now(use_tsc);
        }
        t0 = t1;
        n += k;
        if ((n >= target && t1 - start >= min_units) || n >= POINT_MAX_ITERATIONS)
            break;
    }
    *wall_ns = (uint64_t)timer_ns(c->timer, t1 - start);
    return n;
}

/* Each combination of clock and control, compiled as a loop of its own. */
static uint64_t closed_loop(struct host_ctx *c, void *state, struct hdr *h,
                            struct point_live *live, uint64_t batch, uint64_t target,
                            uint64_t min_ns, uint64_t *wall_ns)
{
    int tsc = c->timer->use_tsc;
    int controlled = (c->plugin->desc.flags & (BHOST_MANUAL_TIME | BHOST_PAUSES_TIMING)) != 0;
    uint64_t min_units = timer_units(c->timer, (int64_t)min_ns);
    if (c->plugin->desc.iterate_batch) {
        if (tsc)
            return controlled ? loop_batch(c, state, h, live, batch, target, min_units, wall_ns, 1, 1)
                              : loop_batch(c, state, h, live, batch, target, min_units, wall_ns, 1, 0);
        return controlled ? loop_batch(c, state, h, live, batch, target, min_units, wall_ns, 0, 1)
                          : loop_batch(c, state, h, live, batch, target, min_units, wall_ns, 0, 0);
    }
    if (tsc)
        return controlled ? loop_single(c, state, h, live, target, min_units, wall_ns, 1, 1)
                          : loop_single(c, state, h, live, target, min_units, wall_ns, 1, 0);
    return controlled ? loop_single(c, state, h, live, target, min_units, wall_ns, 0, 1)
                      : loop_single(c, state, h, live, target, min_units, wall_ns, 0, 0);
}

uint64_t loop_measure(struct host_ctx *c, void *state, struct point_run *pr,
                      struct point_live *live, uint64_t phase, uint64_t target, uint64_t min_ns,
                      uint64_t *wall_ns)
{
    struct hdr *h = c->ps->hists[0]->current[c->thread];
    c->in_loop = 1;
    uint64_t n;
    if (pr->open) {
        struct open_loop_lag lag;
        n = open_loop_run(c, state, pr->open, live, phase, target, min_ns, wall_ns, &lag);
        /* Threads add their lateness under the point's lock: the largest lag wins. */
        if (phase > 0) {
            pthread_mutex_lock(&c->ps->lock);
            pr->late += lag.late;
            pr->max_lag_ns = lag.max_lag_ns > pr->max_lag_ns ? lag.max_lag_ns : pr->max_lag_ns;
            pthread_mutex_unlock(&c->ps->lock);
        }
    } else {
        n = closed_loop(c, state, h, live, pr->batch, target, min_ns, wall_ns);
    }
    c->in_loop = 0;
    return n;
}

uint64_t loop_calibrate_batch(struct host_ctx *c, void *state, struct point_live *live)
{
    struct hdr *h = c->ps->hists[0]->current[c->thread];
    uint64_t batch = 1;
    c->in_loop = 1;
    for (;;) {
        uint64_t fastest = UINT64_MAX, wall;
        for (int i = 0; i < 3; i++) {
            closed_loop(c, state, h, live, batch, batch, 0, &wall);
            fastest = wall < fastest ? wall : fastest;
        }
        if (fastest >= LOOP_BATCH_TARGET_NS || batch >= (UINT64_C(1) << 30))
            break;
        batch *= 2;
    }
    c->in_loop = 0;
    return batch;
}
