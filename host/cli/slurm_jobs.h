/*
 * slurm_jobs.h — talking to Slurm through its client commands, as a user
 * would: sbatch submits, squeue tells a job's state (no accounting database
 * needed: sacct is not used). And what `bhost slurm --wait` makes of how the
 * jobs ended, from the exit codes the batch scripts leave in DIR/slurm/
 * (docs/slurm.md).
 */
#ifndef BHOST_SLURM_JOBS_H
#define BHOST_SLURM_JOBS_H

#include <stddef.h>

/* The absolute path of the program `name` on $PATH (owned), or NULL. */
char *slurm_find_tool(const char *name);

/*
 * Runs `sbatch --parsable args...` (args NULL-terminated, sbatch's own errors on
 * stderr) and puts the job id it printed in id. 0, or -1 with why in err.
 */
int slurm_submit(const char *sbatch, const char *const *args, char *id, size_t idlen, char *err,
                 size_t errlen);

/* What `bhost slurm --wait` waits for. */
struct slurm_wait {
    const char *squeue, *scancel; /* absolute paths */
    const char *dir;              /* the run directory (DIR/slurm holds the exit codes) */
    const char *array_id, *merge_id;
    size_t shards;
};

/*
 * Waits until the merge job has ended and returns the run's exit code: the merge's (0 all
 * good, 1 failed points, more if bhost merge failed), or, when it did not run,
 * EXIT_INTERNAL with each failed array task named on stderr with its output file.
 */
int slurm_wait_merge(const struct slurm_wait *w);

#endif
