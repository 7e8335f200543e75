/*
 * tsc.h — the CPU's time-stamp counter as the measured loop's clock, where
 * it is one.
 *
 * Reading the TSC costs a fraction of a clock_gettime() call, so a measured
 * iteration that takes one timestamp costs less than the clock read it
 * replaces. It is used only where it is a clock: the CPU says its TSC is
 * invariant (constant rate, running in every state) and the kernel's own
 * clocksource is the TSC (which Linux chooses only once it has found the
 * counters of all CPUs in step). Ticks are turned into nanoseconds outside
 * the measured loop, at a rate calibrated against CLOCK_MONOTONIC when the
 * clock is set up; tsc_check() measures how far that rate has drifted since.
 *
 * RDTSC is not ordered with the instructions before it: a timestamp may be
 * taken a few dozen cycles before the call it ends has fully retired. Both
 * ends of an iteration are taken the same way, so this does not bias a
 * histogram of iterations; it is below the resolution that matters for them.
 */
#ifndef BHOST_TSC_H
#define BHOST_TSC_H

#include <stddef.h>
#include <stdint.h>

struct tsc {
    int usable;            /* an invariant TSC, calibrated */
    double ns_per_tick;
    uint64_t tick0, ns0;   /* read together at calibration: the origin of conversions */
    double calibration_ppm; /* how far two calibration windows disagreed */
    char why[160];         /* when not usable: why not */
};

/* Whether this machine's TSC may serve as a clock; if not, why (in why). */
int tsc_invariant(char *why, size_t n);

/*
 * Sets t up: checks the TSC is invariant and measures its rate against
 * CLOCK_MONOTONIC over two windows of window_ns each. 0, or -1 with
 * t->usable 0 and the reason in t->why.
 */
int tsc_calibrate(struct tsc *t, uint64_t window_ns);

/* How far, in parts per million, TSC time has drifted from CLOCK_MONOTONIC since t0. */
double tsc_drift_ppm(const struct tsc *t);

/* The counter, unordered (see above). 0 where there is none. */
static inline uint64_t tsc_ticks(void)
{
#if defined(__x86_64__) || defined(__i386__)
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
#else
    return 0;
#endif
}

/* A duration in ticks as nanoseconds. */
static inline int64_t tsc_to_ns(const struct tsc *t, uint64_t ticks)
{
    return (int64_t)((double)ticks * t->ns_per_tick + 0.5);
}

#endif
