/* results.c — see spatial.h. */
#include "spatial.h"

#include <stdlib.h>

int spatial_results_push(struct spatial_results *r, uint32_t id, double d2)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 64;
        struct spatial_hit *h = realloc(r->hits, cap * sizeof *h);
        if (!h)
            return -1;
        r->hits = h;
        r->cap = cap;
    }
    r->hits[r->n++] = (struct spatial_hit){id, d2};
    return 0;
}

static int by_distance_then_id(const void *a, const void *b)
{
    const struct spatial_hit *x = a, *y = b;
    if (x->d2 != y->d2)
        return x->d2 < y->d2 ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

void spatial_results_sort(struct spatial_results *r)
{
    if (r->n > 1) /* an answer never grown has hits NULL, which qsort may not be given */
        qsort(r->hits, r->n, sizeof *r->hits, by_distance_then_id);
}

void spatial_results_free(struct spatial_results *r)
{
    free(r->hits);
    *r = (struct spatial_results){0};
}
