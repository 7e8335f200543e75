/*
 * test_spatial — every index in spatial_impls[] answers radius and k-NN
 * queries as brute force does (the same sets; k-NN in (d2, id) order), on
 * every distribution, at sizes from 0 to 20,000 points, with radii from 0 to
 * past the world's corners, k from 1 to more than the points, before and
 * after points move; and a broken index is caught, with the query named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "spatial.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const enum spatial_distribution distributions[] = {SPATIAL_UNIFORM, SPATIAL_CLUSTERED,
                                                          SPATIAL_DENSE};
static const char *const distribution_names[] = {"uniform", "clustered", "dense"};

static void agrees(const struct spatial_impl *impl, const struct spatial_point *pts, uint32_t n,
                   double world, double radius, uint32_t k, const char *what)
{
    struct spatial_config cfg = {.world = world};
    char why[1024];
    if (spatial_crosscheck(impl, pts, n, &cfg, 42 + n, 40, radius, k, why, sizeof why) != 0)
        fail_msg("%s, %s, %u points, radius %g, k %u: %s", impl->name, what, n, radius, k, why);
}

static void every_index_agrees_with_brute_force(void **state)
{
    (void)state;
    static const uint32_t sizes[] = {0, 1, 7, 1000, 20000};
    const double world = 1000;
    for (size_t i = 0; spatial_impls[i]; i++)
        for (size_t d = 0; d < 3; d++)
            for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
                uint32_t n = sizes[s];
                struct spatial_point *pts = malloc((n ? n : 1) * sizeof *pts);
                spatial_generate(pts, n, distributions[d], world, 7 * n + d);
                agrees(spatial_impls[i], pts, n, world, 25, 8, distribution_names[d]);
                if (n <= 1000) { /* the extremes cost brute force n per query */
                    agrees(spatial_impls[i], pts, n, world, 0, 1, distribution_names[d]);
                    agrees(spatial_impls[i], pts, n, world, 2000, n + 5, distribution_names[d]);
                }
                free(pts);
            }
}

/* Many points on few places: every query is all ties, which (d2, id) must settle alike. */
static void ties_settle_by_id(void **state)
{
    (void)state;
    enum { N = 3000 };
    struct spatial_point *pts = malloc(N * sizeof *pts);
    for (uint32_t i = 0; i < N; i++)
        pts[i] = (struct spatial_point){(double)(i % 7) * 10, (double)(i % 5) * 10};
    for (size_t i = 0; spatial_impls[i]; i++) {
        agrees(spatial_impls[i], pts, N, 100, 10, 16, "a lattice of 35 places");
        agrees(spatial_impls[i], pts, N, 100, 0, 50, "a lattice of 35 places");
        /* The k-th is among the four places 10 away, some on a box's edge at 50 (a tree
         * that skips a box as far as its k-th misses a smaller id there). */
        agrees(spatial_impls[i], pts, 105, 100, 10, 8, "a lattice of 3 points a place");
    }
    free(pts);
}

static void agrees_at(const struct spatial_impl *impl, const struct spatial_point *pts,
                      uint32_t n, const struct spatial_config *cfg, double radius, uint32_t k,
                      const char *what)
{
    char why[1024];
    if (spatial_crosscheck(impl, pts, n, cfg, 5 + n, 20, radius, k, why, sizeof why) != 0)
        fail_msg("%s, %s, %u points, radius %g, k %u: %s", impl->name, what, n, radius, k, why);
}

/* Points on one place, or closer than any tree level can part: splitting must stop. */
static void points_on_one_place_agree(void **state)
{
    (void)state;
    enum { N = 600 };
    struct spatial_point *pts = malloc(N * sizeof *pts);
    struct spatial_config cfg = {.world = 1000};
    double x = 500;
    for (uint32_t i = 0; i < N; i++) {
        pts[i] = (struct spatial_point){x, 250};
        if (i % 2) /* every other point one double further right: 300 doubles in 6e-14 */
            x = nextafter(x, 1000);
    }
    for (size_t i = 0; spatial_impls[i]; i++) {
        agrees_at(spatial_impls[i], pts, N, &cfg, 0, 10, "points a double apart");
        agrees_at(spatial_impls[i], pts, N, &cfg, 1e-13, N + 1, "points a double apart");
    }
    for (uint32_t i = 0; i < N; i++)
        pts[i] = (struct spatial_point){0, nextafter(1000, 0)}; /* a corner of the world */
    for (size_t i = 0; spatial_impls[i]; i++) {
        agrees_at(spatial_impls[i], pts, N, &cfg, 0, 7, "all at one corner");
        agrees_at(spatial_impls[i], pts, N, &cfg, 2000, N, "all at one corner");
    }
    free(pts);
}

