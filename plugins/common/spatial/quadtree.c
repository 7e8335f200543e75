/*
 * quadtree.c — a point-region quadtree over [0, world)^2.
 *
 * Every node is in one growable array; a node is a leaf or has four children,
 * stored next to each other. A leaf keeps its points (coordinates and id) in
 * buckets of leaf_size entries taken from one growable pool, and splits into
 * four when a point arrives and it is full. At MAX_DEPTH a leaf grows by
 * chaining another bucket instead, so many points at one place end the
 * splitting. A query keeps scratch in the index: one query at a time.
 */
#include "spatial.h"
#include "knn_heap.h"

#include <stdlib.h>

#define NONE UINT32_MAX
/* World 1000 halved 32 times is 2e-7: only points about that close share a grown leaf. */
#define MAX_DEPTH 32
/* The most nodes and buckets one insertion adds: a split at every level below the limit. */
#define INSERT_NODES (4 * MAX_DEPTH)
#define INSERT_BUCKETS (4 * MAX_DEPTH + 1)

struct quad_entry {
    double x, y;
    uint32_t id;
};

struct quad_node {
    double x0, y0, x1, y1; /* the box; every point below it lies in it, edges included */
    uint32_t children;     /* the first of four (by quadrant()), or NONE: a leaf */
    uint32_t bucket;       /* leaf: its newest bucket, the only one not full; NONE when empty */
    uint32_t count;        /* leaf: its points */
    uint32_t depth;
};

struct queued {
    double d2; /* the node's box from the query point */
    uint32_t node;
};

struct spatial_index {
    struct quad_node *nodes;
    uint32_t n_nodes, cap_nodes;
    /* Bucket b is entries[b * leaf_size ..]; next_bucket chains a leaf's buckets, newest
     * first, and the free ones from free_bucket. */
    struct quad_entry *entries;
    uint32_t *next_bucket;
    uint32_t n_buckets, cap_buckets, free_bucket;
    uint32_t leaf_size;
    uint32_t *slot_of; /* point id -> its place in entries */
    uint32_t n;
    struct queued *queue; /* knn: a min-heap of nodes by d2 */
    size_t queue_n, queue_cap;
};

/* ---- storage ---- */

static size_t grown(size_t cap, size_t used, size_t more, size_t limit)
{
    size_t want = cap ? cap : 64;
    while (want - used < more && want <= limit / 2)
        want *= 2;
    return want < limit ? want : limit;
}

static int reserve_nodes(struct spatial_index *ix, uint32_t more)
{
    if (ix->cap_nodes - ix->n_nodes >= more)
        return 0;
    size_t cap = grown(ix->cap_nodes, ix->n_nodes, more, NONE);
    if (cap - ix->n_nodes < more)
        return -1;
    struct quad_node *nodes = realloc(ix->nodes, cap * sizeof *nodes);
    if (!nodes)
        return -1;
    ix->nodes = nodes;
    ix->cap_nodes = (uint32_t)cap;
    return 0;
}

static int reserve_buckets(struct spatial_index *ix, uint32_t more)
{
    if (ix->cap_buckets - ix->n_buckets >= more) /* free buckets aside: they are a bonus */
        return 0;
    /* An entry's place must fit in uint32_t (slot_of). */
    size_t cap = grown(ix->cap_buckets, ix->n_buckets, more, NONE / ix->leaf_size);
    if (cap - ix->n_buckets < more)
        return -1;
    struct quad_entry *entries = realloc(ix->entries, cap * ix->leaf_size * sizeof *entries);
    if (!entries)
        return -1;
    ix->entries = entries;
    uint32_t *next = realloc(ix->next_bucket, cap * sizeof *next);
    if (!next)
        return -1;
    ix->next_bucket = next;
    ix->cap_buckets = (uint32_t)cap;
    return 0;
}

/* Room for one insertion, so that an insertion (and a move) cannot fail halfway. */
static int reserve_insertion(struct spatial_index *ix)
{
    return reserve_nodes(ix, INSERT_NODES) == 0 && reserve_buckets(ix, INSERT_BUCKETS) == 0
               ? 0
               : -1;
}

static uint32_t take_bucket(struct spatial_index *ix)
{
    uint32_t b = ix->free_bucket;
    if (b != NONE)
        ix->free_bucket = ix->next_bucket[b];
    else
        b = ix->n_buckets++;
    return b;
}

