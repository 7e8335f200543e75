/*
 * perf_events.h — the counters the perf instrument opens on a thread with
 * perf_event_open(2), in groups, and how it reads them back.
 */
#ifndef BHOST_PERF_EVENTS_H
#define BHOST_PERF_EVENTS_H

#include <stdint.h>

enum { PERF_NEVENTS = 10 };

struct perf_event_def {
    const char *name;   /* the metric's name */
    uint32_t type;      /* PERF_TYPE_HARDWARE or PERF_TYPE_SOFTWARE */
    uint64_t config;
    int kernel_only;    /* the kernel counts it in kernel mode: exclude_kernel gives 0 */
};

/* Hardware events first, then software ones. */
extern const struct perf_event_def perf_events[PERF_NEVENTS];

/* One thread's counters. */
struct perf_thread {
    int opened;                   /* perf_thread_open() ran */
    int fd[PERF_NEVENTS];         /* -1: not open */
    int leader[PERF_NEVENTS];     /* the event that leads its group */
    int error[PERF_NEVENTS];      /* errno of the call that failed, 0 if none */
    const char *call[PERF_NEVENTS]; /* that call: "perf_event_open" or "read" */
    double value[PERF_NEVENTS];   /* after perf_thread_stop(): scaled for multiplexing */
    uint64_t enabled[PERF_NEVENTS], running[PERF_NEVENTS]; /* its group's times, ns */
    /* What the counts, and their group's times, grew by while paused: left out. */
    uint64_t paused_at[PERF_NEVENTS][3], gap[PERF_NEVENTS][3]; /* count, enabled, running */
};

/* Opens the events of `wanted` (bit i: perf_events[i]) on the calling thread, disabled,
 * each type in one group where the kernel takes it, else in groups of their own. */
void perf_thread_open(struct perf_thread *t, uint32_t wanted, int exclude_kernel);

/* Starts every group counting. */
void perf_thread_start(struct perf_thread *t);

/*
 * What the counters count from pause to resume (the host's work between
 * repetitions) is left out of what perf_thread_stop() reads. The counters
 * go on counting: a task-clock counter disabled and enabled again does not
 * count again on this kernel (6.x), so the gap is read and subtracted.
 */
void perf_thread_pause(struct perf_thread *t);
void perf_thread_resume(struct perf_thread *t);

/* Stops every group, reads and scales its counts, and closes them all. */
void perf_thread_stop(struct perf_thread *t);

/* One event alone on the calling thread, disabled: its descriptor, or -1 and errno. */
int perf_hold(const struct perf_event_def *e, int exclude_kernel);

#endif
