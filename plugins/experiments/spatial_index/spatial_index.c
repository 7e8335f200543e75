/*
 * spatial_index — which 2-D point index answers neighbour queries fastest,
 * at which size, spread and query radius.
 *
 * `points` seeded points of a `distribution` in a `world` square, indexed by
 * `impl` (plugins/common/spatial/). One iteration is one `op`:
 *
 *   build   the index built over every point (histogram build);
 *   radius  `queries` queries for the points within `radius` (histogram query);
 *   knn     `queries` queries for the `k` nearest (histogram query);
 *   update  `move_fraction` of the points moved (histogram move, per point),
 *           then `queries` k-NN queries (histogram query).
 *
 * Points, queries and moves come from `data_seed`, not the point's seed, so
 * that every impl of a sweep works on the same data; half the queries are
 * at a point's place, half anywhere. In setup the
 * index is first put to brute force (spatial_crosscheck()): a point whose
 * index disagrees fails with the first query that differs. Counters per
 * iteration: queries, results, nodes_visited, candidates_checked. Gauges:
 * index_bytes and bytes_per_point (jemalloc's count of what the build kept,
 * else the index's own account), results_per_query is a histogram.
 */
#include <bhost/bhost.h>
#include "spatial.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SPATIAL_INDEX_NAME
#define SPATIAL_INDEX_NAME "spatial_index"
#endif

enum op { OP_BUILD, OP_RADIUS, OP_KNN, OP_UPDATE };

/* Each thread's own: its queries, its answers, what it looked at. */
struct lane {
    struct spatial_point *queries;
    struct spatial_results results;
    struct spatial_stats st;
    uint64_t rng;
};

struct spatial_state {
    const struct spatial_impl *impl;
    struct spatial_config cfg;
    enum op op;
    uint32_t n, k, nqueries, nmoves;
    double radius;
    struct spatial_point *pts;
    struct spatial_index *ix;
    struct lane *lanes;
    uint32_t nlanes;
    uint64_t move_rng;
    bhost_hist *build, *query, *move, *results;
};

/* The test build adds an index that is wrong on purpose: the cross-check must catch it. */
#ifdef SPATIAL_INDEX_BROKEN
static int broken_knn(struct spatial_index *ix, double x, double y, uint32_t k,
                      struct spatial_results *out, struct spatial_stats *st)
{
    if (spatial_brute.knn(ix, x, y, k, out, st) != 0)
        return -1;
    if (out->n >= 2 && out->hits[out->n - 1].d2 == out->hits[out->n - 2].d2)
        out->n--; /* forgets a tie */
    return 0;
}

static struct spatial_impl broken;

static const struct spatial_impl *find_impl(const char *name)
{
    if (strcmp(name, "broken") == 0) {
        broken = spatial_brute;
        broken.name = "broken";
        broken.knn = broken_knn;
        return &broken;
    }
    return spatial_find(name);
}
#else
#define find_impl spatial_find
#endif

/* What this thread has allocated and freed, from jemalloc where the host runs on it. */
static bool allocated_bytes(uint64_t *net)
{
    static int (*mallctl)(const char *, void *, size_t *, void *, size_t);
    static bool looked;
    if (!looked) {
        void *sym = dlsym(RTLD_DEFAULT, "mallctl");
        if (sym) /* POSIX: dlsym's pointer may be a function's */
            mallctl = (int (*)(const char *, void *, size_t *, void *, size_t))sym;
        looked = true;
    }
    uint64_t a, f;
    size_t size = sizeof a;
    if (!mallctl || mallctl("thread.allocated", &a, &size, NULL, 0) != 0 ||
        mallctl("thread.deallocated", &f, &size, NULL, 0) != 0)
        return false;
    *net = a - f;
    return true;
}

static void spatial_teardown(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    struct spatial_state *s = state;
    if (!s)
        return;
    if (s->ix)
        s->impl->destroy(s->ix);
    for (uint32_t t = 0; s->lanes && t < s->nlanes; t++) {
        free(s->lanes[t].queries);
        spatial_results_free(&s->lanes[t].results);
    }
    free(s->lanes);
    free(s->pts);
    free(s);
}

