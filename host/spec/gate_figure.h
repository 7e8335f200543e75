/*
 * gate_figure.h — the figures a gate looks at (the list is in gates.h and
 * docs/ci.md): a figure read from its text, its name and its unit, and the
 * error a gate's text parser reports, with the byte offset it points at so
 * that the reader can give the token's column.
 */
#ifndef BHOST_GATE_FIGURE_H
#define BHOST_GATE_FIGURE_H

#include "spec/gates.h"

#include <stddef.h>

struct gate_text_error {
    size_t at;      /* byte offset in the text */
    char msg[256];
};

/* Fills e (printf-style) at byte `at`; returns -1. */
__attribute__((format(printf, 3, 4)))
int gate_text_fail(struct gate_text_error *e, size_t at, const char *fmt, ...);

/*
 * The figure `tok` (the whole string; it begins at byte `at` of the gate's
 * text) into g: figure, and histogram ("iteration" unless named) or metric,
 * malloc'd. 0, or -1 and e: an unknown figure with a did-you-mean.
 */
int gate_parse_figure(const char *tok, size_t at, struct spec_gate *g,
                      struct gate_text_error *e);

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
