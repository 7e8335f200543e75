/*
 * progress.h — what a person sees while a run goes: a progress line on a
 * terminal, rewritten in place, or one plain line per point otherwise;
 * failures always on a line of their own.
 */
#ifndef BHOST_PROGRESS_H
#define BHOST_PROGRESS_H

#include <jansson.h>
#include <stdio.h>

struct report {
    FILE *out;
    int tty, quiet;
    int progress_shown;       /* a progress line is on the terminal now */
    const char *side;         /* in an A/B run, "A " or "B " before the point's label */
    size_t total, done, failed, skipped;
    char **unavailable;       /* reasons for unavailable metrics told: once per run each */
    size_t nunavailable, cap_unavailable;
};

void report_begin(struct report *r, FILE *out, int quiet, size_t npoints);
void report_point_start(struct report *r, const char *label);
/* A point's end: its line, and once per run each reason a metric is unavailable. */
void report_point_done(struct report *r, const json_t *point);
/* A point a resumed run found already done in its journal. */
void report_point_earlier(struct report *r, const json_t *point);
void report_end(struct report *r);
/* Clears the progress line, if one is showing, before something else is printed. */
void report_clear_progress(struct report *r);

#endif
