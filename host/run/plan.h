/*
 * plan.h — the order a run's work goes in (docs/compare.md, "Fresh
 * processes and interleaving").
 *
 * A task is a whole point, or one repetition of a point that runs
 * repetition by repetition: its experiment has `fresh_process`, the spec
 * has `interleave`, or the run has two sides (A/B). Repetition tasks of one
 * point run one after the other, A's and B's alternating ABBA
 * (A B, then B A, ...). With `interleave`, the work goes in rounds: round k
 * holds repetition k of every point (of every side), in an order shuffled
 * by the spec's seed, so that drift of the machine falls on every point
 * alike.
 */
#ifndef BHOST_PLAN_H
#define BHOST_PLAN_H

#include "spec/sweep.h"

#include <stddef.h>
#include <stdint.h>

struct task {
    size_t side;                /* 0; 1 for B in an A/B run */
    size_t point;               /* the point's index in its side's sweep */
    /* What runs: a copy of the point; for a repetition task, with `repetition` set and an
     * experiment of one repetition (the plan's copy of its experiment, shared by its
     * tasks). The runner and the child see only this. */
    struct point pt;
};

struct plan {
    struct task *tasks;
    size_t ntasks;
    /* Each experiment run repetition by repetition, and its copy of one repetition: kept
     * once per experiment, not once per task (a large sweep has many tasks). */
    const struct spec_experiment **originals;
    struct spec_experiment **singles;
    size_t nsingles;
};

/* The tasks for `nsides` sweeps (2 sides: the same points, paired by index). */
void plan_make(struct plan *p, const struct sweep *const *sides, size_t nsides, int interleave,
               uint64_t seed);
void plan_free(struct plan *p);

/* The task a point handed to the runner or a child belongs to. */
static inline struct task *plan_task_of(const struct point *pt)
{
    return (struct task *)(void *)((char *)(uintptr_t)pt - offsetof(struct task, pt));
}

/* Whether the points of `e` run repetition by repetition in a run of this shape. */
int plan_by_repetition(const struct spec_experiment *e, size_t nsides, int interleave);

#endif
