/*
 * services.h — the host side of struct bhost_api: the services plugins call
 * (parameters, histograms, metrics, failures, logging, per-point facts) and
 * the context each hook is given.
 */
#ifndef BHOST_SERVICES_H
#define BHOST_SERVICES_H

#include "plugin/plugin.h"
#include "run/point_state.h"

#include <bhost/bhost.h>
#include <stdint.h>

/* What the host passes as bhost_ctx; the public part comes first. */
struct host_ctx {
    bhost_ctx pub;
    const struct plugin *plugin;
    const struct pvalue *values;  /* this plugin instance's parameters */
    struct point_state *ps;       /* NULL in run hooks */
    struct metrics *metrics;      /* where counters and gauges go */
    const char *prefix;           /* "rusage." for an instrument's metrics and histograms */
    uint64_t seed;
    char *fail_reason;            /* from the last bhost_fail() */
    char *misuse;                 /* the plugin's first misuse of the API */
    const char *log_label;        /* who is speaking, in log lines */
};

extern const struct bhost_api host_api;
extern int host_log_level;

void ctx_init(struct host_ctx *c, const struct plugin *p, const struct pvalue *values,
              struct point_state *ps, struct metrics *m, const char *prefix, uint64_t seed,
              const char *log_label);
void ctx_fini(struct host_ctx *c);
/* The reason of the failure just reported (bhost_fail text, else rc). */
char *ctx_take_reason(struct host_ctx *c, int rc);

/* The SDK's bhost_now_ns(): clock_now_ns() as a function the plugin can call. */
uint64_t host_now_ns(void);

#endif
