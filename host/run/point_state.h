/*
 * point_state.h — what one sweep point accumulates while it runs: its named
 * histograms (one HDR histogram per repetition and thread), counters and
 * gauges, failure reasons and artifacts, per thread and then merged, and how
 * its phases went. The runner fills it, the services record into it,
 * point_json.c turns it into the point's result.
 */
#ifndef BHOST_POINT_STATE_H
#define BHOST_POINT_STATE_H

#include "hdr/hdr.h"
#include "spec/sweep.h"

#include <pthread.h>
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
 * What the host can see of one thread of a point while its process runs:
 * the measured loop's timing buffer itself, and counts it updates between
 * iterations. For an isolated point these are pages shared with the host,
 * so that a point that dies mid-repetition still says how many iterations
 * it ran.
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

/* A metric reported unavailable (bhost_unavailable()) stays so: its values are ignored. */
enum metric_kind { METRIC_COUNTER, METRIC_GAUGE, METRIC_UNAVAILABLE };

struct metric {
    char *name;
    enum metric_kind kind;
    double value;
    uint64_t set_at;         /* gauges: when last set (point_clock_tick()), to merge threads */
    char *reason;            /* METRIC_UNAVAILABLE: why */
};

struct metrics {
    struct metric *v;
    size_t n, cap;
};

struct reason {
    char *text;
    uint64_t count;
};

/* Failed iterations, with their reasons. */
struct failures {
    uint64_t count;
    struct reason *v;
    size_t n, cap;
};

/* What one of the point's threads counts: merged into lane 0 when the point ends. */
struct lane {
    struct metrics metrics;
    struct failures fails;
};

/* How a histogram records: the unit and range it was asked for. */
struct hist_config {
    char unit[32];           /* "ns" for times */
    int64_t lowest, highest;
    int32_t digits;
};

/* The SDK's opaque histogram handle: one HDR histogram per repetition and thread. */
struct bhost_hist {
    char *name;
    struct hist_config cfg;
    uint32_t nreps, nthreads;
    struct hdr *reps;        /* [thread * nreps + repetition] */
    struct hdr **current;    /* per thread: the repetition being measured */
    char **encoded;          /* per repetition: its V2 Base64 encoding once made, or NULL */
};

/* A file a plugin wrote for the point or the run (bhost_artifact_path()). */
struct artifact {
    char *name;              /* as the results list it ("sampler.flame.svg") */
    char *media_type;
    char *path;              /* absolute */
    char *rel;               /* relative to the run directory */
};

struct artifacts {
    struct artifact *v;
    size_t n, cap;
};

/* A table a plugin fills (bhost_table_get()): its columns, then rows of cells. */
struct table_column {
    char *name;
    char *unit;              /* NULL: a column of text */
};

struct table_cell {
    char *text;              /* text columns (NULL: empty) */
    double number;           /* the others */
};

/* The SDK's opaque table handle. */
struct bhost_table {
    char *name;              /* as results list it ("sampler.top") */
    char *title;
    uint32_t flags;          /* BHOST_TABLE_SHOW, BHOST_TABLE_SERIES */
    struct table_column *columns;
    uint32_t ncolumns;
    struct table_cell *cells; /* row-major: nrows x ncolumns */
    size_t nrows, cap;        /* cap in rows */
    uint64_t rows_dropped;    /* beyond TABLE_MAX_ROWS */
};

#define TABLE_MAX_ROWS 100000

struct tables {
    struct bhost_table **v;
    size_t n, cap;
};

/* A fact in words (bhost_note()). */
struct note {
    char *name;
    char *text;
};

struct notes {
    struct note *v;
    size_t n, cap;
};

/* Everything a sweep point accumulates while it runs. */
struct point_state {
    const char *point_id;
    const char *scratch_dir;     /* made on first bhost_scratch_dir() */
    int scratch_made;
    const char *run_dir;         /* where artifacts go (may be NULL: none) */
    uint32_t nreps, nthreads;
    uint32_t rep;                /* the repetition histograms record into */
    int open_loop;               /* on a schedule: "response" is the host's too */
    const struct spec_experiment *exp; /* whose instruments' names are theirs */
    struct bhost_hist **hists;   /* [0] is the host's own "iteration" */
    size_t nhists, hists_cap;
    pthread_mutex_t lock;        /* for what threads share: histograms made, artifacts */
    struct lane *lanes;          /* per thread; lanes[0] also takes setup's and teardown's */
    struct artifacts artifacts;
    struct tables tables;        /* under `lock`, as artifacts */
    struct notes notes;
    const char *label;           /* the point's label (bhost_point_label()) */
};

/* How one point's run went, besides what point_state holds. */
struct point_run {
    char *error;              /* why the point failed (NULL: it did not); owned */
    uint64_t batch;           /* iterations per timed call (1 unless iterate_batch) */
    uint64_t warmup_done;
    uint64_t *rep_iterations; /* per repetition, all threads */
    uint64_t *rep_wall_ns;    /* per repetition: measured wall time, the slowest thread's */
    uint64_t *rep_started_ns; /* per repetition: CLOCK_REALTIME at its start, ns since epoch */
    uint64_t wall_ns;         /* the whole point, setup to teardown */
    const char *clock;        /* the measured loops' clock: "tsc" or "CLOCK_MONOTONIC" */
    const struct open_loop *open; /* the schedule (schedule.h), or NULL: closed loop */
    struct point_live *live;  /* per thread: where the loops keep their timings and counts */
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
    struct artifacts artifacts; /* run-level artifacts */
    struct tables tables;       /* run-level tables and notes */
    struct notes notes;
    char *artifact_dir;       /* where they go */
    char *error;
};

void point_state_init(struct point_state *ps, uint32_t nreps, uint32_t nthreads,
                      const char *id, const char *scratch);
void point_state_fini(struct point_state *ps);
/* A point's scratch directory under `root`: its id, and for a repetition run on its own
 * "-r" and the repetition, so that two at once never share one. */
char *point_scratch_dir(const char *root, const struct point *pt);
/* The histogram `name`, made with `cfg` (NULL: times in ns) if it is new. */
struct bhost_hist *point_histogram(struct point_state *ps, const char *name,
                                   const struct hist_config *cfg);
/* The configuration of a histogram of times: 1 ns to 1 h, 3 digits. */
void hist_config_time(struct hist_config *cfg);
/* Makes repetition `rep` the one every histogram records into, on every thread. */
void point_select_rep(struct point_state *ps, uint32_t rep);
void point_reset_rep(struct point_state *ps, uint32_t rep);
/*
 * Adds what threads 1.. counted into thread 0's and clears theirs: repetition
 * `rep` of every histogram (none if rep is UINT32_MAX), and their lanes.
 */
void point_merge_threads(struct point_state *ps, uint32_t rep);

/* `count` iterations failed for `reason` (taken over). */
void failures_add(struct failures *f, char *reason_owned, uint64_t count);
void failures_clear(struct failures *f);
/* A gauge's time stamp: a counter across threads, so that the last one set wins. */
uint64_t point_clock_tick(void);

void metrics_fini(struct metrics *m);
void artifacts_fini(struct artifacts *a);
void tables_fini(struct tables *t);
void notes_fini(struct notes *n);

#endif
