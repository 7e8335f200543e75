/*
 * dispatch.h — running a sweep's points: in the host or in child processes,
 * one or `jobs` at a time, within the time budget, until a stop signal;
 * whole, or repetition by repetition in the order plan.h gives (fresh
 * processes, interleaved rounds, the two sides of an A/B run).
 *
 * Whatever the order work finishes in, each finished point is in its
 * side's journal before the next task starts, and then only its place
 * there stays in memory (results/point_store.h), so the host does not grow
 * with the points it finished. A point run repetition by repetition is finished (and
 * journaled) when its last repetition is; its repetitions are merged into
 * one point as `bhost merge` would.
 */
#ifndef BHOST_DISPATCH_H
#define BHOST_DISPATCH_H

#include "results/point_store.h"
#include "run/progress.h"
#include "run/runner.h"
#include "run/timer.h"
#include "spec/sweep.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>

/* One run's points: a plain run has one side, an A/B run two (the same sweep, two builds). */
struct dispatch_side {
    struct runner *runner;
    const struct sweep *w;
    const char *run_dir;               /* where its artifacts' paths are relative to */
    FILE *journal;                     /* NULL: none */
    /* Its points by sweep position: those a resumed run has already, on entry; every
     * point's result (done, run, skipped for the budget) on return. It must outlive the
     * side: skipped points are made again from it when read. */
    struct point_store *store;
    const char *tag;                   /* before its labels in progress lines ("A "), or NULL */
    double time_budget_s;              /* set by dispatch_run(): what skipped points say */
};

struct dispatch {
    struct dispatch_side *sides;
    size_t nsides;                     /* 1, or 2 for A/B */
    int interleave;                    /* repetitions in seeded rounds (plan.h) */
    uint64_t seed;                     /* the interleaving's seed */
    struct report *rep;
    int isolate;                       /* 0: every point in the host process */
    size_t jobs;                       /* tasks at once (isolated only); >= 1 */
    double time_budget_s;              /* 0: none */
    const volatile sig_atomic_t *stop; /* set by SIGINT/SIGTERM */
    struct timer *timer;               /* the loops' clock, checked after each task */
    double drift_ppm_max;              /* out: the TSC's largest drift seen */
    char pinning[64];                  /* out: how points were placed on CPUs */
};

/*
 * Runs every point not in a side's store already (a partial one runs again);
 * puts the result of every point run or skipped for the budget in the store.
 * A point cut short by a stop signal is left out: it did not finish;
 * one run repetition by repetition keeps the repetitions it finished, as a
 * partial point (not journaled: a resume runs it again).
 */
void dispatch_run(struct dispatch *d);

#endif
