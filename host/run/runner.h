/*
 * runner.h — runs sweep points and collects their results as JSON.
 *
 * Per point: setup, warm-up (discarded), instruments' point_start, the
 * measured iterations of every repetition, point_end, teardown. The loop
 * reads the clock once per iteration: the end of one iteration is the start
 * of the next, so the harness costs one clock read and one store per
 * iteration; timings are binned into histograms between iterations, every
 * POINT_TIMING_BUFFER iterations (docs/performance.md).
 */
#ifndef BHOST_RUNNER_H
#define BHOST_RUNNER_H

#include "run/point_state.h"
#include "spec/sweep.h"

#include <jansson.h>

/* A batch is grown until it takes this long, so the clock's cost vanishes. */
#define RUNNER_BATCH_TARGET_NS 10000u

struct runner {
    const struct spec *spec;
    const char *scratch_root;
    struct instrument_run *insts;
    size_t ninsts;
    /* Where the measured loops keep their timings (a page the host shares with an
     * isolated point's process); NULL: a buffer of the runner's own. */
    struct point_live *live;
    /* Called after each measured repetition, before point_end and teardown, so that
     * what the point measured survives whatever comes after (may be NULL). */
    void (*repetition_done)(void *arg, struct point_state *ps, const struct point_run *pr,
                            uint32_t rep);
    void *repetition_done_arg;
};

/* Starts the instruments of every experiment that has points in `w`. */
void runner_start(struct runner *r, const struct spec *s, const struct sweep *w,
                  const char *scratch_root);
/* Runs one point and returns its result object (docs/results.md). */
json_t *runner_point(struct runner *r, const struct point *pt);
/* Ends the instruments; returns the run-level instrument results. */
json_t *runner_finish(struct runner *r);

#endif
