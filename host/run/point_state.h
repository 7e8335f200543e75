/*
 * point_state.h — what one sweep point accumulates while it runs: its named
 * histograms (one HDR histogram per repetition), counters and gauges,
 * failure reasons, and how its phases went. The runner fills it, the
 * services record into it, point_json.c turns it into the point's result.
 */
#ifndef BHOST_POINT_STATE_H
#define BHOST_POINT_STATE_H

#include "hdr/hdr.h"

#include <stdint.h>

struct spec_experiment;
struct spec_instrument;
struct open_loop;

/*
 * Iterations one repetition may run, whatever min_time says: a body the
 * clock cannot see (a batch that returns at once) must still end. A
 * repetition that stops here reports iterations.capped.
 */
#define POINT_MAX_ITERATIONS UINT64_C(1000000000000)

/* Timings buffered before they are binned: 8 KiB, well inside L1. */
#define POINT_TIMING_BUFFER 1024

/*
 * What the host can see of a point while its process runs: the measured
 * loop's timing buffer itself, and counts it updates between iterations.
 * For an isolated point this is a page shared with the host, so that a
 * point that dies mid-repetition still says how many iterations it ran.
 */
struct point_live {
    volatile uint64_t phase;   /* 1 + r while repetition r is measured; else 0 */
    volatile uint64_t binned;  /* iterations of that repetition binned into histograms */
    volatile uint64_t failed;  /* iterations of it that failed */
    int64_t pending[POINT_TIMING_BUFFER]; /* its timings not yet binned; -1: none */
};

/* Starts a phase: `phase` as in struct point_live, nothing counted, nothing pending. */
void point_live_begin(struct point_live *live, uint64_t phase);
/* Iterations of the repetition under way: binned, failed and still pending. */
uint64_t point_live_iterations(const struct point_live *live);

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
    char **encoded;          /* per repetition: its V2 Base64 encoding once made, or NULL */
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

/* How one point's run went, besides what point_state holds. */
struct point_run {
    char *error;              /* why the point failed (NULL: it did not); owned */
    uint64_t batch;           /* iterations per timed call (1 unless iterate_batch) */
    uint64_t warmup_done;
    uint64_t *rep_iterations; /* per repetition */
    uint64_t *rep_wall_ns;    /* per repetition: measured loop wall time */
    uint64_t *rep_started_ns; /* per repetition: CLOCK_REALTIME at its start, ns since epoch */
    uint64_t wall_ns;         /* the whole point, setup to teardown */
    const struct open_loop *open; /* the schedule (schedule.h), or NULL: closed loop */
    struct point_live *live;  /* where the loops keep their timings and counts */
    uint64_t late;            /* open loop: measured iterations that started late */
    uint64_t max_lag_ns;      /* open loop: the largest start lag of a measured iteration */
};

/* One instrument attached to one experiment, for the whole run. */
struct instrument_run {
    const struct spec_experiment *exp;
    const struct spec_instrument *si;
    void *state;
    int started;              /* run_start succeeded */
    int in_point;             /* point_start succeeded for the point under way */
    struct metrics metrics;   /* run-level metrics */
    char *error;
};

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

#endif
