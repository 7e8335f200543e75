/*
 * runner.h — runs sweep points and collects their results as JSON.
 *
 * Per point: setup, its threads started (`threads:`), each thread's
 * thread_start and warm-up (discarded), the instruments' point_start and
 * thread_start, the measured iterations of every repetition (all threads
 * together, released by a barrier), the instruments' thread_end and
 * point_end, each thread's thread_end, teardown. The measured loops are
 * loops.h's.
 */
#ifndef BHOST_RUNNER_H
#define BHOST_RUNNER_H

#include "run/point_state.h"
#include "run/timer.h"
#include "spec/sweep.h"

#include <jansson.h>

struct runner {
    const struct spec *spec;
    const char *scratch_root;
    const char *run_dir;      /* where artifacts go: run_dir/artifacts/ */
    const struct timer *timer; /* the measured loops' clock */
    struct instrument_run *insts;
    size_t ninsts;
    /* Where the measured loops keep their timings, one per thread (pages the host shares
     * with an isolated point's process); NULL: buffers of the runner's own. */
    struct point_live *live;
    /* Called after each measured repetition, before point_end and teardown, so that
     * what the point measured survives whatever comes after (may be NULL). */
    void (*repetition_done)(void *arg, struct point_state *ps, const struct point_run *pr,
                            uint32_t rep);
    void *repetition_done_arg;
};

/* Starts the instruments of every experiment that has points in `w`. */
void runner_start(struct runner *r, const struct spec *s, const struct sweep *w,
                  const char *run_dir, const char *scratch_root, const struct timer *timer);
/* Runs one point and returns its result object (docs/results.md). */
json_t *runner_point(struct runner *r, const struct point *pt);
/* Ends the instruments; returns the run-level instrument results. */
json_t *runner_finish(struct runner *r);

#endif