/* The index over every point, its memory reported as gauges. */
static int build_measured(bhost_ctx *ctx, struct spatial_state *s)
{
    uint64_t before = 0, after = 0;
    bool counted = allocated_bytes(&before);
    struct spatial_stats st = {0};
    s->ix = s->impl->build(s->pts, s->n, &s->cfg, &st);
    if (!s->ix)
        return bhost_fail(ctx, "out of memory building the %s index of %u points",
                          s->impl->name, s->n);
    counted = counted && allocated_bytes(&after);
    double bytes = counted ? (double)(after - before) : (double)s->impl->bytes(s->ix);
    if (bytes > 0) {
        bhost_gauge_set(ctx, "index_bytes", bytes);
        bhost_gauge_set(ctx, "bytes_per_point", bytes / (s->n ? s->n : 1));
    } else {
        bhost_unavailable(ctx, "index_bytes", "the host runs without jemalloc and %s does not "
                          "count its own memory", s->impl->name);
        bhost_unavailable(ctx, "bytes_per_point", "as index_bytes");
    }
    return BHOST_OK;
}

static int make_lanes(bhost_ctx *ctx, struct spatial_state *s, uint64_t seed)
{
    s->nlanes = bhost_thread_count(ctx);
    s->lanes = calloc(s->nlanes, sizeof *s->lanes);
    if (!s->lanes)
        return bhost_fail(ctx, "out of memory");
    for (uint32_t t = 0; t < s->nlanes; t++) {
        struct lane *l = &s->lanes[t];
        l->rng = seed ^ (0x9e3779b97f4a7c15u * (t + 1));
        l->queries = malloc((s->nqueries ? s->nqueries : 1) * sizeof *l->queries);
        if (!l->queries)
            return bhost_fail(ctx, "out of memory");
        for (uint32_t q = 0; q < s->nqueries; q++)
            l->queries[q] = q % 2 == 0 && s->n
                                ? s->pts[spatial_rand(&l->rng) % s->n]
                                : (struct spatial_point){spatial_rand01(&l->rng) * s->cfg.world,
                                                         spatial_rand01(&l->rng) * s->cfg.world};
    }
    return BHOST_OK;
}

static int spatial_setup(bhost_ctx *ctx, void **state)
{
    struct spatial_state *s = calloc(1, sizeof *s);
    if (!s)
        return bhost_fail(ctx, "out of memory");
    *state = s;
    const char *impl = bhost_param_str(ctx, "impl");
    if (!(s->impl = find_impl(impl)))
        return bhost_fail(ctx, "impl %s is not built into this plugin", impl);
    s->cfg = (struct spatial_config){.world = bhost_param_float(ctx, "world"),
                                     .cell = bhost_param_float(ctx, "cell"),
                                     .leaf_size = (uint32_t)bhost_param_int(ctx, "leaf_size")};
    s->op = (enum op)bhost_param_choice(ctx, "op");
    s->n = (uint32_t)bhost_param_int(ctx, "points");
    s->k = (uint32_t)bhost_param_int(ctx, "k");
    s->radius = bhost_param_float(ctx, "radius");
    s->nqueries = (uint32_t)bhost_param_int(ctx, "queries");
    s->nmoves = (uint32_t)(bhost_param_float(ctx, "move_fraction") * s->n);
    /* The data's own seed, not the point's: every impl of a sweep gets the same points and
     * queries, so that their figures and answers compare. */
    uint64_t seed = (uint64_t)bhost_param_int(ctx, "data_seed");
    s->move_rng = seed ^ 0x5851f42d4c957f2du;
    if (!(s->pts = malloc(s->n * sizeof *s->pts)))
        return bhost_fail(ctx, "out of memory for %u points", s->n);
    spatial_generate(s->pts, s->n, (enum spatial_distribution)bhost_param_choice(ctx,
                     "distribution"), s->cfg.world, seed);
    char why[1024];
    uint32_t checks = (uint32_t)bhost_param_int(ctx, "check_queries");
    if (checks && spatial_crosscheck(s->impl, s->pts, s->n, &s->cfg, seed, checks, s->radius,
                                     s->k, why, sizeof why) != 0)
        return bhost_fail(ctx, "%s disagrees with brute force: %s", s->impl->name, why);
    int rc = build_measured(ctx, s);
    if (rc == BHOST_OK)
        rc = make_lanes(ctx, s, seed);
    if (s->op == OP_BUILD)
        s->build = bhost_histogram(ctx, "build");
    if (s->op == OP_UPDATE)
        s->move = bhost_histogram(ctx, "move");
    if (s->op != OP_BUILD) {
        s->query = bhost_histogram(ctx, "query");
        s->results = bhost_histogram_with(ctx, "results_per_query",
                                          BHOST_HIST_OPTIONS(.unit = "points"));
    }
    return rc;
}

