/*
 * merge_shards.h — `bhost merge` of the shards of one sweep (`bhost run --shard I/N`,
 * docs/scale-out.md): every input a shard of the same sweep, each shard once, and their
 * points together exactly the sweep's (run.shard.sweep_ids_sha256); then what the merged
 * run says of them (run.shards: each shard's wall time and points, how uneven they were).
 */
#ifndef BHOST_MERGE_SHARDS_H
#define BHOST_MERGE_SHARDS_H

#include "results/merge_points.h"
#include "results/merge_spool.h"

#include <jansson.h>

/* Checks input f (m->in[f], still whole) against the inputs before it: all shards of one
 * sweep, or none a shard. 0, or -1 with m->err set. */
int merge_shards_add(struct merge *m, size_t f);
/* Whether the inputs are shards. */
int merge_shards_on(const struct merge *m);
/* After the last input (its `n` points, `entries`): every shard there, and their point ids
 * exactly the sweep's. 0, or -1 with m->err set. */
int merge_shards_check(struct merge *m, const struct spool_entry *entries, size_t n);
/* run.shards (a new reference), or NULL when the inputs are not shards. */
json_t *merge_shards_summary(const struct merge *m);
void merge_shards_free(struct merge *m);

#endif
