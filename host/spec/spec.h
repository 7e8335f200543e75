/*
 * spec.h — a sweep spec as the host runs it: a checked model, every plugin
 * resolved, every parameter typed and its defaults filled (spec_load(), in
 * load.h, makes one from YAML). The grammar is in docs/specs.md.
 */
#ifndef BHOST_SPEC_H
#define BHOST_SPEC_H

#include "plugin/param.h"
#include "spec/gates.h"
#include "plugin/registry.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define SPEC_DEFAULT_MAX_POINTS 100000
/* The ceiling on max_points (and --max-points): no spec can raise it. */
#define SPEC_MAX_POINTS 1000000
#define SPEC_DEFAULT_MIN_TIME 0.5 /* seconds, when neither measured nor min_time is given */
#define SPEC_DEFAULT_WARMUP 1
#define SPEC_MAX_REPETITIONS 10000 /* each holds its own histograms */
#define SPEC_MAX_THREADS 256       /* threads one point runs its iterations on */

/* One parameter as the spec gives it: one value (fixed) or an axis. */
struct spec_param {
    int def_index;            /* in the plugin's parameter table */
    struct pvalue *values;
    size_t nvalues;
    int is_axis;              /* a list or a range, even of one value */
};

/* Open loop: iterations start on a fixed schedule or as Poisson arrivals. */
enum spec_arrival { SPEC_ARRIVAL_FIXED, SPEC_ARRIVAL_POISSON };

#define SPEC_MAX_RATE 1e9 /* iterations per second: one per nanosecond */
#define SPEC_MIN_RATE 1e-3 /* one per 1000 s: slower schedules are a mistake, and gaps stay finite */

/* Where an entry of the spec file is, for messages about it after loading. */
struct spec_where {
    unsigned line, column;    /* 1-based */
};

struct spec_instrument {
    const struct plugin *plugin;
    struct pvalue *values;    /* every parameter, plugin order, defaults filled */
    struct spec_where at;     /* its entry in the instruments list */
};

struct spec_experiment {
    char *name;               /* unique in the spec; defaults to the plugin name */
    const struct plugin *plugin;
    struct spec_where at;     /* its `experiment:` value */
    /* Its parameters' definitions: the plugin's (shared), then the open parameters the spec
     * gives (BHOST_OPEN_PARAMS; owned, each `open`). Point values are in this order. */
    struct pdef *defs;
    size_t ndefs;
    struct spec_param *params; /* only those the spec sets, in spec order */
    size_t nparams;
    uint64_t warmup, measured;
    double min_time;          /* seconds; 0 = none */
    double timeout;           /* seconds a point may take when isolated; 0 = no limit */
    double rate;              /* open loop: iterations per second; 0 = closed loop */
    enum spec_arrival arrival; /* how the open loop spaces iterations (rate > 0 only) */
    uint32_t repetitions;
    uint32_t *threads;        /* the thread counts its points run on: an axis; {1} by default */
    size_t nthreads;
    int threads_axis;         /* the spec gives a list or a range (the label shows it) */
    struct spec_instrument *instruments;
    size_t ninstruments;
    uint64_t seed;
    char **tags;
    size_t ntags;
    char *notes;
    /* Each repetition in a process of its own: setup, warm-up, one measured repetition,
     * teardown (`fresh_process:`), so that repetitions differ as separate runs do. */
    int fresh_process;
    int fresh_process_set;    /* the spec (or --set) says; else the command decides */
    struct spec_gates gates;  /* the experiment's own `gates:` */
};

struct spec {
    char *path;
    char *name;               /* `name:`, else the file name without .yaml */
    char *output_dir;         /* NULL: results/ */
    char *notes;
    char **tags;
    size_t ntags;
    uint64_t seed;
    uint64_t max_points;
    struct spec_experiment *experiments;
    size_t nexperiments;
    /* `interleave:`: every point's repetitions run in rounds, each round's order shuffled
     * (seeded by `seed`), so that drift of the machine falls on every point alike. */
    int interleave;
    struct spec_gates gates;  /* the top-level `gates:`, for every experiment's points */
};

void spec_free(struct spec *s);
/* "fixed" or "poisson", as specs and results spell it. */
const char *spec_arrival_name(enum spec_arrival a);
/* Maps every plugin the spec uses, so that a run can call them: 0, or -1 and why. */
int spec_open_plugins(struct registry *reg, const struct spec *s, char *err, size_t errlen);

#endif
