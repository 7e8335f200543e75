/*
 * timer.h — the measured loop's clock: the CPU's time-stamp counter where it
 * is invariant (util/tsc.h), read for a fraction of a clock_gettime() call,
 * or CLOCK_MONOTONIC. The loop keeps the timer's raw units and turns them
 * into nanoseconds between iterations, when it bins them.
 */
#ifndef BHOST_TIMER_H
#define BHOST_TIMER_H

#include "util/clock.h"
#include "util/tsc.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* What --clock asks for. */
enum timer_choice { TIMER_AUTO, TIMER_TSC, TIMER_MONOTONIC };

/* A TSC that drifts from CLOCK_MONOTONIC by more than this over a point is not used. */
#define TIMER_MAX_DRIFT_PPM 500.0

struct timer {
    int use_tsc;
    struct tsc tsc;
    char fallback[200];    /* why the TSC is not used, when it was asked for or expected */
};

/*
 * Chooses and sets up the clock: the TSC for TIMER_AUTO where it is
 * invariant, CLOCK_MONOTONIC otherwise or when asked. With TIMER_TSC on a
 * machine without one: CLOCK_MONOTONIC, and the reason in t->fallback.
 */
void timer_setup(struct timer *t, enum timer_choice choice);
/* "tsc" or "CLOCK_MONOTONIC". */
const char *timer_name(const struct timer *t);
/* What one timestamp of this timer costs, in ns: the median of several batches. */
double timer_read_ns(const struct timer *t);
/*
 * Checks the TSC against CLOCK_MONOTONIC since calibration (after each
 * point): keeps the largest drift in *drift_ppm_max, and past
 * TIMER_MAX_DRIFT_PPM stops using the TSC, saying why in t->fallback, and
 * returns -1.
 */
int timer_check(struct timer *t, double *drift_ppm_max);
/* The results' environment.timer: the clock the loops used, its cost and calibration. */
json_t *timer_json(const struct timer *t, double drift_ppm_max);

static inline __attribute__((always_inline)) uint64_t timer_now(int use_tsc)
{
    return use_tsc ? tsc_ticks() : clock_now_ns();
}

/* A duration in the timer's units as nanoseconds. */
static inline int64_t timer_ns(const struct timer *t, uint64_t units)
{
    return t->use_tsc ? tsc_to_ns(&t->tsc, units) : (int64_t)units;
}

/* Nanoseconds in the timer's units. */
static inline uint64_t timer_units(const struct timer *t, int64_t ns)
{
    return t->use_tsc ? (uint64_t)((double)ns / t->tsc.ns_per_tick + 0.5) : (uint64_t)ns;
}

#endif
