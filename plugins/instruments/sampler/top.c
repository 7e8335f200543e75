/* top.c — see top.h. */
#include "top.h"

#include <stdlib.h>

static int by_self(const void *a, const void *b)
{
    const struct top_row *x = a, *y = b;
    if (x->self != y->self)
        return x->self < y->self ? 1 : -1;
    if (x->total != y->total)
        return x->total < y->total ? 1 : -1;
    return x->frame < y->frame ? -1 : x->frame > y->frame;
}

size_t profile_top(const struct profile *p, struct top_row *rows, size_t n)
{
    struct top_row *all = calloc(p->frame_count + 1, sizeof *all);
    uint64_t *per_stack = calloc(p->stack_count + 1, sizeof *per_stack);
    uint32_t *seen = calloc(p->frame_count + 1, sizeof *seen); /* stack + 1 that last counted it */
    size_t out = 0;
    if (!all || !per_stack || !seen)
        goto done;
    for (size_t t = 0; t < p->thread_count; t++)
        for (size_t r = 0; r < p->threads[t].run_count; r++)
            per_stack[p->threads[t].runs[r].stack] += p->threads[t].runs[r].count;
    for (uint32_t f = 0; f < p->frame_count; f++)
        all[f].frame = f;
    for (uint32_t s = 0; s < p->stack_count; s++) {
        const struct profile_stack *st = &p->stacks[s];
        if (!per_stack[s])
            continue;
        all[st->frames[st->depth - 1]].self += per_stack[s];
        for (uint32_t i = 0; i < st->depth; i++)
            if (seen[st->frames[i]] != s + 1) {
                seen[st->frames[i]] = s + 1;
                all[st->frames[i]].total += per_stack[s];
            }
    }
    qsort(all, p->frame_count, sizeof *all, by_self);
    for (size_t i = 0; i < p->frame_count && out < n && all[i].self; i++)
        rows[out++] = all[i];
    if (out < n) { /* then the callers, by total */
        size_t first_idle = out;
        for (size_t i = first_idle; i < p->frame_count; i++)
            all[i - first_idle] = all[i];
        size_t rest = p->frame_count - first_idle;
        for (size_t i = 0; i < rest; i++) { /* sort by total: swap self out of the way */
            uint64_t t = all[i].total;
            all[i].total = all[i].self;
            all[i].self = t;
        }
        qsort(all, rest, sizeof *all, by_self);
        /* Frames on nearly every sample (main, the harness's loop) say nothing. */
        uint64_t everywhere = p->samples - p->samples / 100;
        for (size_t i = 0; i < rest && out < n && all[i].self; i++)
            if (all[i].self < everywhere)
                rows[out++] = (struct top_row){all[i].frame, all[i].total, all[i].self};
    }
done:
    free(all);
    free(per_stack);
    free(seen);
    return out;
}
