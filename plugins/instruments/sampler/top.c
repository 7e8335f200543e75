/* top.c — see top.h. */
#include "top.h"

#include <stdlib.h>
#include <string.h>

static int by_self(const void *a, const void *b)
{
    const struct top_row *x = a, *y = b;
    if (x->self != y->self)
        return x->self < y->self ? 1 : -1;
    if (x->total != y->total)
        return x->total < y->total ? 1 : -1;
    return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/* Marks in `everywhere` the frames on 99 % or more of the samples of every thread
 * they appear in (main, the harness's loop, a thread's start): they say nothing. */
static int mark_everywhere(const struct profile *p, uint8_t *everywhere)
{
    uint64_t *total = calloc(p->frame_count + 1, sizeof *total);
    uint32_t *seen = calloc(p->frame_count + 1, sizeof *seen); /* run + 1 that last counted it */
    if (!total || !seen) {
        free(total);
        free(seen);
        return -1;
    }
    memset(everywhere, 1, p->frame_count);
    for (size_t t = 0; t < p->thread_count; t++) {
        const struct profile_thread *th = &p->threads[t];
        memset(total, 0, p->frame_count * sizeof *total);
        memset(seen, 0, p->frame_count * sizeof *seen);
        for (size_t r = 0; r < th->run_count; r++) {
            const struct profile_stack *st = &p->stacks[th->runs[r].stack];
            for (uint32_t i = 0; i < st->depth; i++)
                if (seen[st->frames[i]] != r + 1) {
                    seen[st->frames[i]] = (uint32_t)r + 1;
                    total[st->frames[i]] += th->runs[r].count;
                }
        }
        uint64_t nearly_all = th->samples - th->samples / 100;
        for (uint32_t f = 0; f < p->frame_count; f++)
            if (total[f] && total[f] < nearly_all)
                everywhere[f] = 0;
    }
    free(total);
    free(seen);
    return 0;
}

size_t profile_top(const struct profile *p, struct top_row *rows, size_t n)
{
    struct top_row *all = calloc(p->frame_count + 1, sizeof *all);
    uint64_t *per_stack = calloc(p->stack_count + 1, sizeof *per_stack);
    uint32_t *seen = calloc(p->frame_count + 1, sizeof *seen); /* stack + 1 that last counted it */
    uint8_t *everywhere = calloc(p->frame_count + 1, 1);
    size_t out = 0;
    if (!all || !per_stack || !seen || !everywhere || mark_everywhere(p, everywhere) != 0)
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
        for (size_t i = 0; i < rest && out < n && all[i].self; i++)
            if (!everywhere[all[i].frame])
                rows[out++] = (struct top_row){all[i].frame, all[i].total, all[i].self};
    }
done:
    free(all);
    free(per_stack);
    free(seen);
    free(everywhere);
    return out;
}
