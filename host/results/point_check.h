/*
 * point_check.h — is a JSON object a sweep point's result that bhost can
 * use? Results read back from disk (a journal to resume, results files to
 * merge) are checked with this before any code relies on their shape, so a
 * damaged or hand-edited file is an error message, never a crash.
 */
#ifndef BHOST_POINT_CHECK_H
#define BHOST_POINT_CHECK_H

#include <jansson.h>
#include <stddef.h>

/*
 * 0 if `pt` has the fields docs/results.md gives a point, with their types
 * (those bhost reads back); else -1 and, in `why`, the first field that is
 * missing or wrong ("histograms.iteration.count: not an integer").
 */
int point_check(json_t *pt, char *why, size_t n);
/* The same for a metrics object (name -> {kind: counter|gauge, value} or
 * {kind: unavailable, reason}). */
int metrics_check(json_t *metrics, char *why, size_t n);
/* The same for the notes and tables of a point or an instrument entry (both may be absent). */
int reports_check(json_t *o, char *why, size_t n);

#endif
