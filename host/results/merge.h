/*
 * merge.h — runs of one spec merged into one results document (the inside
 * of `bhost merge`; docs/cli.md and docs/results.md, "merged_from"), input
 * by input: memory holds one input and a small entry per point, never every
 * input (merge_spool.h).
 */
#ifndef BHOST_MERGE_H
#define BHOST_MERGE_H

#include "results/merge_points.h"

#include <jansson.h>

/* Starts merging `ninputs` inputs into `dir`, which exists. 0, or -1 with m->err set. */
int merge_begin(struct merge *m, size_t ninputs, const char *dir);
/*
 * Adds an input that results_read() loaded (takes over *r): checks it ran the spec of the
 * first, is not a run merged already, and is a shard of the same sweep if the first is
 * one; merges its points into those so far, and keeps of it only what the merged document
 * needs besides. 0, or -1 with m->err set.
 */
int merge_add(struct merge *m, struct results_file *r);
/*
 * After the last input: the checks that need every input (each shard there once), then
 * dir/results.json and dir/run.hlog written, points in sweep order; run.argv is argc/argv.
 * 0 (m->run is the merged run), or -1 with m->err set (m->io_error if it was I/O).
 */
int merge_finish(struct merge *m, int argc, char **argv);
/* Frees what the merge holds (and its temporary file). */
void merge_free(struct merge *m);

#endif
