/*
 * report.h — what a person sees while a run goes and when it ends: a
 * progress line on a terminal (plain lines otherwise) and a table.
 */
#ifndef BHOST_REPORT_H
#define BHOST_REPORT_H

#include "spec/sweep.h"

#include <jansson.h>
#include <stdio.h>

struct report {
    FILE *out;
    int tty, quiet;
    int progress_shown;       /* a progress line is on the terminal now */
    size_t total, done, failed, skipped;
};

void report_begin(struct report *r, FILE *out, int quiet, size_t npoints);
void report_point_start(struct report *r, const struct point *pt);
void report_point_done(struct report *r, const json_t *point);
/* A point a resumed run found already done in its journal. */
void report_point_earlier(struct report *r, const json_t *point);
void report_end(struct report *r);
/* Clears the progress line, if one is showing, before something else is printed. */
void report_clear_progress(struct report *r);

/* The summary table of a results document's points. */
void report_table(FILE *out, const json_t *doc);

/* 1234 -> "1.23 us": three significant digits and a unit. */
void format_ns(char *buf, size_t n, double ns);
/* 32470000 -> "32.5M": three significant digits and a decimal prefix. */
void format_rate(char *buf, size_t n, double per_s);

#endif
