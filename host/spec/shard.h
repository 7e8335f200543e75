/*
 * shard.h — one shard of a sweep (`bhost run SPEC --shard I/N`,
 * docs/scale-out.md): which points of the filtered sweep it runs, and what
 * its run records so that a resume runs the same points and `bhost merge`
 * can prove that the shards together ran the sweep exactly once.
 *
 * Two assignments, both deterministic, so that every shard computes the
 * same split on its own:
 * - dealt (the default): within each experiment its points, sorted by id,
 *   are dealt round-robin starting at shard (FNV-1a 64 of the experiment's
 *   name mod N) + 1; adding an experiment never moves another's points.
 * - balanced (--balance-from RUN): each point costs its wall time in RUN
 *   (the median of the known costs when RUN lacks it, 1 if none is known);
 *   longest-processing-time first, each point to the least loaded shard.
 */
#ifndef BHOST_SHARD_H
#define BHOST_SHARD_H

#include "spec/sweep.h"
#include "util/checksum.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define SHARD_MAX_COUNT 100000

struct shard {
    uint32_t index, count;        /* shard `index` of `count`, 1 <= index <= count */
    char *balance_from;           /* the results.json costs come from, absolute; NULL: dealt */
    /* That file's SHA-256: found by shard_apply(), or given (run.json) and checked by it. */
    char balance_sha256[CHECKSUM_HEX_LEN + 1];
    /* What shard_apply() found: the filtered sweep before sharding. */
    uint64_t sweep_points;
    char sweep_ids_sha256[CHECKSUM_HEX_LEN + 1]; /* of its ids sorted, each and "\n" */
};

/* Where `--shard auto` reads its variables: getenv(), or a table in tests. NULL or ""
 * is unset. */
typedef const char *shard_env_fn(const char *name);

/*
 * --shard ARG: "I/N", "auto" or "auto/N" (auto reads BHOST_SHARD; then
 * SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT and SLURM_ARRAY_TASK_MIN;
 * then CI_NODE_INDEX with CI_NODE_TOTAL; then JOB_COMPLETION_INDEX with N
 * or BHOST_SHARD_COUNT). 0 and a dealt *sh, or -1 with a message.
 */
int shard_parse(const char *arg, shard_env_fn *env, struct shard *sh, char *err,
                size_t errlen);
/* --balance-from RUN (a results.json or a run directory holding one): the file made
 * absolute in sh->balance_from. 0, or -1 with a message. */
int shard_balance_from(struct shard *sh, const char *run, char *err, size_t errlen);

/* The assignments: of[i] (1-based) is the shard of w->points[i], out of `count`. */
void shard_deal(const struct sweep *w, uint32_t count, uint32_t *of);
void shard_balance(const struct sweep *w, const double *cost, uint32_t count, uint32_t *of);
/* Each point's cost from a results document's points by id (results_read's by_id). */
void shard_costs(const struct sweep *w, const json_t *by_id, double *cost);

/*
 * Keeps in `w` only the points of shard sh (in sweep order; each keeps its
 * index, id, parameters and seed), after recording the whole sweep's size
 * and id digest in sh; balanced, reads sh->balance_from and refuses it if
 * its digest is not the one sh was given. 0, or -1 with a message.
 */
int shard_apply(struct shard *sh, struct sweep *w, char *err, size_t errlen);

/* run.json's "shard": index, count, method, balance_from, balance_sha256. */
json_t *shard_record_json(const struct shard *sh);
/* run.json's "shard" back (`name` is the file, for messages): 0, or -1 with a message. */
int shard_from_record(const json_t *o, const char *name, struct shard *sh, char *err,
                      size_t errlen);
/* results.json's run.shard, after shard_apply(): `points` is the shard's count. */
json_t *shard_results_json(const struct shard *sh, size_t points);
/* "dealt" or "balanced". */
const char *shard_method(const struct shard *sh);
void shard_free(struct shard *sh);

#endif
