/*
 * schedule.h — open-loop measured loops: iterations start on a schedule.
 *
 * With `rate:` in the spec, iteration i of a phase (the warm-up, or one
 * repetition) has an intended start t_i: t_0 + i / rate on a fixed schedule,
 * or t_{i-1} plus an exponential gap of mean 1 / rate for Poisson arrivals,
 * drawn from a generator seeded by the point's seed and the phase, so the
 * intended times are the same on every run. The loop waits for t_i, or starts
 * at once when it is already late: it never skips an iteration, so a stall
 * delays every iteration queued behind it. "iteration" records the service
 * time (end - actual start), "response" the response time (end - t_i).
 */
#ifndef BHOST_SCHEDULE_H
#define BHOST_SCHEDULE_H

#include "run/services.h"

#include <stdint.h>

/* The last stretch before a start is spun on the clock: a sleep wakes late. */
#define SCHEDULE_SPIN_NS 100000u
/* An iteration that starts later than this after its t_i counts as late. */
#define SCHEDULE_LATE_NS 1000u

/* One point's schedule settings. */
struct open_loop {
    double rate;                 /* iterations per second, > 0 */
    int poisson;                 /* exponential gaps; else fixed ones */
    uint64_t seed;               /* the point's seed */
    struct bhost_hist *response; /* end - intended start */
};

/* How far behind its schedule a loop ran. */
struct open_loop_lag {
    uint64_t late;               /* iterations that started over SCHEDULE_LATE_NS late */
    uint64_t max_lag_ns;         /* the largest actual start - intended start */
};

/* The intended start times of one phase. */
struct schedule {
    uint64_t t0;
    double gap_ns;               /* the (mean) gap, 1e9 / rate */
    double offset_ns;            /* Poisson: t_i - t0 so far */
    uint64_t next_index;
    uint64_t rng;                /* SplitMix64 state */
    int poisson;
};

/* Starts phase `phase` (0: warm-up, 1 + r: repetition r) at t0. */
void schedule_start(struct schedule *s, const struct open_loop *ol, uint64_t phase,
                    uint64_t t0);
/* The intended start of the next iteration, in clock_now_ns() time. */
uint64_t schedule_next(struct schedule *s);

/*
 * Runs iterate() (or iterate_batch() with n = 1) on the schedule until at
 * least `target` iterations and `min_ns` have passed, recording "iteration"
 * and "response" into the calling thread's current repetitions. On a point
 * of several threads, each thread keeps rate / threads on a schedule of its
 * own (its own Poisson draws). The schedule keeps CLOCK_MONOTONIC: it waits
 * between iterations anyway. Returns the iterations run.
 */
uint64_t open_loop_run(struct host_ctx *c, void *state, const struct open_loop *ol,
                       struct point_live *live, uint64_t phase, uint64_t target,
                       uint64_t min_ns, uint64_t *wall_ns, struct open_loop_lag *lag);

#endif
