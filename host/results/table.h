/*
 * table.h — a results document as the table a person reads at the end of a
 * run, and the number formats it and the progress lines use.
 */
#ifndef BHOST_TABLE_H
#define BHOST_TABLE_H

#include "results/point_source.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* A run of more points than this gets a summarised table (unless verbose): its first
 * TABLE_SUMMARY_ROWS points, then every failed or partial one, then how many are left out. */
#define TABLE_FULL_MAX 100
#define TABLE_SUMMARY_ROWS 50

/* The summary table of a results document's points; with `verbose`, every metric and every
 * point. */
void report_table(FILE *out, const json_t *doc, int verbose);
/* report_table() of a document given as its head (every member but "points") and its
 * points, read from src as needed (a summarised table reads only the points it shows). */
void report_table_points(FILE *out, const json_t *head, struct point_source *src, int verbose);

/* Which points the table shows: report_table_pick() once, then report_table_shows() for each
 * position in order: 1 if the point at i is shown (0 also for positions with no point). */
struct table_pick {
    size_t nth, present;
    int all;
};
void report_table_pick(struct table_pick *p, struct point_source *src, int verbose);
int report_table_shows(struct table_pick *p, struct point_source *src, size_t i);

/* 1234 -> "1.23 us": three significant digits and a unit. */
void format_ns(char *buf, size_t n, double ns);
/* 32470000 -> "32.5M": three significant digits and a decimal prefix. */
void format_rate(char *buf, size_t n, double per_s);

#endif
