/*
 * gate_text.h — the text inside a gate (the grammar is in gates.h and
 * docs/ci.md): a figure, a check's operator and value with its unit, a
 * percentage, a claim. Each parser fills a struct spec_gate; on a bad text
 * it fills a gate_text_error with the message and the byte offset in the
 * text it points at, so that the reader can give the token's column.
 */
#ifndef BHOST_GATE_TEXT_H
#define BHOST_GATE_TEXT_H

#include "spec/gates.h"

#include <stddef.h>

struct gate_text_error {
    size_t at;      /* byte offset in the text */
    char msg[256];
};

/*
 * A check, "FIGURE OP VALUE": fills g's figure (histogram, percentile,
 * metric: malloc'd), op and value in the figure's unit (ns for a
 * histogram's times, seconds for wall_s, bytes, a fraction for
 * success_rate). 0, or -1 and e.
 */
int gate_parse_check(const char *text, struct spec_gate *g, struct gate_text_error *e);
/* A claim, "FIGURE RANGE DIRECTION" or "FIGURE unchanged": g's figure, claim, lo and hi. */
int gate_parse_claim(const char *text, struct spec_gate *g, struct gate_text_error *e);
/* A whole text that is one figure a baseline compares (max_regression's keys). */
int gate_parse_compared_figure(const char *text, struct spec_gate *g,
                               struct gate_text_error *e);
/* "5%", as the fraction 0.05 (a percentage of 0 or more). */
int gate_parse_percent(const char *text, double *frac, struct gate_text_error *e);

/* Whether a figure is one of a histogram's (a percentile, mean, min, max, throughput). */
int gate_figure_is_histogram(enum spec_gate_figure f);
/* Whether a figure is judged once for the run (run.wall_s, ...). */
int gate_figure_is_run(enum spec_gate_figure f);
/* How a figure's values are written in a check, and in what unit the model holds them. */
enum gate_unit {
    GATE_UNIT_NS,       /* a time of `iteration` or `response`: a unit required; held in ns */
    GATE_UNIT_OWN,      /* a plugin histogram's figure: in its own unit, or a time in ns */
    GATE_UNIT_S,        /* wall_s, run.wall_s: a unit required; held in seconds */
    GATE_UNIT_PER_S,    /* throughput: per second, "/s" optional */
    GATE_UNIT_BYTES,    /* B, KB, MB, GB (1000^n), KiB, MiB, GiB (1024^n); bare: bytes */
    GATE_UNIT_FRACTION, /* success_rate: 0.99 or 99% */
    GATE_UNIT_COUNT,    /* failures, new_failure_reasons, run.failed_points: a whole number */
    GATE_UNIT_NUMBER    /* a metric: a number in the metric's own unit */
};
enum gate_unit gate_figure_unit(const struct spec_gate *g);
/* The key of percentile q in a histogram's summary: "p50", "p99_9", "p99_99". */
void gate_percentile_key(double q, char *buf, size_t n);
/* The figure as a spec names it: "p99", "response.p99", "metric:cost", "wall_s". */
void gate_figure_name(const struct spec_gate *g, char *buf, size_t n);

#endif