static void release_bucket(struct spatial_index *ix, uint32_t b)
{
    ix->next_bucket[b] = ix->free_bucket;
    ix->free_bucket = b;
}

/* ---- leaves ---- */

static void leaf_append(struct spatial_index *ix, uint32_t at, struct quad_entry e)
{
    struct quad_node *leaf = &ix->nodes[at];
    uint32_t fill = leaf->count % ix->leaf_size;
    if (fill == 0) {
        uint32_t b = take_bucket(ix);
        ix->next_bucket[b] = leaf->bucket;
        leaf->bucket = b;
    }
    uint32_t slot = leaf->bucket * ix->leaf_size + fill;
    ix->entries[slot] = e;
    ix->slot_of[e.id] = slot;
    leaf->count++;
}

/* The leaf's last entry fills the hole at slot. */
static void leaf_remove(struct spatial_index *ix, uint32_t at, uint32_t slot)
{
    struct quad_node *leaf = &ix->nodes[at];
    uint32_t last = leaf->bucket * ix->leaf_size + (leaf->count - 1) % ix->leaf_size;
    ix->entries[slot] = ix->entries[last];
    ix->slot_of[ix->entries[slot].id] = slot;
    leaf->count--;
    if (leaf->count % ix->leaf_size == 0) {
        uint32_t b = leaf->bucket;
        leaf->bucket = ix->next_bucket[b];
        release_bucket(ix, b);
    }
}

/* ---- tree ---- */

static double middle(double lo, double hi)
{
    return lo + (hi - lo) / 2;
}

/* 0..3: west or east of the middle (bit 0), south or north (bit 1). */
static uint32_t quadrant(const struct quad_node *node, double x, double y)
{
    return (uint32_t)(x >= middle(node->x0, node->x1)) |
           (uint32_t)(y >= middle(node->y0, node->y1)) << 1;
}

static struct quad_node leaf_node(double x0, double y0, double x1, double y1, uint32_t depth)
{
    return (struct quad_node){x0, y0, x1, y1, NONE, NONE, 0, depth};
}

/* A full leaf becomes four; it holds one bucket (a leaf grows past one only at MAX_DEPTH). */
static void split(struct spatial_index *ix, uint32_t at)
{
    uint32_t first = ix->n_nodes;
    ix->n_nodes += 4;
    struct quad_node *node = &ix->nodes[at];
    double mx = middle(node->x0, node->x1), my = middle(node->y0, node->y1);
    ix->nodes[first + 0] = leaf_node(node->x0, node->y0, mx, my, node->depth + 1);
    ix->nodes[first + 1] = leaf_node(mx, node->y0, node->x1, my, node->depth + 1);
    ix->nodes[first + 2] = leaf_node(node->x0, my, mx, node->y1, node->depth + 1);
    ix->nodes[first + 3] = leaf_node(mx, my, node->x1, node->y1, node->depth + 1);
    uint32_t bucket = node->bucket, count = node->count;
    node->children = first;
    node->bucket = NONE;
    node->count = 0;
    for (uint32_t i = 0; i < count; i++) {
        struct quad_entry e = ix->entries[bucket * ix->leaf_size + i];
        leaf_append(ix, first + quadrant(&ix->nodes[at], e.x, e.y), e);
    }
    if (bucket != NONE)
        release_bucket(ix, bucket);
}

/* Needs reserve_insertion() first. */
static void insert(struct spatial_index *ix, struct quad_entry e, struct spatial_stats *st)
{
    uint32_t at = 0;
    for (;;) {
        st->nodes_visited++;
        const struct quad_node *node = &ix->nodes[at];
        if (node->children == NONE) {
            if (node->count < ix->leaf_size || node->depth == MAX_DEPTH) {
                leaf_append(ix, at, e);
                return;
            }
            split(ix, at);
            node = &ix->nodes[at];
        }
        at = node->children + quadrant(node, e.x, e.y);
    }
}

static uint32_t leaf_at(const struct spatial_index *ix, double x, double y,
                        struct spatial_stats *st)
{
    uint32_t at = 0;
    st->nodes_visited++;
    while (ix->nodes[at].children != NONE) {
        at = ix->nodes[at].children + quadrant(&ix->nodes[at], x, y);
        st->nodes_visited++;
    }
    return at;
}

