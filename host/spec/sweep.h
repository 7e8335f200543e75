/*
 * sweep.h — the cartesian product of a spec's axes, as sweep points.
 *
 * Within an experiment the first axis in the spec varies slowest, and the
 * thread count (`threads:`) fastest. A point's id is stable: FNV-1a 64 of
 * its experiment name, of the parameters the spec sets (sorted by name,
 * canonical text) and of its thread count when it is not 1, so it does not
 * change when the spec is reordered or a plugin adds a parameter.
 * docs/specs.md gives the exact string hashed.
 */
#ifndef BHOST_SWEEP_H
#define BHOST_SWEEP_H

#include "spec/spec.h"

struct point {
    size_t index;                       /* position in the full sweep */
    const struct spec_experiment *exp;
    struct pvalue *values;              /* every plugin parameter, plugin order */
    char id[17];
    char *label;                        /* "spin[ns=100,mode=clock]" */
    uint64_t seed;
    uint32_t threads;                   /* threads its iterations run on (`threads:`) */
    /* A copy standing for one repetition of the point (1-based), run on its own (run/plan.h);
     * 0 in the sweep: the whole point. */
    uint32_t repetition;
};

struct sweep {
    struct point *points;
    size_t npoints;
    uint64_t total;                     /* points before --filter */
};

/* Whether a point's label or id matches `pattern` as --filter matches: contains it, or
 * matches it as a glob. */
int sweep_match(const char *pattern, const char *label, const char *id);

/* Number of points of the spec; -1 and a message if it passes `limit`. */
int sweep_count(const struct spec *s, uint64_t limit, uint64_t *total, char *err, size_t errlen);

/*
 * Expands the spec. `filter` (may be NULL) keeps points whose label or id
 * contains it, or matches it as a glob. 0, or -1 with a
 * message (too many points).
 */
int sweep_expand(const struct spec *s, const char *filter, uint64_t limit, struct sweep *out,
                 char *err, size_t errlen);
void sweep_free(struct sweep *w);

#endif
