/*
 * gates.h — the `gates:` of a spec (docs/ci.md): checks a CI job wants a
 * run to pass, read and checked when the spec loads (file:line:col on a bad
 * one, did-you-mean on a misspelled figure), judged after the run by gate/.
 *
 * A gate is one of:
 *   a check     "FIGURE OP VALUE"      p99 < 2ms, failures == 0, success_rate >= 0.99,
 *                                      wall_s < 30s, artifact_bytes < 50MB,
 *                                      metric:rusage.max_rss_kib < 200000,
 *                                      new_failure_reasons == 0 (against the baseline),
 *                                      run.wall_s < 10min, run.failed_points == 0
 *               (a histogram's figure is FIGURE or HISTOGRAM.FIGURE: response.p99)
 *   a regression limit  max_regression: 5%  (p50), or {p50: 5%, p99: 10%}
 *   a claim     claim: "p50 30%..40% faster" | "p99 at least 10% faster" |
 *                      "p50 at most 5% slower" | "p50 unchanged" |
 *                      "failures at least 50% fewer" | "metric:cost unchanged"
 * A mapping form adds a scope: {check: "p99 < 2ms", points: "spin[ns=1000]"}.
 * Gates at the top level apply to every experiment's points; under an
 * experiment, to its points only.
 */
#ifndef BHOST_GATES_H
#define BHOST_GATES_H

#include <stddef.h>

enum spec_gate_kind { SPEC_GATE_CHECK, SPEC_GATE_MAX_REGRESSION, SPEC_GATE_CLAIM };
enum spec_gate_op { SPEC_GATE_LT, SPEC_GATE_LE, SPEC_GATE_GT, SPEC_GATE_GE, SPEC_GATE_EQ,
                    SPEC_GATE_NE };

/* What a gate looks at. */
enum spec_gate_figure {
    SPEC_FIG_PERCENTILE,          /* a histogram's percentile: `percentile` */
    SPEC_FIG_MEAN, SPEC_FIG_MIN, SPEC_FIG_MAX, /* a histogram's summary */
    SPEC_FIG_THROUGHPUT,          /* a histogram's throughput_per_s */
    SPEC_FIG_FAILURES,            /* failed iterations of a point */
    SPEC_FIG_SUCCESS_RATE,        /* a point's failures.success_rate */
    SPEC_FIG_WALL_S,              /* a point's wall_s */
    SPEC_FIG_ARTIFACT_BYTES,      /* the sum of a point's artifact sizes */
    SPEC_FIG_METRIC,              /* metrics[`metric`].value */
    SPEC_FIG_NEW_FAILURE_REASONS, /* reasons this point has that the baseline's has not */
    SPEC_FIG_RUN_WALL_S,          /* run.wall_s (once per run) */
    SPEC_FIG_RUN_FAILED_POINTS,   /* run.points_failed (once per run) */
    SPEC_FIG_RUN_ARTIFACT_BYTES   /* every point's artifacts (once per run) */
};

/* A claim's shape: the ratio B/A (or baseline -> this run) it promises. */
enum spec_claim { SPEC_CLAIM_RANGE, SPEC_CLAIM_UNCHANGED };

struct spec_gate {
    enum spec_gate_kind kind;
    char *text;               /* as written, for messages: "p99 < 2ms" */
    unsigned line, column;    /* where it is in the spec file, 1-based */
    char *points;             /* the points it is limited to, as --filter matches; NULL: all */
    /* what it looks at (check, claim, and each figure of max_regression) */
    enum spec_gate_figure figure;
    char *histogram;          /* "iteration" unless the text names another */
    double percentile;        /* SPEC_FIG_PERCENTILE: 50, 99, 99.9 */
    char *metric;             /* SPEC_FIG_METRIC: the metric's name */
    /* check: figure OP value, the value in the figure's unit (ns, s, bytes, a fraction) */
    enum spec_gate_op op;
    double value;
    /* max_regression: the ratio B/A may not exceed 1 + limit */
    double limit;
    /* claim: the ratio B/A lies in [lo, hi] (a range; 0 or INFINITY for open ends), or
     * within the compare threshold of 1 (unchanged) */
    enum spec_claim claim;
    double lo, hi;
};

struct spec_gates {
    struct spec_gate *items;
    size_t n;
};

void spec_gates_free(struct spec_gates *g);

#endif
