/*
 * export_csv.h — a run's figures as CSV (RFC 4180), one row per point and
 * histogram, for spreadsheets and data frames (docs/export.md, "csv").
 */
#ifndef BHOST_EXPORT_CSV_H
#define BHOST_EXPORT_CSV_H

#include <jansson.h>
#include <stdio.h>

/* Writes doc to f: a header row, then the rows; strings through escape_csv(), numbers
 * in the shortest form that reads back exactly. */
void export_csv(FILE *f, const json_t *doc);

#endif