static int run_queries(bhost_ctx *ctx, struct spatial_state *s, struct lane *l, int knn)
{
    uint64_t results = 0;
    for (uint32_t q = 0; q < s->nqueries; q++) {
        const struct spatial_point *at = &l->queries[q];
        l->results.n = 0;
        uint64_t t0 = bhost_now_ns(ctx);
        int rc = knn ? s->impl->knn(s->ix, at->x, at->y, s->k, &l->results, &l->st)
                     : s->impl->radius(s->ix, at->x, at->y, s->radius, &l->results, &l->st);
        bhost_record(ctx, s->query, (int64_t)(bhost_now_ns(ctx) - t0));
        if (rc != 0)
            return bhost_fail(ctx, "out of memory in a query");
        bhost_record(ctx, s->results, (int64_t)l->results.n);
        results += l->results.n;
    }
    bhost_counter_add(ctx, "queries", s->nqueries);
    bhost_counter_add(ctx, "results", (double)results);
    bhost_items_processed(ctx, s->nqueries);
    return BHOST_OK;
}

static int move_points(bhost_ctx *ctx, struct spatial_state *s, struct lane *l)
{
    for (uint32_t i = 0; i < s->nmoves; i++) {
        uint32_t id = (uint32_t)(spatial_rand(&s->move_rng) % s->n);
        struct spatial_point to = {spatial_rand01(&s->move_rng) * s->cfg.world,
                                   spatial_rand01(&s->move_rng) * s->cfg.world};
        uint64_t t0 = bhost_now_ns(ctx);
        int rc = s->impl->move(s->ix, id, to, &l->st);
        bhost_record(ctx, s->move, (int64_t)(bhost_now_ns(ctx) - t0));
        if (rc != 0)
            return bhost_fail(ctx, "out of memory moving a point");
        s->pts[id] = to;
    }
    bhost_counter_add(ctx, "moves", s->nmoves);
    return BHOST_OK;
}

static int spatial_iterate(bhost_ctx *ctx, void *state)
{
    struct spatial_state *s = state;
    struct lane *l = &s->lanes[bhost_thread_index(ctx)];
    l->st = (struct spatial_stats){0};
    int rc = BHOST_OK;
    switch (s->op) {
    case OP_BUILD: {
        s->impl->destroy(s->ix);
        uint64_t t0 = bhost_now_ns(ctx);
        s->ix = s->impl->build(s->pts, s->n, &s->cfg, &l->st);
        bhost_record(ctx, s->build, (int64_t)(bhost_now_ns(ctx) - t0));
        if (!s->ix)
            return bhost_fail(ctx, "out of memory building the index");
        bhost_items_processed(ctx, s->n);
        break;
    }
    case OP_RADIUS:
    case OP_KNN:
        rc = run_queries(ctx, s, l, s->op == OP_KNN);
        break;
    case OP_UPDATE:
        rc = move_points(ctx, s, l);
        if (rc == BHOST_OK)
            rc = run_queries(ctx, s, l, 1);
        break;
    }
    bhost_counter_add(ctx, "nodes_visited", (double)l->st.nodes_visited);
    bhost_counter_add(ctx, "candidates_checked", (double)l->st.candidates_checked);
    return rc;
}

