/*
 * kdtree.c — a 2-d tree over the points' ids.
 *
 * Each node splits its ids at the median along the wider side of its points'
 * bounding box, until a node holds at most leaf_size points (0: 8). Nodes
 * live in one array, laid out by the build (a node's two children sit side by
 * side); each keeps its points' bounding box, which prunes more than the
 * split line does and bounds every point's spatial_d2() from below exactly
 * (rounding is monotonic), so pruning never loses a point brute force finds.
 *
 * Moves are not applied to the tree: a move stores the new coordinate and
 * marks the tree stale, and the next query rebuilds it in place (the node
 * count depends only on n, so a rebuild allocates nothing and cannot fail).
 * That rebuild's work is counted in that query's stats.
 *
 * Stats: nodes_visited counts nodes entered (a build counts the nodes it lays
 * out); candidates_checked counts points whose distance was computed.
 */
#include "knn_heap.h"
#include "spatial.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_LEAF_SIZE 8

struct kd_node {
    double min_x, min_y, max_x, max_y; /* its points' bounding box */
    uint32_t begin, end;               /* its points: ids[begin..end) */
    uint32_t children;                 /* the left child's index (the right's is next); 0: leaf */
};

struct spatial_index {
    struct spatial_point *pts;
    uint32_t *ids;
    struct kd_node *nodes;
    uint32_t n, node_count, leaf_size;
    int stale; /* points moved since the tree was built */
};

static double coord(const struct spatial_point *p, int axis)
{
    return axis ? p->y : p->x;
}

static void swap_ids(uint32_t *a, uint32_t *b)
{
    uint32_t t = *a;
    *a = *b;
    *b = t;
}

static double median_of_three(double a, double b, double c)
{
    double lo = a < b ? a : b, hi = a < b ? b : a;
    if (c < lo)
        return lo;
    return c > hi ? hi : c;
}

/*
 * Reorders ids[lo..hi) so that ids[nth] holds the point it would in sorted
 * order along axis, with none greater before it and none smaller after it.
 * Three-way partitions keep runs of equal coordinates (lattices) linear.
 */
static void select_nth(const struct spatial_point *pts, uint32_t *ids, uint32_t lo,
                       uint32_t hi, uint32_t nth, int axis)
{
    while (hi - lo > 1) {
        double pivot = median_of_three(coord(&pts[ids[lo]], axis),
                                       coord(&pts[ids[lo + (hi - lo) / 2]], axis),
                                       coord(&pts[ids[hi - 1]], axis));
        uint32_t less = lo, i = lo, greater = hi;
        while (i < greater) {
            double v = coord(&pts[ids[i]], axis);
            if (v < pivot)
                swap_ids(&ids[less++], &ids[i++]);
            else if (v > pivot)
                swap_ids(&ids[i], &ids[--greater]);
            else
                i++;
        }
        if (nth < less)
            hi = less;
        else if (nth >= greater)
            lo = greater;
        else
            return;
    }
}

static uint64_t count_nodes(uint32_t points, uint32_t leaf_size)
{
    if (points <= leaf_size)
        return 1;
    return 1 + count_nodes(points / 2, leaf_size) + count_nodes(points - points / 2, leaf_size);
}

static void bound_points(struct kd_node *nd, const struct spatial_point *pts,
                         const uint32_t *ids)
{
    const struct spatial_point *first = &pts[ids[nd->begin]];
    nd->min_x = nd->max_x = first->x;
    nd->min_y = nd->max_y = first->y;
    for (uint32_t i = nd->begin + 1; i < nd->end; i++) {
        const struct spatial_point *p = &pts[ids[i]];
        nd->min_x = p->x < nd->min_x ? p->x : nd->min_x;
        nd->max_x = p->x > nd->max_x ? p->x : nd->max_x;
        nd->min_y = p->y < nd->min_y ? p->y : nd->min_y;
        nd->max_y = p->y > nd->max_y ? p->y : nd->max_y;
    }
}

/* Lays out node `at` over ids[begin..end) and its subtree from *next_free on. */
static void build_node(struct spatial_index *ix, uint32_t at, uint32_t begin, uint32_t end,
                       uint32_t *next_free)
{
    struct kd_node *nd = &ix->nodes[at];
    nd->begin = begin;
    nd->end = end;
    nd->children = 0;
    bound_points(nd, ix->pts, ix->ids);
    if (end - begin <= ix->leaf_size)
        return;
    int axis = nd->max_y - nd->min_y > nd->max_x - nd->min_x;
    uint32_t mid = begin + (end - begin) / 2;
    select_nth(ix->pts, ix->ids, begin, end, mid, axis);
    nd->children = *next_free;
    *next_free += 2;
    build_node(ix, nd->children, begin, mid, next_free);
    build_node(ix, nd->children + 1, mid, end, next_free);
}

static void build_tree(struct spatial_index *ix, struct spatial_stats *st)
{
    if (ix->n > 0) {
        uint32_t next_free = 1;
        build_node(ix, 0, 0, ix->n, &next_free);
    }
    ix->stale = 0;
    st->nodes_visited += ix->node_count;
}

static void refresh(struct spatial_index *ix, struct spatial_stats *st)
{
    if (ix->stale)
        build_tree(ix, st);
}

