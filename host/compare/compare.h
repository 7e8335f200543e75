/*
 * compare.h — two runs compared point by point (`bhost compare A B`,
 * docs/compare.md): points matched by id; for each point, histogram and
 * figure (p50, p90, p99 by default) the median over repetitions on each
 * side, the ratio B/A with its interval from the repetition-level values
 * (stats.h), and a verdict against a noise threshold; counters, gauges and
 * failure counts beside them; and what differs between the two runs'
 * environments.
 *
 * The inputs are results documents (docs/results.md). A side's per-
 * repetition figures come from histograms.NAME.repetitions[k]: the figure's
 * key ("p50", "p99_9", ...) when the object has it, else computed from the
 * repetition's "hdr". A baseline built from the history database (history.h)
 * has the keys and no "hdr".
 */
#ifndef BHOST_COMPARE_H
#define BHOST_COMPARE_H

#include "stats/stats.h"

#include <jansson.h>
#include <stdio.h>

#define COMPARE_DEFAULT_THRESHOLD 0.02
#define COMPARE_DEFAULT_CONFIDENCE 0.95
#define COMPARE_MAX_PERCENTILES 16
/* The percentiles compared when none are asked (an initializer). */
#define COMPARE_DEFAULT_PERCENTILES {50, 90, 99}

/*
 * faster / slower: the interval lies wholly on one side of 1 and the ratio
 * is beyond the threshold; same: the interval lies within the threshold
 * (1/(1+t) .. 1+t); inconclusive: anything else (too few repetitions, or an
 * interval too wide to tell).
 */
enum verdict { VERDICT_SAME, VERDICT_FASTER, VERDICT_SLOWER, VERDICT_INCONCLUSIVE };

const char *verdict_name(enum verdict v); /* "same", "faster", "slower", "inconclusive" */

/* The verdict for a ratio and its interval (NAN bounds: inconclusive). */
enum verdict compare_judge(double ratio, double lo, double hi, double threshold);

struct compare_options {
    double threshold;          /* relative noise threshold; COMPARE_DEFAULT_THRESHOLD */
    double confidence;         /* COMPARE_DEFAULT_CONFIDENCE */
    double percentiles[COMPARE_MAX_PERCENTILES]; /* e.g. 50, 90, 99; none: 50, 90, 99 */
    size_t npercentiles;
    const char *histogram;     /* only this histogram; NULL: every histogram both sides have */
};

/* One figure of one histogram of one point, compared. */
struct compare_figure {
    const char *point_id, *label, *histogram; /* borrowed from B's document */
    const char *unit;         /* the histogram's unit, "ns" for times (borrowed from B's) */
    char figure[16];          /* "p50", "p99_9", "mean" */
    double a, b;              /* the medians over repetitions */
    size_t na, nb;            /* repetitions on each side */
    struct stats_ratio r;     /* b/a and its interval */
    enum verdict verdict;
    char why[160];            /* why inconclusive; "" otherwise */
};

/* The overall outcome, for the exit code: the worst verdict found. */
enum compare_outcome {
    COMPARE_NO_REGRESSION, /* nothing slower, nothing inconclusive, no new failures */
    COMPARE_INCONCLUSIVE,  /* nothing slower, but something could not be told */
    COMPARE_REGRESSION     /* a figure slower, or more failed iterations/points in B */
};

struct compare_result {
    struct compare_figure *figs;
    size_t nfigs;
    json_t *points;      /* per matched point: label, status a/b, failures a/b, metrics a/b/ratio */
    json_t *unmatched;   /* {"only_a": [labels], "only_b": [labels]} */
    json_t *environment; /* [{"field", "a", "b"}]: what differs in what matters */
    json_t *warnings;    /* [strings]: too few repetitions, shared-process repetitions, ... */
    json_t *summary;     /* counts per verdict and the geometric mean of each figure's ratios */
    enum compare_outcome outcome;
};

/*
 * Compares B against A. 0 and *out (free with compare_result_free()), or -1
 * with err set when the documents cannot be compared (no point in common, a
 * percentile they cannot give).
 */
int compare_docs(const json_t *a, const json_t *b, const struct compare_options *o,
                 struct compare_result *out, char *err, size_t errlen);
void compare_result_free(struct compare_result *r);

/* The comparison as JSON (docs/compare.md, "--json"), a new reference. */
json_t *compare_to_json(const struct compare_result *r, const struct compare_options *o);
/* A terminal table that fits 100 columns, and the summary line. */
void compare_print_table(FILE *f, const struct compare_result *r, const struct compare_options *o);
/* A GitHub-flavoured Markdown table and summary, for pull-request comments. */
void compare_print_markdown(FILE *f, const struct compare_result *r,
                            const struct compare_options *o);

#endif
