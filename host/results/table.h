/*
 * table.h — a results document as the table a person reads at the end of a
 * run, and the number formats it and the progress lines use.
 */
#ifndef BHOST_TABLE_H
#define BHOST_TABLE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* The summary table of a results document's points; with `verbose`, every metric. */
void report_table(FILE *out, const json_t *doc, int verbose);

/* 1234 -> "1.23 us": three significant digits and a unit. */
void format_ns(char *buf, size_t n, double ns);
/* 32470000 -> "32.5M": three significant digits and a decimal prefix. */
void format_rate(char *buf, size_t n, double per_s);

#endif
