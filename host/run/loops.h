/*
 * loops.h — the measured loops: how a phase of a point (the warm-up, or one
 * repetition) calls the plugin and times each call, on one thread.
 *
 * The loop reads the clock once per iteration: the end of one iteration is
 * the start of the next, so the harness costs one timestamp and one store
 * per iteration. The timestamps come from the run's timer (timer.h: the TSC
 * where it is invariant) and are binned into histograms between iterations,
 * every POINT_TIMING_BUFFER iterations, turned into nanoseconds then. A
 * plugin that times itself (BHOST_MANUAL_TIME) or pauses the timer
 * (BHOST_PAUSES_TIMING) gets a loop that looks after each call for what it
 * said; the others never pay for that look (docs/performance.md).
 */
#ifndef BHOST_LOOPS_H
#define BHOST_LOOPS_H

#include "run/point_state.h"
#include "run/services.h"

#include <stdint.h>

/* A batch is grown until it takes this long, so the clock's cost vanishes. */
#define LOOP_BATCH_TARGET_NS 10000u

/*
 * Runs one phase on the calling thread (`c` is its context) until at least
 * `target` iterations and `min_ns` have passed: iterate(), iterate_batch()
 * in calls of pr->batch, or on pr->open's schedule. Timings go to the
 * thread's current repetition of "iteration" (and "response"), counts to
 * `live`. `phase` is 0 for the warm-up, 1 + r for repetition r. Returns the
 * iterations run; *wall_ns is the loop's own wall time.
 */
uint64_t loop_measure(struct host_ctx *c, void *state, struct point_run *pr,
                      struct point_live *live, uint64_t phase, uint64_t target, uint64_t min_ns,
                      uint64_t *wall_ns);

/*
 * Doubles the batch until a call takes LOOP_BATCH_TARGET_NS, judged by the
 * fastest of three calls: the first calls are cold (page faults, first
 * allocations) and would stop the growth early. Counts as warm-up.
 */
uint64_t loop_calibrate_batch(struct host_ctx *c, void *state, struct point_live *live);

#endif
