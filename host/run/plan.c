/* plan.c — see plan.h. */
#include "run/plan.h"
#include "util/hash.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

int plan_by_repetition(const struct spec_experiment *e, size_t nsides, int interleave)
{
    return e->fresh_process || interleave || nsides > 1;
}

/* e's copy of one repetition, made the first time it is asked for. */
static const struct spec_experiment *single_of(struct plan *p, const struct spec_experiment *e)
{
    for (size_t i = p->nsingles; i > 0; i--) /* the latest first: tasks come in runs */
        if (p->originals[i - 1] == e)
            return p->singles[i - 1];
    p->originals = xrealloc(p->originals, (p->nsingles + 1) * sizeof *p->originals);
    p->singles = xrealloc(p->singles, (p->nsingles + 1) * sizeof *p->singles);
    struct spec_experiment *one = xmalloc(sizeof *one);
    *one = *e;
    one->repetitions = 1;
    p->originals[p->nsingles] = e;
    p->singles[p->nsingles++] = one;
    return one;
}

static void add_task(struct plan *p, size_t side, size_t point, const struct point *pt,
                     uint32_t rep)
{
    struct task *t = &p->tasks[p->ntasks++];
    t->side = side;
    t->point = point;
    t->pt = *pt;
    t->pt.repetition = rep;
    if (rep)
        t->pt.exp = single_of(p, pt->exp);
}

/* Fisher–Yates with SplitMix64 draws: the same seed, the same order. */
static void shuffle(struct task *t, size_t n, uint64_t seed)
{
    uint64_t state = seed;
    for (size_t i = n; i > 1; i--) {
        state += UINT64_C(0x9e3779b97f4a7c15);
        size_t j = (size_t)(mix64(state) % i);
        struct task tmp = t[i - 1];
        t[i - 1] = t[j];
        t[j] = tmp;
    }
}

void plan_make(struct plan *p, const struct sweep *const *sides, size_t nsides, int interleave,
               uint64_t seed)
{
    size_t n = 0;
    uint32_t rounds = 0;
    for (size_t s = 0; s < nsides; s++)
        for (size_t i = 0; i < sides[s]->npoints; i++) {
            const struct spec_experiment *e = sides[s]->points[i].exp;
            n += plan_by_repetition(e, nsides, interleave) ? e->repetitions : 1;
            rounds = e->repetitions > rounds ? e->repetitions : rounds;
        }
    *p = (struct plan){.tasks = xcalloc(n ? n : 1, sizeof *p->tasks)};
    if (interleave) {
        for (uint32_t k = 1; k <= rounds; k++) {
            size_t first = p->ntasks;
            for (size_t s = 0; s < nsides; s++)
                for (size_t i = 0; i < sides[s]->npoints; i++)
                    if (sides[s]->points[i].exp->repetitions >= k)
                        add_task(p, s, i, &sides[s]->points[i], k);
            shuffle(p->tasks + first, p->ntasks - first, mix64(seed ^ k));
        }
        return;
    }
    for (size_t i = 0; i < sides[0]->npoints; i++) {
        const struct point *pt = &sides[0]->points[i];
        if (!plan_by_repetition(pt->exp, nsides, 0)) {
            add_task(p, 0, i, pt, 0);
            continue;
        }
        for (uint32_t k = 1; k <= pt->exp->repetitions; k++)
            for (size_t j = 0; j < nsides; j++) {
                size_t s = k % 2 ? j : nsides - 1 - j; /* ABBA: A B, B A, A B, ... */
                add_task(p, s, i, &sides[s]->points[i], k);
            }
    }
}

void plan_free(struct plan *p)
{
    free(p->tasks);
    for (size_t i = 0; i < p->nsingles; i++)
        free(p->singles[i]);
    free(p->singles);
    free(p->originals);
    *p = (struct plan){0};
}
