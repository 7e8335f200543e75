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

static void agrees_with(const struct spatial_impl *impl, const struct spatial_point *pts,
                        uint32_t n, const struct spatial_config *cfg, double radius, uint32_t k,
                        const char *what)
{
    char why[1024];
    if (spatial_crosscheck(impl, pts, n, cfg, 5 + n, 20, radius, k, why, sizeof why) != 0)
        fail_msg("%s, %s, %u points, cell %g, leaf %u, radius %g, k %u: %s", impl->name, what,
                 n, cfg->cell, cfg->leaf_size, radius, k, why);
}

/* One point's place, drawn from a few: the corners, the edges, and points just inside them. */
static struct spatial_point on_the_edge(uint64_t *rng, double world)
{
    const double top = nextafter(world, 0);
    const double places[] = {0, top, world / 2, nextafter(world / 2, 0), world / 10};
    const size_t count = sizeof places / sizeof *places;
    struct spatial_point p = {places[spatial_rand(rng) % count], places[spatial_rand(rng) % count]};
    if (spatial_rand(rng) % 3 == 0) /* anywhere along that edge */
        p.x = spatial_rand01(rng) * world;
    return p;
}

/* 1000 * 0.1 rounds just below 1000 up to 100: the last cell, not one past it. */
static void points_on_the_upper_boundary(void **state)
{
    (void)state;
    enum { N = 600 };
    struct spatial_point *pts = malloc(N * sizeof *pts);
    uint64_t rng = 3;
    for (uint32_t i = 0; i < N; i++)
        pts[i] = on_the_edge(&rng, 1000);
    const struct spatial_config cfgs[] = {{.world = 1000, .cell = 10},
                                          {.world = 1000, .cell = 20},
                                          {.world = 1000}};
    for (size_t i = 0; spatial_impls[i]; i++)
        for (size_t c = 0; c < sizeof cfgs / sizeof *cfgs; c++) {
            agrees_with(spatial_impls[i], pts, N, &cfgs[c], 10, 8, "edges and corners");
            agrees_with(spatial_impls[i], pts, N, &cfgs[c], 0, 40, "edges and corners");
        }
    free(pts);
}

/* Every point in one place: nothing splits them, and every answer is a tie on id. */
static void all_points_in_one_place(void **state)
{
    (void)state;
    enum { N = 1500 };
    const double world = 1000;
    const struct spatial_point places[] = {{0, 0}, {500, 500}, {nextafter(world, 0),
                                                                nextafter(world, 0)}};
    struct spatial_point *pts = malloc(N * sizeof *pts);
    struct spatial_config cfg = {.world = world};
    for (size_t p = 0; p < sizeof places / sizeof *places; p++) {
        for (uint32_t i = 0; i < N; i++)
            pts[i] = places[p];
        for (size_t i = 0; spatial_impls[i]; i++) {
            agrees_with(spatial_impls[i], pts, N, &cfg, 0, 10, "one place");
            agrees_with(spatial_impls[i], pts, N, &cfg, 30, 1, "one place");
        }
    }
    free(pts);
}

/* Leaves of one point and of more than all; cells tiny (capped), uneven, and the whole world. */
static void unusual_configurations(void **state)
{
    (void)state;
    enum { N = 1000 };
    const double world = 1000;
    const struct spatial_config cfgs[] = {
        {.world = world, .leaf_size = 1},   {.world = world, .leaf_size = 3},
        {.world = world, .leaf_size = 5000}, {.world = world, .cell = 333},
        {.world = world, .cell = 5000},
    };
    const struct spatial_config tiny_cells = {.world = world, .cell = 0.01};
    struct spatial_point *pts = malloc(N * sizeof *pts);
    for (size_t d = 0; d < 3; d++) {
        spatial_generate(pts, N, distributions[d], world, 11 + d);
        for (size_t i = 0; spatial_impls[i]; i++) {
            for (size_t c = 0; c < sizeof cfgs / sizeof *cfgs; c++)
                agrees_with(spatial_impls[i], pts, N, &cfgs[c], 25, 8, distribution_names[d]);
            if (d == 0) /* 4M cells: once is enough */
                agrees_with(spatial_impls[i], pts, N, &tiny_cells, 5, 8, "uniform");
        }
    }
    free(pts);
}

static void same_hits(const struct spatial_results *want, const struct spatial_results *got,
                      const char *impl, const char *query, double x, double y, double r,
                      uint32_t k)
{
    int same = want->n == got->n;
    for (size_t i = 0; same && i < want->n; i++)
        same = want->hits[i].id == got->hits[i].id && want->hits[i].d2 == got->hits[i].d2;
    if (!same)
        fail_msg("%s %s at (%g, %g), r %g, k %u: %zu hits, brute force %zu", impl, query, x, y,
                 r, k, got->n, want->n);
}

