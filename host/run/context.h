/*
 * context.h — what the host passes as bhost_ctx: one per plugin, hook and
 * thread, with where that plugin's reports go, and what every service does
 * with it: note a misuse, find a metric, take a failure's reason.
 */
#ifndef BHOST_CONTEXT_H
#define BHOST_CONTEXT_H

#include "plugin/plugin.h"
#include "run/point_state.h"
#include "run/timer.h"

#include <bhost/bhost.h>
#include <stdint.h>

/* What the host passes as bhost_ctx; the public part comes first. One per thread. */
struct host_ctx {
    bhost_ctx pub;
    const struct plugin *plugin;
    const struct pvalue *values;  /* this plugin instance's parameters */
    const struct pdef *defs;      /* their definitions: the plugin's, or an experiment's with
                                     the open parameters its spec gives */
    size_t ndefs;
    struct point_state *ps;       /* NULL in run hooks */
    struct metrics *metrics;      /* where counters and gauges go: this thread's, or the run's */
    struct failures *fails;       /* this thread's failed iterations (NULL in run hooks) */
    struct artifacts *artifacts;  /* the point's, or the instrument's for the run */
    struct tables *tables;        /* likewise (ABI 1.2) */
    struct notes *notes;
    const char *artifact_dir;     /* where this context's artifacts go (NULL: none) */
    const char *prefix;           /* "rusage." for an instrument's metrics and histograms */
    uint64_t seed;
    uint32_t thread, nthreads;    /* this thread of the point's */
    char *fail_reason;            /* from the last bhost_fail() */
    char *misuse;                 /* the plugin's first misuse of the API */
    const char *log_label;        /* who is speaking, in log lines */
    /* Set by the measured loop while it calls the plugin; read by it after each call. */
    int in_loop;
    const struct timer *timer;
    int64_t manual_ns;            /* bhost_set_iteration_time()'s, or -1 */
    uint64_t paused_at;           /* timer units, while paused */
    uint64_t paused_for;          /* timer units paused in this call */
    int paused;
    uint64_t call_n;              /* iterations the plugin's current call runs */
    uint64_t call_failed;         /* of them, counted by bhost_failed() so far */
};

/* Frees what the context holds (a reason, a misuse). */
void ctx_fini(struct host_ctx *c);
/* The reason of the failure just reported (bhost_fail text, else rc). */
char *ctx_take_reason(struct host_ctx *c, int rc);
/* Forgets it: the failure was counted otherwise. */
void ctx_drop_reason(struct host_ctx *c);
/* Records the plugin's first misuse of the API; the hook's caller fails the point with it. */
__attribute__((format(printf, 2, 3)))
void ctx_misuse(struct host_ctx *c, const char *fmt, ...);
/* The metric `name` of this context (its prefix added), made with `kind` if it is new; NULL
 * (a misuse noted) if the name is not the plugin's to use. An unavailable one comes back as
 * it is: its caller ignores values for it. */
struct metric *ctx_metric(struct host_ctx *c, const char *name, enum metric_kind kind);
/* Whether an experiment's metric or histogram name is an attached instrument's ("rusage.x"). */
int ctx_in_instrument_space(const struct host_ctx *c, const char *name);

#endif
