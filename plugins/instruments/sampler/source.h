/*
 * source.h — where samples come from. Two sources take the same raw
 * samples (sample.h) of the same threads:
 *
 *   perf     perf_event_open's software clock events: the kernel takes each
 *            sample on its timer interrupt, copying the registers and the top
 *            of the user stack into a ring buffer, with no signal and no work
 *            in the sampled thread; threads started later are followed by
 *            inheritance (source_perf.c).
 *   signal   a POSIX timer per thread and a SIGPROF handler that copies the
 *            same into a buffer of that thread's, for where perf_event_open is
 *            refused (source_signal.c), and for wall-clock time.
 *
 * A collector thread (collector.c) drains the source while the point runs.
 */
#ifndef BHOST_SAMPLER_SOURCE_H
#define BHOST_SAMPLER_SOURCE_H

#include "sample.h"

#include <stddef.h>
#include <stdint.h>

struct source_config {
    uint32_t rate_hz;       /* samples per second of each thread's CPU (or wall) time */
    uint32_t stack_bytes;   /* how much of each stack to copy */
    int wall;               /* sample on wall-clock time, running or not (signal source only) */
};

/* Samples a source could not keep, and why not. */
struct source_losses {
    uint64_t lost;          /* dropped: a full buffer, a timer overrun */
    uint64_t throttled;     /* times the kernel throttled sampling (perf) */
};

typedef void source_take_fn(void *arg, const struct raw_sample *s);

struct source_ops {
    const char *name;       /* "perf" or "signal" */
    /* Ready to sample the threads `tids` (not yet sampling), or NULL with why. */
    void *(*open)(const struct source_config *cfg, const int64_t *tids, size_t ntids,
                  char *why, size_t whylen);
    /* A thread seen after open (signal only: perf follows new threads itself). */
    int (*add_thread)(void *src, int64_t tid);
    void (*start)(void *src);
    void (*stop)(void *src);
    /* Waits up to `timeout_ms` for samples, then hands every one buffered to take(). */
    size_t (*drain)(void *src, int timeout_ms, source_take_fn *take, void *arg);
    void (*losses)(void *src, struct source_losses *out);
    /* What it samples with, for the results' notes ("perf_event task-clock ..."). */
    const char *(*describe)(void *src);
    void (*close)(void *src);
};

/* One sampling period at `rate_hz`, for people: "1.003 ms", "50 us", "1 s". */
void source_period_text(uint32_t rate_hz, char *out, size_t n);

extern const struct source_ops source_perf;
extern const struct source_ops source_signal;

#endif