/*
 * The box's squared distance from (x, y), computed so that it is never more than
 * spatial_d2() of a point in the box: the differences and sums round monotonically.
 */
static double box_d2(const struct quad_node *node, double x, double y)
{
    double dx = x < node->x0 ? node->x0 - x : x > node->x1 ? x - node->x1 : 0;
    double dy = y < node->y0 ? node->y0 - y : y > node->y1 ? y - node->y1 : 0;
    return dx * dx + dy * dy;
}

/* ---- the interface ---- */

static void quad_destroy(struct spatial_index *ix)
{
    if (!ix)
        return;
    free(ix->nodes);
    free(ix->entries);
    free(ix->next_bucket);
    free(ix->slot_of);
    free(ix->queue);
    free(ix);
}

static struct spatial_index *quad_build(const struct spatial_point *pts, uint32_t n,
                                        const struct spatial_config *cfg,
                                        struct spatial_stats *st)
{
    struct spatial_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return NULL;
    ix->leaf_size = cfg->leaf_size ? cfg->leaf_size : 8;
    ix->free_bucket = NONE;
    ix->n = n;
    if (!(ix->slot_of = malloc((n ? n : 1) * sizeof *ix->slot_of)) || reserve_nodes(ix, 1) != 0)
        goto fail;
    ix->nodes[ix->n_nodes++] = leaf_node(0, 0, cfg->world, cfg->world, 0);
    for (uint32_t i = 0; i < n; i++) {
        if (reserve_insertion(ix) != 0)
            goto fail;
        insert(ix, (struct quad_entry){pts[i].x, pts[i].y, i}, st);
    }
    return ix;
fail:
    quad_destroy(ix);
    return NULL;
}

static int leaf_radius(const struct spatial_index *ix, const struct quad_node *leaf, double x,
                       double y, double r2, struct spatial_results *out,
                       struct spatial_stats *st)
{
    uint32_t left = leaf->count;
    for (uint32_t b = leaf->bucket; b != NONE; b = ix->next_bucket[b]) {
        uint32_t fill = (left - 1) % ix->leaf_size + 1;
        const struct quad_entry *e = &ix->entries[(size_t)b * ix->leaf_size];
        for (uint32_t i = 0; i < fill; i++) {
            double d2 = spatial_d2(e[i].x, e[i].y, x, y);
            if (d2 <= r2 && spatial_results_push(out, e[i].id, d2) != 0)
                return -1;
        }
        st->candidates_checked += fill;
        left -= fill;
    }
    return 0;
}

/* Recursion is as deep as the tree: MAX_DEPTH at most. */
static int radius_from(const struct spatial_index *ix, uint32_t at, double x, double y,
                       double r2, struct spatial_results *out, struct spatial_stats *st)
{
    const struct quad_node *node = &ix->nodes[at];
    st->nodes_visited++;
    if (node->children == NONE)
        return leaf_radius(ix, node, x, y, r2, out, st);
    for (uint32_t q = 0; q < 4; q++) {
        uint32_t child = node->children + q;
        if (box_d2(&ix->nodes[child], x, y) <= r2 &&
            radius_from(ix, child, x, y, r2, out, st) != 0)
            return -1;
    }
    return 0;
}

static int quad_radius(struct spatial_index *ix, double x, double y, double r,
                       struct spatial_results *out, struct spatial_stats *st)
{
    double r2 = r * r;
    if (!(box_d2(&ix->nodes[0], x, y) <= r2))
        return 0;
    return radius_from(ix, 0, x, y, r2, out, st);
}

/* A box can still give an answer unless k are found and it is farther than the k-th:
 * at the k-th's distance, a smaller id would still win. */
static int may_hold_better(const struct spatial_results *best, uint32_t k, double d2)
{
    return d2 <= knn_heap_bound(best, k);
}

static int leaf_knn(const struct spatial_index *ix, const struct quad_node *leaf, double x,
                    double y, uint32_t k, struct spatial_results *best,
                    struct spatial_stats *st)
{
    uint32_t left = leaf->count;
    for (uint32_t b = leaf->bucket; b != NONE; b = ix->next_bucket[b]) {
        uint32_t fill = (left - 1) % ix->leaf_size + 1;
        const struct quad_entry *e = &ix->entries[(size_t)b * ix->leaf_size];
        for (uint32_t i = 0; i < fill; i++) {
            struct spatial_hit h = {e[i].id, spatial_d2(e[i].x, e[i].y, x, y)};
            if (knn_heap_offer(best, k, h.id, h.d2) != 0)
                return -1;
        }
        st->candidates_checked += fill;
        left -= fill;
    }
    return 0;
}

