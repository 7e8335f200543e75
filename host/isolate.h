/*
 * isolate.h — running a sweep point in a child process.
 *
 * The child runs runner_point() and sends the point's JSON back over a pipe;
 * its stdout and stderr go through a second pipe, which the host forwards to
 * its own stderr and keeps the tail of. A child that crashes, aborts, calls
 * exit(), or outlives its timeout fails its point with the reason and that
 * tail; the host goes on with the next point.
 */
#ifndef BHOST_ISOLATE_H
#define BHOST_ISOLATE_H

#include "runner.h"

#include <jansson.h>
#include <signal.h>

#define ISOLATE_TAIL_BYTES 4096 /* of a child's output, kept for the results */

/*
 * Runs `pt` in a child. `timeout_s` <= 0 means no limit. Returns the point's
 * result, or NULL if *stop became set (SIGINT/SIGTERM) while it ran: the
 * child is then killed and the point counts as not run.
 */
json_t *isolate_point(struct runner *r, const struct point *pt, double timeout_s,
                      const volatile sig_atomic_t *stop);

/* "SIGSEGV" for SIGSEGV; "signal 42" for one without a name here. */
const char *signal_name(int sig, char *buf, size_t n);

#endif
