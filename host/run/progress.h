/*
 * progress.h — what a person sees while a run goes: a progress line on a
 * terminal, rewritten in place, with the time elapsed and an estimate of
 * what remains; otherwise (a CI log) one plain line per point, or, past
 * PROGRESS_BRIEF_ABOVE points, a progress line every PROGRESS_EVERY_NS or
 * tenth of the run; failures always on a line of their own (docs/cli.md).
 */
#ifndef BHOST_PROGRESS_H
#define BHOST_PROGRESS_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* Without a terminal, runs of more points than this get progress lines, not a line a point. */
#define PROGRESS_BRIEF_ABOVE 200
/* How often a brief run says how far it is, at most (also at each tenth of its points). */
#define PROGRESS_EVERY_NS UINT64_C(10000000000)

struct report {
    FILE *out;
    int tty, quiet;
    int progress_shown;       /* a progress line is on the terminal now */
    const char *side;         /* in an A/B run, "A " or "B " before the point's label */
    int brief;                /* no terminal, many points: progress lines, failures */
    size_t total, done, failed, skipped;
    size_t earlier;           /* points a resumed run had already */
    uint64_t start_ns, last_line_ns;
    size_t last_tenth;        /* the tenth of the run a brief run last said */
    char **unavailable;       /* reasons for unavailable metrics told: once per run each */
    size_t nunavailable, cap_unavailable;
};

void report_begin(struct report *r, FILE *out, int quiet, size_t npoints);
void report_point_start(struct report *r, const char *label);
/* A point's end: its line, and once per run each reason a metric is unavailable. */
void report_point_done(struct report *r, const json_t *point);
/* A point a resumed run found already done in its journal. */
void report_point_earlier(struct report *r, const char *label, const char *status);
void report_end(struct report *r);
/* Clears the progress line, if one is showing, before something else is printed. */
void report_clear_progress(struct report *r);

#endif
