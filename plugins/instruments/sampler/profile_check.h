/*
 * profile_check.h — what every writer checks of a profile before it trusts
 * its indices and totals.
 */
#ifndef BHOST_SAMPLER_PROFILE_CHECK_H
#define BHOST_SAMPLER_PROFILE_CHECK_H

#include "profile.h"

/*
 * 0 if the profile keeps profile.h's promises: every index in range, no
 * NULL name, stacks at least one frame deep, each thread's `samples` the sum
 * of its runs and the profile's `samples` the sum over its threads.
 * Otherwise -1 with errno EINVAL.
 */
int profile_check(const struct profile *p);

/* The samples of each stack over all threads, in a calloc'd array of
 * p->stack_count (NULL with errno ENOMEM; a non-NULL pointer even when there
 * are no stacks). The profile must have passed profile_check. */
uint64_t *profile_stack_samples(const struct profile *p);

#endif /* BHOST_SAMPLER_PROFILE_CHECK_H */
