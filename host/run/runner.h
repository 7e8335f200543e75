/*
 * runner.h — runs sweep points and collects their results as JSON.
 *
 * Per point: setup, warm-up (discarded), instruments' point_start, the
 * measured iterations of every repetition, point_end, teardown. The loop
 * reads the clock once per iteration: the end of one iteration is the start
 * of the next, so the harness costs one clock read and one store per
 * iteration; timings are binned into histograms between iterations, every
 * RUNNER_TIMING_BUFFER iterations (docs/performance.md).
 */
#ifndef BHOST_RUNNER_H
#define BHOST_RUNNER_H

#include "run/services.h"
#include "spec/sweep.h"

#include <jansson.h>

struct open_loop;

/* Timings buffered before they are binned: 8 KiB, well inside L1. */
#define RUNNER_TIMING_BUFFER 1024

/*
 * Iterations one repetition may run, whatever min_time says: a body the
 * clock cannot see (a batch that returns at once) must still end. A
 * repetition that stops here reports iterations.capped.
 */
#define RUNNER_MAX_ITERATIONS UINT64_C(1000000000000)

/* A batch is grown until it takes this long, so the clock's cost vanishes. */
#define RUNNER_BATCH_TARGET_NS 10000u

/* How one point's run went, besides what point_state holds. */
struct point_run {
    char *error;              /* why the point failed (NULL: it did not); owned */
    uint64_t batch;           /* iterations per timed call (1 unless iterate_batch) */
    uint64_t warmup_done;
    uint64_t *rep_iterations; /* per repetition */
    uint64_t *rep_wall_ns;    /* per repetition: measured loop wall time */
    uint64_t *rep_started_ns; /* per repetition: CLOCK_REALTIME at its start, ns since epoch */
    uint64_t wall_ns;         /* the whole point, setup to teardown */
    const struct open_loop *open; /* the schedule (schedule.h), or NULL: closed loop */
    uint64_t late;            /* open loop: measured iterations that started late */
    uint64_t max_lag_ns;      /* open loop: the largest start lag of a measured iteration */
};

struct instrument_run {
    const struct spec_experiment *exp;
    const struct spec_instrument *si;
    void *state;
    int started;              /* run_start succeeded */
    int in_point;             /* point_start succeeded for the point under way */
    struct metrics metrics;   /* run-level metrics */
    char *error;
};

struct runner {
    const struct spec *spec;
    const char *scratch_root;
    struct instrument_run *insts;
    size_t ninsts;
};

/* Starts the instruments of every experiment that has points in `w`. */
void runner_start(struct runner *r, const struct spec *s, const struct sweep *w,
                  const char *scratch_root);
/* Runs one point and returns its result object (docs/results.md). */
json_t *runner_point(struct runner *r, const struct point *pt);
/* Ends the instruments; returns the run-level instrument results. */
json_t *runner_finish(struct runner *r);

#endif
