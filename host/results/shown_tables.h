/*
 * shown_tables.h — the tables plugins asked to show (BHOST_TABLE_SHOW, such
 * as a profiler's top functions), printed after the run's summary table,
 * each under its point's label.
 */
#ifndef BHOST_SHOWN_TABLES_H
#define BHOST_SHOWN_TABLES_H

#include "results/point_source.h"

#include <jansson.h>
#include <stdio.h>

/* Every shown table of the document's points; without `verbose`, at most 50 rows each and
 * text cut to fit. */
void report_shown_tables(FILE *out, const json_t *doc, int verbose);
/* report_shown_tables() of the points src gives that the summary table shows (table.h). */
void report_shown_tables_points(FILE *out, struct point_source *src, int verbose);

#endif