static struct spatial_index *kd_build(const struct spatial_point *pts, uint32_t n,
                                      const struct spatial_config *cfg, struct spatial_stats *st)
{
    struct spatial_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return NULL;
    ix->n = n;
    ix->leaf_size = cfg->leaf_size ? cfg->leaf_size : DEFAULT_LEAF_SIZE;
    uint64_t nodes = n ? count_nodes(n, ix->leaf_size) : 0;
    if (nodes > UINT32_MAX) { /* node numbers are 32-bit */
        free(ix);
        return NULL;
    }
    ix->node_count = (uint32_t)nodes;
    ix->pts = malloc((n ? n : 1) * sizeof *ix->pts);
    ix->ids = malloc((n ? n : 1) * sizeof *ix->ids);
    ix->nodes = malloc((ix->node_count ? ix->node_count : 1) * sizeof *ix->nodes);
    if (!ix->pts || !ix->ids || !ix->nodes) {
        free(ix->pts);
        free(ix->ids);
        free(ix->nodes);
        free(ix);
        return NULL;
    }
    memcpy(ix->pts, pts, n * sizeof *pts);
    for (uint32_t i = 0; i < n; i++)
        ix->ids[i] = i;
    build_tree(ix, st);
    return ix;
}

/* The least spatial_d2() from (x, y) to any point in the node's box. */
static double box_d2(const struct kd_node *nd, double x, double y)
{
    double dx = x < nd->min_x ? nd->min_x - x : x > nd->max_x ? x - nd->max_x : 0;
    double dy = y < nd->min_y ? nd->min_y - y : y > nd->max_y ? y - nd->max_y : 0;
    return dx * dx + dy * dy;
}

static int radius_visit(const struct spatial_index *ix, uint32_t at, double x, double y,
                        double r2, struct spatial_results *out, struct spatial_stats *st)
{
    const struct kd_node *nd = &ix->nodes[at];
    st->nodes_visited++;
    if (box_d2(nd, x, y) > r2)
        return 0;
    if (nd->children) {
        if (radius_visit(ix, nd->children, x, y, r2, out, st) != 0)
            return -1;
        return radius_visit(ix, nd->children + 1, x, y, r2, out, st);
    }
    st->candidates_checked += nd->end - nd->begin;
    for (uint32_t i = nd->begin; i < nd->end; i++) {
        const struct spatial_point *p = &ix->pts[ix->ids[i]];
        double d2 = spatial_d2(p->x, p->y, x, y);
        if (d2 <= r2 && spatial_results_push(out, ix->ids[i], d2) != 0)
            return -1;
    }
    return 0;
}

static int kd_radius(struct spatial_index *ix, double x, double y, double r,
                     struct spatial_results *out, struct spatial_stats *st)
{
    refresh(ix, st);
    return ix->n ? radius_visit(ix, 0, x, y, r * r, out, st) : 0;
}

/* Depth-first, nearer child first; `d2` is the node's box_d2, worked out by its parent. */
static int knn_visit(const struct spatial_index *ix, uint32_t at, double d2, double x,
                     double y, uint32_t k, struct spatial_results *heap,
                     struct spatial_stats *st)
{
    const struct kd_node *nd = &ix->nodes[at];
    st->nodes_visited++;
    if (d2 > knn_heap_bound(heap, k))
        return 0;
    if (nd->children) {
        uint32_t near = nd->children, far = nd->children + 1;
        double near_d2 = box_d2(&ix->nodes[near], x, y), far_d2 = box_d2(&ix->nodes[far], x, y);
        if (far_d2 < near_d2) {
            uint32_t t = near;
            near = far;
            far = t;
            double td2 = near_d2;
            near_d2 = far_d2;
            far_d2 = td2;
        }
        if (knn_visit(ix, near, near_d2, x, y, k, heap, st) != 0)
            return -1;
        return knn_visit(ix, far, far_d2, x, y, k, heap, st);
    }
    st->candidates_checked += nd->end - nd->begin;
    for (uint32_t i = nd->begin; i < nd->end; i++) {
        const struct spatial_point *p = &ix->pts[ix->ids[i]];
        if (knn_heap_offer(heap, k, ix->ids[i], spatial_d2(p->x, p->y, x, y)) != 0)
            return -1;
    }
    return 0;
}

static int kd_knn(struct spatial_index *ix, double x, double y, uint32_t k,
                  struct spatial_results *out, struct spatial_stats *st)
{
    out->n = 0;
    refresh(ix, st);
    if (k == 0 || ix->n == 0)
        return 0;
    if (knn_visit(ix, 0, box_d2(&ix->nodes[0], x, y), x, y, k, out, st) != 0)
        return -1;
    spatial_results_sort(out);
    return 0;
}

static int kd_move(struct spatial_index *ix, uint32_t id, struct spatial_point p,
                   struct spatial_stats *st)
{
    (void)st;
    if (id >= ix->n)
        return -1;
    if (ix->pts[id].x != p.x || ix->pts[id].y != p.y) {
        ix->pts[id] = p;
        ix->stale = 1;
    }
    return 0;
}

static size_t kd_bytes(const struct spatial_index *ix)
{
    return sizeof *ix + (size_t)ix->n * (sizeof *ix->pts + sizeof *ix->ids) +
           (size_t)ix->node_count * sizeof *ix->nodes;
}

static void kd_destroy(struct spatial_index *ix)
{
    if (ix) {
        free(ix->pts);
        free(ix->ids);
        free(ix->nodes);
    }
    free(ix);
}

const struct spatial_impl spatial_kdtree = {
    .name = "kdtree",
    .build = kd_build,
    .radius = kd_radius,
    .knn = kd_knn,
    .move = kd_move,
    .bytes = kd_bytes,
    .destroy = kd_destroy,
};
