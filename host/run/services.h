/*
 * services.h — the host side of struct bhost_api: the services plugins call
 * (parameters, histograms, metrics, failures, timing control, logging,
 * threads, artifacts, per-point facts) and the context each hook is given.
 */
#ifndef BHOST_SERVICES_H
#define BHOST_SERVICES_H

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
    struct point_state *ps;       /* NULL in run hooks */
    struct metrics *metrics;      /* where counters and gauges go: this thread's, or the run's */
    struct failures *fails;       /* this thread's failed iterations (NULL in run hooks) */
    struct artifacts *artifacts;  /* the point's, or the instrument's for the run */
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

extern const struct bhost_api host_api;
extern int host_log_level;

void ctx_init(struct host_ctx *c, const struct plugin *p, const struct pvalue *values,
              struct point_state *ps, struct metrics *m, const char *prefix, uint64_t seed,
              const char *log_label);
/* The context of thread `t` of ps's point, for the plugin `c` is (a copy of c). */
void ctx_for_thread(struct host_ctx *dst, const struct host_ctx *c, uint32_t t);
void ctx_fini(struct host_ctx *c);
/* The reason of the failure just reported (bhost_fail text, else rc). */
char *ctx_take_reason(struct host_ctx *c, int rc);
/* Forgets it: the failure was counted otherwise. */
void ctx_drop_reason(struct host_ctx *c);

/* The SDK's bhost_now_ns(): clock_now_ns() as a function the plugin can call. */
uint64_t host_now_ns(void);

#endif
