/* crosscheck.c — see spatial.h. */
#include "spatial.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pair {
    const struct spatial_impl *impl;
    struct spatial_index *ix, *ref;
    struct spatial_results got, want;
    struct spatial_stats st;
};

/* The first place two sorted answers differ, in words; 0 when they agree. */
static int differ(const struct spatial_results *want, const struct spatial_results *got,
                  const char *impl, char *why, size_t n)
{
    size_t i = 0;
    while (i < want->n && i < got->n && want->hits[i].id == got->hits[i].id &&
           want->hits[i].d2 == got->hits[i].d2)
        i++;
    if (i == want->n && i == got->n)
        return 0;
    if (i < want->n && i < got->n)
        snprintf(why, n, "answer %zu is point %u (d2 %.17g) by brute force, point %u "
                 "(d2 %.17g) by %s", i, want->hits[i].id, want->hits[i].d2, got->hits[i].id,
                 got->hits[i].d2, impl);
    else if (i < want->n)
        snprintf(why, n, "brute force finds %zu points, %s %zu: it misses point %u (d2 %.17g)",
                 want->n, impl, got->n, want->hits[i].id, want->hits[i].d2);
    else
        snprintf(why, n, "brute force finds %zu points, %s %zu: point %u (d2 %.17g) is extra",
                 want->n, impl, got->n, got->hits[i].id, got->hits[i].d2);
    return 1;
}

/* One round of queries; 0, or -1 with why. */
static int ask(struct pair *p, const struct spatial_point *pts, uint32_t n, double world,
               uint64_t *rng, uint32_t queries, double radius, uint32_t k, const char *round,
               char *why, size_t whylen)
{
    char diff[400];
    for (uint32_t q = 0; q < queries; q++) {
        double x, y;
        if (q % 2 == 0 && n > 0) { /* at a point: exact ties and zero distances */
            uint32_t at = (uint32_t)(spatial_rand(rng) % n);
            x = pts[at].x;
            y = pts[at].y;
        } else {
            x = spatial_rand01(rng) * world;
            y = spatial_rand01(rng) * world;
        }
        p->got.n = p->want.n = 0;
        if (p->impl->radius(p->ix, x, y, radius, &p->got, &p->st) != 0 ||
            spatial_brute.radius(p->ref, x, y, radius, &p->want, &p->st) != 0) {
            snprintf(why, whylen, "out of memory");
            return -1;
        }
        spatial_results_sort(&p->got);
        spatial_results_sort(&p->want);
        if (differ(&p->want, &p->got, p->impl->name, diff, sizeof diff)) {
            snprintf(why, whylen, "%sradius query %u at (%.17g, %.17g), r %.17g: %s", round, q,
                     x, y, radius, diff);
            return -1;
        }
        if (p->impl->knn(p->ix, x, y, k, &p->got, &p->st) != 0 ||
            spatial_brute.knn(p->ref, x, y, k, &p->want, &p->st) != 0) {
            snprintf(why, whylen, "out of memory");
            return -1;
        }
        if (differ(&p->want, &p->got, p->impl->name, diff, sizeof diff)) {
            snprintf(why, whylen, "%sknn query %u at (%.17g, %.17g), k %u: %s", round, q, x, y,
                     k, diff);
            return -1;
        }
    }
    return 0;
}

int spatial_crosscheck(const struct spatial_impl *impl, const struct spatial_point *pts,
                       uint32_t n, const struct spatial_config *cfg, uint64_t seed,
                       uint32_t queries, double radius, uint32_t k, char *why, size_t whylen)
{
    struct pair p = {.impl = impl};
    struct spatial_point *moved = malloc((n ? n : 1) * sizeof *moved);
    uint64_t rng = seed;
    int rc = -1;
    if (!moved || !(p.ref = spatial_brute.build(pts, n, cfg, &p.st)) ||
        !(p.ix = impl->build(pts, n, cfg, &p.st))) {
        snprintf(why, whylen, "out of memory building the indexes to compare");
        goto done;
    }
    memcpy(moved, pts, n * sizeof *pts);
    if (ask(&p, moved, n, cfg->world, &rng, queries, radius, k, "", why, whylen) != 0)
        goto done;
    /* A tenth of the points move: half anywhere, half onto another point (ties). */
    for (uint32_t i = 0; i < n / 10; i++) {
        uint32_t id = (uint32_t)(spatial_rand(&rng) % n);
        struct spatial_point to = {spatial_rand01(&rng) * cfg->world,
                                   spatial_rand01(&rng) * cfg->world};
        if (i % 2)
            to = moved[spatial_rand(&rng) % n];
        moved[id] = to;
        if (impl->move(p.ix, id, to, &p.st) != 0 || spatial_brute.move(p.ref, id, to, &p.st)) {
            snprintf(why, whylen, "out of memory moving point %u", id);
            goto done;
        }
    }
    rc = ask(&p, moved, n, cfg->world, &rng, queries, radius, k, "after moving a tenth of the "
             "points, ", why, whylen);
done:
    if (p.ix)
        impl->destroy(p.ix);
    if (p.ref)
        spatial_brute.destroy(p.ref);
    spatial_results_free(&p.got);
    spatial_results_free(&p.want);
    free(moved);
    return rc;
}