/* Before anything runs: what no point of these values could do. */
static int spatial_check(bhost_ctx *ctx)
{
    int op = bhost_param_choice(ctx, "op");
    if (bhost_thread_count(ctx) > 1 && (op == OP_BUILD || op == OP_UPDATE))
        return bhost_fail(ctx, "op %s changes the index: it runs on one thread (threads: 1)",
                          bhost_param_str(ctx, "op"));
    if (bhost_thread_count(ctx) > 1 && strcmp(bhost_param_str(ctx, "impl"), "rtree") == 0)
        return bhost_fail(ctx, "libspatialindex does not promise that queries may share an "
                               "index between threads: impl rtree runs on one thread");
    double world = bhost_param_float(ctx, "world"), cell = bhost_param_float(ctx, "cell");
    if (cell > 0 && (world / cell) * (world / cell) > 16e6)
        return bhost_fail(ctx, "cell %g in a world of %g makes %.0f cells; at most 16,000,000",
                          cell, world, (world / cell) * (world / cell));
    return BHOST_OK;
}

static const char *const impls[] = {"brute", "kdtree", "quadtree", "grid", "rtree",
#ifdef SPATIAL_INDEX_BROKEN
                                    "broken",
#endif
                                    NULL};
static const char *const ops[] = {"build", "radius", "knn", "update", NULL};
static const char *const distributions[] = {"uniform", "clustered", "dense", NULL};

static const struct bhost_param params[] = {
    {.name = "impl", .type = BHOST_ENUM, .def = "kdtree", .choices = impls,
     .doc = "brute: every point, every query; kdtree; quadtree; grid (uniform cells); rtree: "
            "libspatialindex's R*-tree"},
    {.name = "points", .type = BHOST_INT, .def = "10000", .min = "1", .max = "10000000",
     .unit = "points", .doc = "points in the index"},
    {.name = "distribution", .type = BHOST_ENUM, .def = "uniform", .choices = distributions,
     .doc = "uniform; clustered: ten Gaussian clusters (sigma 2 % of the world); dense: one "
            "(sigma 1 %)"},
    {.name = "op", .type = BHOST_ENUM, .def = "knn", .choices = ops,
     .doc = "what one iteration does: build the index, radius or knn queries, or update: "
            "move points, then knn queries"},
    {.name = "radius", .type = BHOST_FLOAT, .def = "10", .min = "0", .unit = "world units",
     .doc = "radius of a radius query"},
    {.name = "k", .type = BHOST_INT, .def = "10", .min = "1", .max = "100000",
     .unit = "points", .doc = "neighbours a knn query asks for"},
    {.name = "world", .type = BHOST_FLOAT, .def = "1000", .min = "1", .unit = "world units",
     .doc = "side of the square the points lie in"},
    {.name = "cell", .type = BHOST_FLOAT, .def = "0", .min = "0", .unit = "world units",
     .doc = "grid: a cell's side (0: about two points per cell)"},
    {.name = "leaf_size", .type = BHOST_INT, .def = "8", .min = "1", .max = "4096",
     .unit = "points", .doc = "kdtree, quadtree: points per leaf"},
    {.name = "queries", .type = BHOST_INT, .def = "1000", .min = "1", .max = "100000000",
     .unit = "queries", .doc = "queries per iteration (radius, knn, update)"},
    {.name = "move_fraction", .type = BHOST_FLOAT, .def = "0.01", .min = "0", .max = "1",
     .doc = "update: the share of the points moved per iteration"},
    {.name = "data_seed", .type = BHOST_INT, .def = "1", .min = "0",
     .doc = "seed of the points, queries and moves: the same for every impl"},
    {.name = "check_queries", .type = BHOST_INT, .def = "200", .min = "0", .max = "1000000",
     .unit = "queries", .doc = "queries of each kind put to the index and to brute force in "
                               "setup (0: none)"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = SPATIAL_INDEX_NAME,
    .version = "1.0",
    .summary = "2-D point indexes (brute, kd-tree, quadtree, grid, R*-tree) on radius and "
               "k-nearest queries, builds and moves",
    .doc = "One iteration is one op over `points` seeded points: build the index; `queries` "
           "radius or knn queries; or update (move a share of the points, then knn "
           "queries). Histograms: build, query, move (ns) and results_per_query (points). "
           "Counters per iteration: queries, results, moves, nodes_visited, "
           "candidates_checked. Gauges: index_bytes, bytes_per_point. In setup the index is "
           "checked against brute force. docs/experiments/spatial_index.md.",
    BHOST_PARAMS(params),
    .setup = spatial_setup,
    .iterate = spatial_iterate,
    .teardown = spatial_teardown,
    .check = spatial_check,
};
