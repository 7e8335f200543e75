/*
 * merge.h — runs of one spec merged into one results document (the inside
 * of `bhost merge`; docs/cli.md and docs/results.md, "merged_from").
 */
#ifndef BHOST_MERGE_H
#define BHOST_MERGE_H

#include "results/merge_points.h"

#include <jansson.h>

/* 0 if every input ran the same spec (wherever its file was); else -1 with m->err set. */
int merge_check_spec(struct merge *m);
/* The merged document for DIR (its run.argv is argc/argv), or NULL with m->err set. */
json_t *merge_document(struct merge *m, const char *dir, int argc, char **argv);

#endif
