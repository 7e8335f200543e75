/*
 * api.h — the host side of struct bhost_api: contexts, named histograms,
 * metrics and failure reasons of one sweep point.
 */
#ifndef BHOST_API_H
#define BHOST_API_H

#include "hdr/hdr.h"
#include "plugin/plugin.h"

struct spec_experiment;

#include <bhost/bhost.h>
#include <stdint.h>

enum metric_kind { METRIC_COUNTER, METRIC_GAUGE };

struct metric {
    char *name;
    enum metric_kind kind;
    double value;
};

struct metrics {
    struct metric *v;
    size_t n, cap;
};

/* The SDK's opaque histogram handle: one HDR histogram per repetition. */
struct bhost_hist {
    char *name;
    struct hdr *reps;
    uint32_t nreps;
    struct hdr *current;     /* the repetition being measured */
};

struct reason {
    char *text;
    uint64_t count;
};

/* Everything a sweep point accumulates while it runs. */
struct point_state {
    const char *point_id;
    const char *scratch_dir;     /* made on first bhost_scratch_dir() */
    int scratch_made;
    uint32_t nreps;
    int open_loop;               /* on a schedule: "response" is the host's too */
    const struct spec_experiment *exp; /* whose instruments' names are theirs */
    struct bhost_hist **hists;   /* [0] is the host's own "iteration" */
    size_t nhists, hists_cap;
    struct metrics metrics;
    uint64_t failures;
    struct reason *reasons;
    size_t nreasons, reasons_cap;
};

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

void point_state_init(struct point_state *ps, uint32_t nreps, const char *id,
                      const char *scratch);
void point_state_fini(struct point_state *ps);
struct bhost_hist *point_histogram(struct point_state *ps, const char *name);
/* Makes repetition `rep` the one every histogram records into. */
void point_select_rep(struct point_state *ps, uint32_t rep);
void point_reset_rep(struct point_state *ps, uint32_t rep);
/* `count` iterations failed for `reason` (taken over by the point). */
void point_add_failure(struct point_state *ps, char *reason_owned, uint64_t count);

void metrics_fini(struct metrics *m);

/* The SDK's bhost_now_ns(): clock_now_ns() as a function the plugin can call. */
uint64_t host_now_ns(void);

#endif
