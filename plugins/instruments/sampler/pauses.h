/*
 * pauses.h — when each measured thread was paused (from the host's pause()
 * after a repetition's measured loop to its resume() before the next), so
 * that the collector leaves out the samples of the host's own work between
 * repetitions. Each thread writes only its own record, without a lock; the
 * collector reads them all as it takes samples, a few milliseconds later.
 */
#ifndef BHOST_SAMPLER_PAUSES_H
#define BHOST_SAMPLER_PAUSES_H

#include <stdatomic.h>
#include <stdint.h>

/* Pauses kept per thread: the samples the collector takes are never older than a few. */
#define PAUSES_KEPT 64

struct thread_pauses {
    _Atomic int64_t tid;                 /* 0 until the thread's thread_start() */
    _Atomic uint64_t begun;              /* pauses begun */
    _Atomic uint64_t start[PAUSES_KEPT]; /* CLOCK_MONOTONIC ns, by pause number % KEPT */
    _Atomic uint64_t end[PAUSES_KEPT];   /* UINT64_MAX while the pause lasts */
};

struct pause_log {
    struct thread_pauses *threads;       /* by the host's thread index */
    uint32_t nthreads;
};

/* The calling thread, thread `index` of the point, is `tid`; pausing and resuming it. */
void pause_log_thread(struct pause_log *log, uint32_t index, int64_t tid);
void pause_log_pause(struct pause_log *log, uint32_t index, uint64_t now_ns);
void pause_log_resume(struct pause_log *log, uint32_t index, uint64_t now_ns);

/* Whether thread `tid` was paused at `time_ns`. */
int pause_log_covers(const struct pause_log *log, int64_t tid, uint64_t time_ns);

#endif