/* Worlds where squared distances underflow to 0 or overflow to infinity: still brute force's
 * answers, ties by id included. */
static void extreme_scales_agree(void **state)
{
    (void)state;
    enum { N = 500 };
    struct spatial_point *pts = malloc(N * sizeof *pts);
    static const double worlds[] = {1e-300, 1e300};
    for (size_t w = 0; w < 2; w++) {
        struct spatial_config cfg = {.world = worlds[w]};
        spatial_generate(pts, N, SPATIAL_CLUSTERED, worlds[w], 11);
        for (size_t i = 0; spatial_impls[i]; i++) {
            agrees_at(spatial_impls[i], pts, N, &cfg, worlds[w] / 40, 8, "an extreme world");
            agrees_at(spatial_impls[i], pts, N, &cfg, worlds[w] * 2, 20, "an extreme world");
        }
    }
    free(pts);
}

/* Leaves of one point (every insertion splits) and of a few. */
static void small_leaves_agree(void **state)
{
    (void)state;
    enum { N = 2000 };
    struct spatial_point *pts = malloc(N * sizeof *pts);
    spatial_generate(pts, N, SPATIAL_CLUSTERED, 1000, 3);
    for (uint32_t leaf = 1; leaf <= 3; leaf += 2) {
        struct spatial_config cfg = {.world = 1000, .leaf_size = leaf};
        for (size_t i = 0; spatial_impls[i]; i++)
            agrees_at(spatial_impls[i], pts, N, &cfg, 30, 12, leaf == 1 ? "leaves of 1" :
                      "leaves of 3");
    }
    free(pts);
}

/* brute force, but k-NN forgets the last of its answers when there are ties. */
static int broken_knn(struct spatial_index *ix, double x, double y, uint32_t k,
                      struct spatial_results *out, struct spatial_stats *st)
{
    if (spatial_brute.knn(ix, x, y, k, out, st) != 0)
        return -1;
    if (out->n >= 2 && out->hits[out->n - 1].d2 == out->hits[out->n - 2].d2)
        out->n--;
    return 0;
}

static void a_broken_index_is_caught(void **state)
{
    (void)state;
    struct spatial_impl broken = spatial_brute;
    broken.name = "broken";
    broken.knn = broken_knn;
    enum { N = 500 };
    struct spatial_point pts[N];
    for (uint32_t i = 0; i < N; i++)
        pts[i] = (struct spatial_point){(double)(i % 10), (double)(i % 3)};
    struct spatial_config cfg = {.world = 10};
    char why[1024];
    assert_int_equal(spatial_crosscheck(&broken, pts, N, &cfg, 1, 10, 1, 4, why, sizeof why),
                     -1);
    if (!strstr(why, "knn query 0 at (") || !strstr(why, "k 4: brute force finds 4 points, "
                                                          "broken 3: it misses point"))
        fail_msg("the difference is not named: %s", why);
}

static void names_find_implementations(void **state)
{
    (void)state;
    assert_ptr_equal(spatial_find("brute"), &spatial_brute);
    assert_ptr_equal(spatial_find("quadtree"), &spatial_quadtree);
    assert_ptr_equal(spatial_find("rtree"), &spatial_rtree);
    assert_null(spatial_find("nope"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_index_agrees_with_brute_force),
        cmocka_unit_test(ties_settle_by_id),
        cmocka_unit_test(points_on_one_place_agree),
        cmocka_unit_test(extreme_scales_agree),
        cmocka_unit_test(small_leaves_agree),
        cmocka_unit_test(a_broken_index_is_caught),
        cmocka_unit_test(names_find_implementations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
