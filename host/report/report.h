/*
 * report.h — reports people read, from a finished run (docs/report.md):
 * a Markdown file in the shape of a RESULTS.md, and one self-contained HTML
 * page with plots drawn as inline SVG, no script and no request beyond
 * itself. Both take the run's results document and, when asked, its
 * comparison with a baseline (compare/compare.h) and its points' history.
 *
 * Every string that comes from the results (labels, parameters, reasons,
 * notes, the environment) is written through the escaper of the format
 * (util/escape.h).
 */
#ifndef BHOST_REPORT_H
#define BHOST_REPORT_H

#include "compare/compare.h"
#include "report/history_series.h"

#include <jansson.h>
#include <stdio.h>

struct report_compare {
    const struct compare_result *result;
    const struct compare_options *options;
    const json_t *base;    /* the baseline document: its histograms are drawn beside the run's
                              where it has their "hdr" */
    const char *base_name; /* what --compare named: a path, or "history (FILE)" */
};

struct report {
    const json_t *doc;            /* the run's results document */
    const char *results_path;     /* where it was read from, as named */
    const char *run_dir;          /* the run directory as a link from where the report is
                                     (artifacts are under it): "" or "." for beside it */
    const struct report_compare *compare; /* NULL without --compare */
    const struct history_series *history; /* NULL: no history asked */
};

/* The Markdown report (GitHub-flavoured) to f. */
void report_markdown(FILE *f, const struct report *r);
/* The HTML page to f. */
void report_html(FILE *f, const struct report *r);

#endif