/* One radius and one k-NN query, asked of an index and of brute force. */
static void same_answers(const struct spatial_impl *impl, struct spatial_index *ix,
                         struct spatial_index *ref, double x, double y, double r, uint32_t k)
{
    struct spatial_results got = {0}, want = {0};
    struct spatial_stats st = {0};
    assert_int_equal(impl->radius(ix, x, y, r, &got, &st), 0);
    assert_int_equal(spatial_brute.radius(ref, x, y, r, &want, &st), 0);
    spatial_results_sort(&got);
    spatial_results_sort(&want);
    same_hits(&want, &got, impl->name, "radius", x, y, r, k);
    assert_int_equal(impl->knn(ix, x, y, k, &got, &st), 0);
    assert_int_equal(spatial_brute.knn(ref, x, y, k, &want, &st), 0);
    same_hits(&want, &got, impl->name, "knn", x, y, r, k);
    spatial_results_free(&got);
    spatial_results_free(&want);
}

/* Queries far outside the world (where every d2 may be infinite), k of 0 and past n. */
static void queries_outside_the_world(void **state)
{
    (void)state;
    enum { N = 700 };
    const struct spatial_point at[] = {{-1e6, -1e6}, {1e6, 500}, {-5, 1005}, {500, -0.5},
                                       {1e300, -1e300}, {-INFINITY, 3}};
    const double radii[] = {0, 10, 1e6, INFINITY};
    const uint32_t ks[] = {0, 1, 8, N, N + 1, UINT32_MAX};
    struct spatial_config cfg = {.world = 1000};
    struct spatial_point *pts = malloc(N * sizeof *pts);
    struct spatial_stats st = {0};
    spatial_generate(pts, N, SPATIAL_CLUSTERED, cfg.world, 9);
    struct spatial_index *ref = spatial_brute.build(pts, N, &cfg, &st);
    for (size_t i = 0; spatial_impls[i]; i++) {
        struct spatial_index *ix = spatial_impls[i]->build(pts, N, &cfg, &st);
        assert_non_null(ix);
        for (size_t a = 0; a < sizeof at / sizeof *at; a++)
            for (size_t r = 0; r < sizeof radii / sizeof *radii; r++)
                same_answers(spatial_impls[i], ix, ref, at[a].x, at[a].y, radii[r],
                             ks[(a + r) % (sizeof ks / sizeof *ks)]);
        spatial_impls[i]->destroy(ix);
    }
    spatial_brute.destroy(ref);
    free(pts);
}

/*
 * Moves between queries: the same few points again and again, and so many
 * others that a grid re-sorts its cells; onto edges and ties.
 */
static void moves_between_queries(void **state)
{
    (void)state;
    enum { N = 400, MOVES = 600 };
    struct spatial_config cfg = {.world = 100};
    struct spatial_point *pts = malloc(N * sizeof *pts);
    struct spatial_stats st = {0};
    for (size_t i = 0; spatial_impls[i]; i++) {
        uint64_t rng = 17;
        spatial_generate(pts, N, SPATIAL_UNIFORM, cfg.world, 4);
        struct spatial_index *ix = spatial_impls[i]->build(pts, N, &cfg, &st);
        struct spatial_index *ref = spatial_brute.build(pts, N, &cfg, &st);
        assert_non_null(ix);
        for (uint32_t m = 0; m < MOVES; m++) {
            uint32_t id = (uint32_t)(spatial_rand(&rng) % (m % 2 ? N : 40));
            struct spatial_point to = on_the_edge(&rng, cfg.world);
            if (m % 4 == 2) /* a step within its cell, most likely */
                to = (struct spatial_point){pts[id].x * 0.999, pts[id].y};
            pts[id] = to;
            assert_int_equal(spatial_impls[i]->move(ix, id, to, &st), 0);
            assert_int_equal(spatial_brute.move(ref, id, to, &st), 0);
            struct spatial_point q = pts[spatial_rand(&rng) % N];
            same_answers(spatial_impls[i], ix, ref, q.x, q.y, 5, 1 + m % 12);
        }
        spatial_impls[i]->destroy(ix);
        spatial_brute.destroy(ref);
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
        cmocka_unit_test(points_on_the_upper_boundary),
        cmocka_unit_test(all_points_in_one_place),
        cmocka_unit_test(unusual_configurations),
        cmocka_unit_test(queries_outside_the_world),
        cmocka_unit_test(moves_between_queries),
        cmocka_unit_test(points_on_one_place_agree),
        cmocka_unit_test(extreme_scales_agree),
        cmocka_unit_test(small_leaves_agree),
        cmocka_unit_test(a_broken_index_is_caught),
        cmocka_unit_test(names_find_implementations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
