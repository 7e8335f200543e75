/* stacks.c — see stacks.h. */
#include "stacks.h"

#include <stdlib.h>
#include <string.h>

/* Room for one more of `size` bytes in *v (holding n of cap): 0, or -1. */
static int reserve(void *v, size_t *cap, size_t n, size_t more, size_t size)
{
    if (n + more <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < n + more)
        c *= 2;
    void *grown = realloc(*(void **)v, c * size);
    if (!grown)
        return -1;
    *(void **)v = grown;
    *cap = c;
    return 0;
}

static uint64_t hash_ips(const uint64_t *ips, uint32_t depth, uint32_t flags)
{
    uint64_t h = 0xcbf29ce484222325u ^ flags;
    for (uint32_t i = 0; i < depth; i++) {
        h ^= ips[i];
        h *= 0x100000001b3u;
        h ^= h >> 29;
    }
    return h ^ depth;
}

void stack_set_init(struct stack_set *s)
{
    memset(s, 0, sizeof *s);
}

void stack_set_fini(struct stack_set *s)
{
    for (size_t i = 0; i < s->nthreads; i++)
        free(s->threads[i].runs);
    free(s->threads);
    free(s->ips);
    free(s->stacks);
    free(s->index);
    memset(s, 0, sizeof *s);
}

static int same(const struct stack_set *s, const struct ip_stack *st, const uint64_t *ips,
                uint32_t depth, uint32_t flags)
{
    return st->depth == depth && st->flags == flags &&
           memcmp(s->ips + st->offset, ips, depth * sizeof *ips) == 0;
}

/* Doubles the index and puts every stack back in it. */
static int grow_index(struct stack_set *s)
{
    size_t cap = s->index_cap ? 2 * s->index_cap : 1024;
    uint32_t *index = calloc(cap, sizeof *index);
    if (!index)
        return -1;
    for (size_t id = 0; id < s->nstacks; id++) {
        size_t at = s->stacks[id].hash & (cap - 1);
        while (index[at])
            at = (at + 1) & (cap - 1);
        index[at] = (uint32_t)id + 1;
    }
    free(s->index);
    s->index = index;
    s->index_cap = cap;
    return 0;
}

uint32_t stack_set_add(struct stack_set *s, const uint64_t *ips, uint32_t depth, uint32_t flags)
{
    if (2 * (s->nstacks + 1) > s->index_cap && grow_index(s) != 0)
        return UINT32_MAX;
    uint64_t h = hash_ips(ips, depth, flags);
    size_t at = h & (s->index_cap - 1);
    for (; s->index[at]; at = (at + 1) & (s->index_cap - 1)) {
        const struct ip_stack *st = &s->stacks[s->index[at] - 1];
        if (st->hash == h && same(s, st, ips, depth, flags))
            return s->index[at] - 1;
    }
    if (s->nstacks >= UINT32_MAX - 1 ||
        reserve(&s->stacks, &s->stacks_cap, s->nstacks, 1, sizeof *s->stacks) != 0 ||
        reserve(&s->ips, &s->ips_cap, s->nips, depth, sizeof *s->ips) != 0)
        return UINT32_MAX;
    memcpy(s->ips + s->nips, ips, depth * sizeof *ips);
    s->stacks[s->nstacks] = (struct ip_stack){h, s->nips, depth, flags};
    s->nips += depth;
    s->index[at] = (uint32_t)++s->nstacks;
    return (uint32_t)s->nstacks - 1;
}

struct thread_samples *stack_set_thread(struct stack_set *s, int64_t tid)
{
    for (size_t i = 0; i < s->nthreads; i++)
        if (s->threads[i].tid == tid)
            return &s->threads[i];
    return NULL;
}

struct thread_samples *stack_set_new_thread(struct stack_set *s, int64_t tid)
{
    if (reserve(&s->threads, &s->threads_cap, s->nthreads, 1, sizeof *s->threads) != 0)
        return NULL;
    struct thread_samples *t = &s->threads[s->nthreads++];
    memset(t, 0, sizeof *t);
    t->tid = tid;
    return t;
}

int stack_set_count(struct stack_set *s, int64_t tid, uint32_t id, uint32_t weight)
{
    struct thread_samples *t = stack_set_thread(s, tid);
    if (!t && !(t = stack_set_new_thread(s, tid)))
        return -1;
    t->samples += weight;
    struct profile_run *last = t->nruns ? &t->runs[t->nruns - 1] : NULL;
    if (last && last->stack == id && last->count <= UINT32_MAX - weight) {
        last->count += weight;
        return 0;
    }
    if (reserve(&t->runs, &t->cap, t->nruns, 1, sizeof *t->runs) != 0)
        return -1;
    t->runs[t->nruns++] = (struct profile_run){id, weight};
    return 0;
}
