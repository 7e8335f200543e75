/*
 * spatial.h — 2-D point indexes behind one interface, shared by the
 * spatial_index and observation_flow experiments (and their tests).
 *
 * Points are numbered by their place in the array they were built from.
 * Every index answers with the same numbers: a radius query gives the set of
 * points with spatial_d2() <= r * r, a k-NN query the k points smallest by
 * (d2, id). Distances are squared and computed by spatial_d2() everywhere,
 * so that every implementation compares the same doubles and ties break
 * the same way.
 */
#ifndef BHOST_SPATIAL_H
#define BHOST_SPATIAL_H

#include <stddef.h>
#include <stdint.h>

struct spatial_point {
    double x, y;
};

struct spatial_config {
    double world;          /* points lie in [0, world) x [0, world) */
    double cell;           /* grid: a cell's side (0: about two points per cell) */
    uint32_t leaf_size;    /* kdtree, quadtree: points per leaf before it splits (0: 8) */
};

/* What a query (or a build, or a move) looked at: the experiments' counters. */
struct spatial_stats {
    uint64_t nodes_visited;      /* tree nodes, or grid cells, looked at */
    uint64_t candidates_checked; /* points whose distance was computed */
};

struct spatial_hit {
    uint32_t id;
    double d2;
};

/* A query's answer: owned by the caller, grown by the index, reused across queries. */
struct spatial_results {
    struct spatial_hit *hits;
    size_t n, cap;
};

struct spatial_index;

struct spatial_impl {
    const char *name;
    /* An index of pts[0..n) (it keeps its own copy), or NULL when out of memory. */
    struct spatial_index *(*build)(const struct spatial_point *pts, uint32_t n,
                                   const struct spatial_config *cfg, struct spatial_stats *st);
    /* Every point with d2 <= r * r from (x, y), appended to out in any order. 0, or -1
     * when out of memory. */
    int (*radius)(struct spatial_index *ix, double x, double y, double r,
                  struct spatial_results *out, struct spatial_stats *st);
    /* The min(k, n) points smallest by (d2, id) from (x, y), in that order, in place of
     * what out held. 0 or -1. */
    int (*knn)(struct spatial_index *ix, double x, double y, uint32_t k,
               struct spatial_results *out, struct spatial_stats *st);
    /* Point `id` is now at p (inside the world). 0 or -1. */
    int (*move)(struct spatial_index *ix, uint32_t id, struct spatial_point p,
                struct spatial_stats *st);
    /* The bytes the index holds by its own account (0: it cannot tell). */
    size_t (*bytes)(const struct spatial_index *ix);
    void (*destroy)(struct spatial_index *ix);
};

/* Squared distance, the one expression every index uses. */
static inline double spatial_d2(double ax, double ay, double bx, double by)
{
    double dx = ax - bx, dy = ay - by;
    return dx * dx + dy * dy;
}

/* Appends one hit; 0, or -1 when out of memory. */
int spatial_results_push(struct spatial_results *r, uint32_t id, double d2);
/* Orders the hits by (d2, id). */
void spatial_results_sort(struct spatial_results *r);
void spatial_results_free(struct spatial_results *r);

extern const struct spatial_impl spatial_brute;
extern const struct spatial_impl spatial_kdtree;   /* median-split 2-d tree, rebuilt after moves */
extern const struct spatial_impl spatial_quadtree; /* point-region quadtree, moves in place */
extern const struct spatial_impl spatial_grid;     /* uniform cells (CSR), moves in place */
extern const struct spatial_impl spatial_rtree;    /* libspatialindex's R*-tree */

/* The implementations by name ("brute", "kdtree", ...), NULL-terminated. */
extern const struct spatial_impl *const spatial_impls[];
const struct spatial_impl *spatial_find(const char *name);

/*
 * Puts `impl`, built over pts, to `queries` seeded radius and k-NN queries
 * (half near points, half anywhere in the world), then moves a seeded tenth
 * of the points and asks again, comparing every answer with brute force.
 * 0 when all agree; else -1 and the first difference in `why` ("knn query 17
 * at (3.5, 9.25), k 8: ..."). Out of memory is a -1 that says so.
 */
int spatial_crosscheck(const struct spatial_impl *impl, const struct spatial_point *pts,
                       uint32_t n, const struct spatial_config *cfg, uint64_t seed,
                       uint32_t queries, double radius, uint32_t k, char *why, size_t whylen);

/* How points are spread over the world. */
enum spatial_distribution {
    SPATIAL_UNIFORM,   /* anywhere, evenly */
    SPATIAL_CLUSTERED, /* around SPATIAL_CLUSTERS centres, each a Gaussian of world * SIGMA */
    SPATIAL_DENSE      /* all around the centre: one Gaussian of world * DENSE_SIGMA */
};
#define SPATIAL_CLUSTERS 10
#define SPATIAL_CLUSTER_SIGMA 0.02
#define SPATIAL_DENSE_SIGMA 0.01

/* n seeded points of distribution d in [0, world) x [0, world). */
void spatial_generate(struct spatial_point *pts, uint32_t n, enum spatial_distribution d,
                      double world, uint64_t seed);

/* A seeded generator the experiments and the cross-check share (splitmix64). */
static inline uint64_t spatial_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static inline double spatial_rand01(uint64_t *state)
{
    return (double)(spatial_rand(state) >> 11) * (1.0 / 9007199254740992.0);
}

#endif
