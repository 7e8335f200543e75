/*
 * run_hlog.h — a run's HdrHistogram interval log (run.hlog), made from its
 * results document (docs/results.md, "run.hlog").
 */
#ifndef BHOST_RUN_HLOG_H
#define BHOST_RUN_HLOG_H

#include "results/point_source.h"

#include <jansson.h>
#include <stddef.h>

/*
 * The tag of one repetition's histogram: "<point id>/<histogram>/<repetition
 * from 1>", with every byte of the id and name other than A-Z a-z 0-9 . _ -
 * written %XX. malloc'd.
 */
char *run_hlog_tag(const char *point_id, const char *histogram, size_t repetition);

/*
 * Writes `path` (temporary file + rename) with one interval per point,
 * histogram and repetition of `doc`. 0, or -1 with the reason in err.
 */
int run_hlog_write(const json_t *doc, const char *path, char *err, size_t errlen);
/* run_hlog_write() of a document given as its head (every member but "points") and its
 * points, read one at a time from src. */
int run_hlog_write_points(const json_t *head, struct point_source *src, const char *path,
                          char *err, size_t errlen);

/*
 * The same log written as the points come (a merge never holds them all): begin with a
 * document holding at least "bhost" and "run" (its started_utc), then each point in order,
 * then finish, which writes `path` (temporary file + rename) and frees h: 0, or -1 with
 * the reason in err. begin gives NULL with err set; abort drops an unfinished log.
 */
struct run_hlog;
struct run_hlog *run_hlog_begin(const json_t *doc, const char *path, char *err, size_t errlen);
void run_hlog_point(struct run_hlog *h, const json_t *pt);
int run_hlog_finish(struct run_hlog *h, char *err, size_t errlen);
void run_hlog_abort(struct run_hlog *h);

#endif
