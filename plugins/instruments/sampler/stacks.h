/*
 * stacks.h — what the collector keeps of the samples: each distinct call
 * stack once (as code addresses, leaf first), and each thread's samples in
 * time order as runs of one stack. Memory grows with the distinct stacks
 * and with the changes of stack, not with the samples.
 */
#ifndef BHOST_SAMPLER_STACKS_H
#define BHOST_SAMPLER_STACKS_H

#include "profile.h"

#include <stddef.h>
#include <stdint.h>

#define STACK_TRUNCATED 1u /* the unwinder stopped before the stack's root */
#define STACK_KERNEL 2u    /* taken while the thread ran in the kernel */

struct ip_stack {
    uint64_t hash;
    size_t offset;         /* into stack_set.ips */
    uint32_t depth;        /* 0: no user-mode stack came with the sample */
    uint32_t flags;
};

struct thread_samples {
    int64_t tid;
    char name[32];         /* the thread's comm when first seen */
    struct profile_run *runs;
    size_t nruns, cap;
    uint64_t samples;
};

struct stack_set {
    uint64_t *ips;         /* every distinct stack's addresses, one after another */
    size_t nips, ips_cap;
    struct ip_stack *stacks;
    size_t nstacks, stacks_cap;
    uint32_t *index;       /* open addressing: stack id + 1, 0 empty */
    size_t index_cap;      /* a power of two */
    struct thread_samples *threads;
    size_t nthreads, threads_cap;
};

void stack_set_init(struct stack_set *s);
void stack_set_fini(struct stack_set *s);
/* The id of this stack (ips leaf first), added if new; UINT32_MAX when out of memory. */
uint32_t stack_set_add(struct stack_set *s, const uint64_t *ips, uint32_t depth, uint32_t flags);
/* `weight` samples of thread `tid` had stack `id`. Returns 0, or -1 when out of memory. */
int stack_set_count(struct stack_set *s, int64_t tid, uint32_t id, uint32_t weight);
/* The thread `tid`, or NULL if not seen yet. */
struct thread_samples *stack_set_thread(struct stack_set *s, int64_t tid);
/* A thread not seen before, with no samples yet (NULL: no memory). */
struct thread_samples *stack_set_new_thread(struct stack_set *s, int64_t tid);

#endif
