/*
 * slurm_scripts.h — the two batch scripts `bhost slurm` submits (docs/slurm.md):
 * shards.sbatch, a job array whose task K runs shard K+1 of the sweep into
 * DIR/shards/shard-<K+1>, and merge.sbatch, which merges them into DIR.
 * Every path and argument is single-quoted for the shell, so any spec path,
 * --set value or directory name reaches bhost unchanged.
 */
#ifndef BHOST_SLURM_SCRIPTS_H
#define BHOST_SLURM_SCRIPTS_H

#include <stddef.h>

/* What both scripts run; every path absolute. */
struct slurm_job {
    const char *bhost;        /* the bhost binary the scripts run */
    const char *spec;         /* the spec file */
    const char *dir;          /* the run directory: DIR/shards, DIR/slurm, the merged run */
    const char *name;         /* the spec's name, for the job names */
    size_t shards;            /* N: array tasks 0..N-1 */
    const char *const *sets;  /* --set KEY=VALUE, passed on */
    size_t nsets;
    const char *filter;       /* --filter, or NULL */
    char *const *paths;       /* --plugin-path folders, passed on */
    size_t npaths;
};

/* DIR/slurm/shards.sbatch's text (owned). */
char *slurm_shards_script(const struct slurm_job *j);
/* DIR/slurm/merge.sbatch's text (owned). */
char *slurm_merge_script(const struct slurm_job *j);
/* s as one shell word: in single quotes, each ' written '\'' (owned). */
char *shell_quote(const char *s);

#endif
