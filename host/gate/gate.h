/*
 * gate.h — a spec's gates (spec/gates.h) judged on a finished run
 * (docs/ci.md): each gate against every point in its scope (or once for
 * the run), and the baseline gates against a comparison with a baseline.
 */
#ifndef BHOST_GATE_H
#define BHOST_GATE_H

#include "compare/compare.h"
#include "spec/spec.h"

#include <jansson.h>
#include <stdio.h>

/* What became of one gate at one point (or at the run). */
enum gate_state { GATE_MET, GATE_MISSED, GATE_INCONCLUSIVE, GATE_NOT_JUDGED };

const char *gate_state_name(enum gate_state s); /* "met", "missed", "inconclusive", "not judged" */

struct gate_input {
    const struct spec *spec;
    const json_t *doc;               /* this run's results document */
    const json_t *baseline;          /* the baseline's document, or NULL */
    const struct compare_result *vs; /* this run compared with the baseline, or NULL */
    const char *baseline_name;       /* for messages: a path, "history", "A" */
    double threshold;                /* the noise threshold of "unchanged" claims;
                                        0: COMPARE_DEFAULT_THRESHOLD */
};

/*
 * Judges every gate: [{"gate": text, "where": "file:line:col", "point": id
 * or null, "label", "state", "value", "why"}], one entry per gate and point
 * (or run), in spec order. *worst is the worst state (missed, then
 * inconclusive, then met; not judged counts as met).
 */
json_t *gate_judge(const struct gate_input *in, enum gate_state *worst);

/*
 * The percentiles the spec's max_regression gates and claims look at (each
 * once, in spec order), at most `max` of them in out: what the comparison
 * with the baseline must compute (compare_options.percentiles) for them to
 * be judged. Returns how many.
 */
size_t gate_compared_percentiles(const struct spec *s, double *out, size_t max);

/* The outcomes on the terminal: missed and inconclusive ones each on a line, the rest counted. */
void gate_print(FILE *f, const json_t *outcomes);
/* The same as Markdown, for a pull-request comment: the counts, and a table of every
 * outcome that is not met. */
void gate_print_markdown(FILE *f, const json_t *outcomes);

#endif
