/*
 * isolate.h — running a sweep point in a child process.
 *
 * The child runs runner_point() and sends, one JSON line each, a record of
 * every repetition as it finishes and then the point's result, over a pipe;
 * its stdout and stderr go through a second pipe, which the host forwards to
 * its own stderr and keeps the tail of. Its measured loops keep their
 * timings in a page it shares with the host. A child that crashes, aborts,
 * calls exit(), stops, or outlives its timeout fails its point with the
 * reason and that tail, keeping the repetitions it finished and the count of
 * iterations of the one it did not (docs/results.md, "partial"); the host
 * goes on with the next point.
 */
#ifndef BHOST_ISOLATE_H
#define BHOST_ISOLATE_H

#include "run/runner.h"

#include <jansson.h>
#include <signal.h>
#include <stdint.h>

#define ISOLATE_TAIL_BYTES 4096 /* of a child's output, kept for the results */

/*
 * Up to `jobs` points running at once, each in its own child. With `pin`,
 * child k runs on the k-th CPU the host may use (sched_setaffinity), so
 * points running side by side do not share a core.
 */
struct child;

struct isolate_pool {
    size_t jobs, running;
    struct child *slots;  /* jobs of them; pid 0 when free */
    int *cpus;            /* with pinning: the CPU of each slot; else NULL */
    pid_t host;           /* the process the children must die with */
    struct point_live *lives; /* shared with the children: lives_per_slot for each slot */
    size_t lives_per_slot;    /* one per thread of the point with the most */
    /* Called before a child's output is copied to stderr (may be NULL). */
    void (*before_output)(void *arg);
    void *before_output_arg;
};

/*
 * Pinning needs one CPU per job: `jobs` <= the CPUs this process may run on.
 * Fills `why` with what the results say about it ("one CPU per job", or why
 * not) and returns 1 if points are pinned.
 */
int isolate_pool_init(struct isolate_pool *p, size_t jobs, uint32_t max_threads, char *why,
                      size_t n);
void isolate_pool_fini(struct isolate_pool *p);

/*
 * Starts `pt` in a free slot (the caller keeps running < jobs); `timeout_s`
 * <= 0 means no limit. NULL when the child runs; the point's failed result
 * if it cannot be started (no pipe, no fork).
 */
json_t *isolate_pool_start(struct isolate_pool *p, struct runner *r, const struct point *pt,
                           double timeout_s);

/*
 * Waits until a running point ends and returns its result; *pt says which.
 * If *stop becomes set (SIGINT/SIGTERM) every child is killed and their
 * points come back as NULL results: they did not finish. With nothing
 * running, returns NULL and sets *pt to NULL.
 */
json_t *isolate_pool_wait(struct isolate_pool *p, const volatile sig_atomic_t *stop,
                          const struct point **pt);

#endif
