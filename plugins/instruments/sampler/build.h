/*
 * build.h — the collected stacks of addresses made into a profile of
 * functions (profile.h), symbolised after the point's measured iterations.
 * Stacks the unwinder could not finish get a root frame "[truncated]";
 * samples taken in the kernel a leaf frame "[kernel]"; addresses no symbol
 * covers are named after their module ("[libsqlite3.so.0]"), and calls
 * among such addresses of one module make one frame.
 */
#ifndef BHOST_SAMPLER_BUILD_H
#define BHOST_SAMPLER_BUILD_H

#include "profile.h"
#include "stacks.h"
#include "symbols.h"

struct built_profile {
    struct profile profile;   /* what the writers read; points into the arrays below */
    struct profile_frame *frames;
    size_t nframes, frames_cap;
    struct profile_stack *stacks;
    size_t nstacks, stacks_cap;
    struct profile_thread *threads;
    size_t nthreads;
    char **owned;             /* strings made here (names of threads, unknown code) */
    size_t nowned, owned_cap;
};

/* 0, or -1 when out of memory (what was built is still valid and freed by profile_free). */
int profile_build(struct built_profile *b, const struct stack_set *set, struct symbolizer *sym,
                  const char *title, double period_ns);
void profile_free(struct built_profile *b);

#endif
