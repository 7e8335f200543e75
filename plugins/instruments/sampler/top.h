/*
 * top.h — a profile's functions by their share of the samples, as a
 * profiler's report gives them: self (the samples where the function was
 * running) and total (where it was on the stack, counted once per sample
 * however deep it recursed).
 */
#ifndef BHOST_SAMPLER_TOP_H
#define BHOST_SAMPLER_TOP_H

#include "profile.h"

#include <stddef.h>
#include <stdint.h>

struct top_row {
    uint32_t frame;           /* index into profile.frames */
    uint64_t self, total;     /* samples */
};

/*
 * The `n` functions with the most self samples (ties: most total), then, if
 * fewer than n ran at all, those with the most total samples but for those
 * on 99 % or more of the samples of every thread they appear in (main, the
 * harness's loop, a thread's start: they say nothing); into rows (room for
 * n). Returns how many.
 */
size_t profile_top(const struct profile *p, struct top_row *rows, size_t n);

#endif
