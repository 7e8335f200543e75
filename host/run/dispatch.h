/*
 * dispatch.h — running a sweep's points: in the host or in child processes,
 * one or `jobs` at a time, within the time budget, until a stop signal.
 *
 * Whatever the order points finish in, the results come back in sweep
 * order, and each finished point is in the journal before the next starts.
 */
#ifndef BHOST_DISPATCH_H
#define BHOST_DISPATCH_H

#include "run/progress.h"
#include "run/runner.h"
#include "run/timer.h"
#include "spec/sweep.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>

struct dispatch {
    struct runner *runner;
    const struct sweep *w;
    struct report *rep;
    FILE *journal;                     /* NULL: none */
    json_t *done;                      /* id -> result: points a resumed run already has */
    int isolate;                       /* 0: every point in the host process */
    size_t jobs;                       /* points at once (isolated only); >= 1 */
    double time_budget_s;              /* 0: none */
    const volatile sig_atomic_t *stop; /* set by SIGINT/SIGTERM */
    struct timer *timer;               /* the loops' clock, checked after each point */
    double drift_ppm_max;              /* out: the TSC's largest drift seen */
    char pinning[64];                  /* out: how points were placed on CPUs */
};

/*
 * Runs every point not in d->done; returns the results of all points (done,
 * run, skipped for the budget) in sweep order. A point cut short by a stop
 * signal is left out: it did not finish.
 */
json_t *dispatch_points(struct dispatch *d);

#endif
