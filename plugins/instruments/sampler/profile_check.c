/*
 * profile_check.c — a profile's indices and totals checked before a writer
 * walks it, and its samples counted per stack.
 */
#include "profile_check.h"

#include <errno.h>
#include <stdlib.h>

static int invalid(void)
{
    errno = EINVAL;
    return -1;
}

static int check_stacks(const struct profile *p)
{
    if (p->stack_count && !p->stacks)
        return invalid();
    for (size_t s = 0; s < p->stack_count; s++) {
        const struct profile_stack *stack = &p->stacks[s];
        if (stack->depth == 0 || !stack->frames)
            return invalid();
        for (uint32_t i = 0; i < stack->depth; i++)
            if (stack->frames[i] >= p->frame_count)
                return invalid();
    }
    return 0;
}

static int check_threads(const struct profile *p)
{
    uint64_t all = 0;
    if (p->thread_count && !p->threads)
        return invalid();
    for (size_t t = 0; t < p->thread_count; t++) {
        const struct profile_thread *thread = &p->threads[t];
        uint64_t sum = 0;
        if (!thread->name || (thread->run_count && !thread->runs))
            return invalid();
        for (size_t r = 0; r < thread->run_count; r++) {
            if (thread->runs[r].stack >= p->stack_count)
                return invalid();
            sum += thread->runs[r].count;
        }
        if (sum != thread->samples)
            return invalid();
        all += sum;
    }
    return all == p->samples ? 0 : invalid();
}

int profile_check(const struct profile *p)
{
    if (!p || (p->frame_count && !p->frames))
        return invalid();
    for (size_t f = 0; f < p->frame_count; f++)
        if (!p->frames[f].name)
            return invalid();
    if (check_stacks(p) < 0)
        return -1;
    return check_threads(p);
}

uint64_t *profile_stack_samples(const struct profile *p)
{
    uint64_t *samples = calloc(p->stack_count ? p->stack_count : 1, sizeof *samples);
    if (!samples)
        return NULL;
    for (size_t t = 0; t < p->thread_count; t++)
        for (size_t r = 0; r < p->threads[t].run_count; r++)
            samples[p->threads[t].runs[r].stack] += p->threads[t].runs[r].count;
    return samples;
}