static int queue_push(struct spatial_index *ix, uint32_t node, double d2)
{
    if (ix->queue_n == ix->queue_cap) {
        size_t cap = ix->queue_cap ? 2 * ix->queue_cap : 64;
        struct queued *q = realloc(ix->queue, cap * sizeof *q);
        if (!q)
            return -1;
        ix->queue = q;
        ix->queue_cap = cap;
    }
    struct queued *q = ix->queue;
    size_t i = ix->queue_n++;
    q[i] = (struct queued){d2, node};
    for (; i > 0 && q[i].d2 < q[(i - 1) / 2].d2; i = (i - 1) / 2) {
        struct queued t = q[i];
        q[i] = q[(i - 1) / 2];
        q[(i - 1) / 2] = t;
    }
    return 0;
}

static struct queued queue_pop(struct spatial_index *ix)
{
    struct queued *q = ix->queue, top = q[0];
    size_t n = --ix->queue_n;
    q[0] = q[n];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, low = i;
        if (l < n && q[l].d2 < q[low].d2)
            low = l;
        if (r < n && q[r].d2 < q[low].d2)
            low = r;
        if (low == i)
            break;
        struct queued t = q[i];
        q[i] = q[low];
        q[low] = t;
        i = low;
    }
    return top;
}

static int queue_children(struct spatial_index *ix, const struct quad_node *node, double x,
                          double y, uint32_t k, const struct spatial_results *best)
{
    for (uint32_t q = 0; q < 4; q++) {
        uint32_t child = node->children + q;
        const struct quad_node *c = &ix->nodes[child];
        if (c->children == NONE && c->count == 0)
            continue;
        double d2 = box_d2(c, x, y);
        if (may_hold_better(best, k, d2) && queue_push(ix, child, d2) != 0)
            return -1;
    }
    return 0;
}

/* Best first: nodes come out nearest box first, until the nearest left is beyond the k-th. */
static int quad_knn(struct spatial_index *ix, double x, double y, uint32_t k,
                    struct spatial_results *out, struct spatial_stats *st)
{
    out->n = 0;
    ix->queue_n = 0;
    if (k == 0)
        return 0;
    if (queue_push(ix, 0, box_d2(&ix->nodes[0], x, y)) != 0)
        return -1;
    while (ix->queue_n > 0) {
        struct queued next = queue_pop(ix);
        if (!may_hold_better(out, k, next.d2))
            break;
        const struct quad_node *node = &ix->nodes[next.node];
        st->nodes_visited++;
        int rc = node->children == NONE ? leaf_knn(ix, node, x, y, k, out, st)
                                        : queue_children(ix, node, x, y, k, out);
        if (rc != 0)
            return -1;
    }
    spatial_results_sort(out);
    return 0;
}

/* Incremental: out of its leaf, into the one for p. Emptied leaves are left to be refilled. */
static int quad_move(struct spatial_index *ix, uint32_t id, struct spatial_point p,
                     struct spatial_stats *st)
{
    if (id >= ix->n || reserve_insertion(ix) != 0)
        return -1;
    uint32_t slot = ix->slot_of[id];
    const struct quad_entry *old = &ix->entries[slot];
    leaf_remove(ix, leaf_at(ix, old->x, old->y, st), slot);
    insert(ix, (struct quad_entry){p.x, p.y, id}, st);
    return 0;
}

static size_t quad_bytes(const struct spatial_index *ix)
{
    return sizeof *ix + (size_t)ix->cap_nodes * sizeof *ix->nodes +
           (size_t)ix->cap_buckets * (ix->leaf_size * sizeof *ix->entries +
                                      sizeof *ix->next_bucket) +
           (ix->n ? ix->n : 1) * sizeof *ix->slot_of + ix->queue_cap * sizeof *ix->queue;
}

const struct spatial_impl spatial_quadtree = {
    .name = "quadtree",
    .build = quad_build,
    .radius = quad_radius,
    .knn = quad_knn,
    .move = quad_move,
    .bytes = quad_bytes,
    .destroy = quad_destroy,
};
