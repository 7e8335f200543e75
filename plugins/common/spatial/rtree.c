/*
 * rtree.c — libspatialindex's R*-tree through its C API: in memory, two
 * dimensions, each point a degenerate box whose item id is the point's id,
 * loaded in bulk at build (STR packing), then moved by delete and insert.
 *
 * The library answers with ids; distances are ours (spatial_d2), so answers
 * match brute force to the bit. Its k-NN query measures with its own
 * arithmetic and returns ties past k, so it only bounds the k-th distance;
 * an Intersects query on the square that bound covers gives the exact set.
 *
 * Stats: the C API does not tell how many nodes a query read, so
 * nodes_visited stays 0; candidates_checked counts the ids it returned that
 * we computed a distance for. bytes() is 0: the library's memory is measured
 * from the allocator.
 */
#include "spatial.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spatialindex/capi/sidx_api.h>

/*
 * Not the C API's defaults (100 entries, 70 % minimum fill): there a deletion that leaves
 * a node under 70 entries dissolves it and reinserts the rest, about 1 ms a move at 20,000
 * points. 40 % is the minimum fill the R*-tree's paper recommends; 32 entries builds and
 * answers faster than 100 here. The near-minimum-overlap factor (default 32) may not
 * exceed the capacity.
 */
#define NODE_CAPACITY 32
#define MIN_FILL 0.4

struct spatial_index {
    IndexH index;
    struct spatial_point *pts; /* where each point is: deleting needs its box */
    uint32_t n;
};

/* The library keeps the last error per thread; its message is a copy we free. */
static void report_failure(const char *call)
{
    char *msg = Error_GetLastErrorMsg();
    fprintf(stderr, "spatial rtree: %s failed: %s\n", call, msg ? msg : "(no message)");
    if (msg)
        Index_Free(msg);
}

/*
 * A build loads the points in bulk (the library's STR packing), as an R-tree over a known
 * set is built: inserting them one by one took 3-4 s at 100,000 points. The library asks for
 * them through a callback without a user pointer, so the cursor is this thread's.
 */
static _Thread_local struct {
    const struct spatial_point *pts;
    uint32_t n, next;
    double at[2];
} stream;

/* The next point for the library: 0 while there is one, 1 when they are all given. */
static int next_point(int64_t *id, double **lo, double **hi, uint32_t *dims,
                      const uint8_t **data, size_t *data_len)
{
    if (stream.next >= stream.n)
        return 1;
    stream.at[0] = stream.pts[stream.next].x;
    stream.at[1] = stream.pts[stream.next].y;
    *id = stream.next++;
    *lo = *hi = stream.at; /* a degenerate box, copied by the library before the next call */
    *dims = 2;
    *data = NULL;
    *data_len = 0;
    return 0;
}

/* Past this, products of coordinates overflow in the library's bulk loader, which then
 * crashes (a world of 1e300 did): such worlds are built by insertion. */
#define BULK_WORLD_MAX 1e150

/* An index holding pts[0..n) (loaded in bulk), or an empty one when n is 0. */
static IndexH create_index(const struct spatial_point *pts, uint32_t n)
{
    IndexPropertyH props = IndexProperty_Create();
    if (!props) {
        report_failure("IndexProperty_Create");
        return NULL;
    }
    IndexH index = NULL;
    /* The type before the variant (the variant is the type's); the storage default is disk. */
    if (IndexProperty_SetIndexType(props, RT_RTree) != RT_None ||
        IndexProperty_SetIndexVariant(props, RT_Star) != RT_None ||
        IndexProperty_SetIndexStorage(props, RT_Memory) != RT_None ||
        IndexProperty_SetDimension(props, 2) != RT_None ||
        IndexProperty_SetIndexCapacity(props, NODE_CAPACITY) != RT_None ||
        IndexProperty_SetLeafCapacity(props, NODE_CAPACITY) != RT_None ||
        IndexProperty_SetFillFactor(props, MIN_FILL) != RT_None)
        report_failure("setting the index's properties");
    else if (n == 0 && !(index = Index_Create(props)))
        report_failure("Index_Create");
    else if (n > 0) {
        stream.pts = pts;
        stream.n = n;
        stream.next = 0;
        if (!(index = Index_CreateWithStream(props, next_point)))
            report_failure("Index_CreateWithStream");
        stream.pts = NULL;
    }
    IndexProperty_Destroy(props);
    return index;
}

static int insert_point(IndexH index, uint32_t id, struct spatial_point p)
{
    double at[2] = {p.x, p.y};
    if (Index_InsertData(index, id, at, at, 2, NULL, 0) != RT_None) {
        report_failure("Index_InsertData");
        return -1;
    }
    return 0;
}

static void rtree_destroy(struct spatial_index *ix)
{
    if (!ix)
        return;
    if (ix->index)
        Index_Destroy(ix->index);
    free(ix->pts);
    free(ix);
}

static struct spatial_index *rtree_build(const struct spatial_point *pts, uint32_t n,
                                         const struct spatial_config *cfg,
                                         struct spatial_stats *st)
{
    (void)st;
    struct spatial_index *ix = calloc(1, sizeof *ix);
    int bulk = cfg->world <= BULK_WORLD_MAX;
    if (!ix || !(ix->pts = malloc((n ? n : 1) * sizeof *ix->pts)) ||
        !(ix->index = create_index(pts, bulk ? n : 0)))
        goto fail;
    for (uint32_t i = 0; !bulk && i < n; i++)
        if (insert_point(ix->index, i, pts[i]) != 0)
            goto fail;
    memcpy(ix->pts, pts, n * sizeof *pts);
    ix->n = n;
    return ix;
fail:
    rtree_destroy(ix);
    return NULL;
}

/*
 * Half the side of a square around (x, y) holding every point with spatial_d2() <= d2:
 * sqrt(d2), widened for the roundings in spatial_d2, in sqrt and in x +- half, and by
 * an absolute 1e-150 because differences below about 1e-162 square to 0.
 */
static double covering_half_side(double d2, double x, double y)
{
    double s = sqrt(d2);
    return s + (s + fabs(x) + fabs(y)) * 16 * DBL_EPSILON + 1e-150;
}

/* The ids the library finds in the square; *ids is the library's to free (Index_Free). */
static int ids_in_square(IndexH index, double x, double y, double half, int64_t **ids,
                         uint64_t *count)
{
    double lo[2] = {x - half, y - half}, hi[2] = {x + half, y + half};
    *ids = NULL;
    *count = 0;
    if (Index_Intersects_id(index, lo, hi, 2, ids, count) != RT_None) {
        report_failure("Index_Intersects_id");
        return -1;
    }
    return !*ids && *count > 0 ? -1 : 0;
}

static int nearest_ids(IndexH index, double x, double y, uint32_t k, int64_t **ids,
                       uint64_t *count)
{
    double at[2] = {x, y};
    *ids = NULL;
    *count = k; /* in: how many; out: how many found, ties at the last distance included */
    if (Index_NearestNeighbors_id(index, at, at, 2, ids, count) != RT_None) {
        report_failure("Index_NearestNeighbors_id");
        return -1;
    }
    return !*ids && *count > 0 ? -1 : 0;
}

static void free_ids(int64_t *ids)
{
    if (ids) /* Index_Free(NULL) is an error to the library */
        Index_Free(ids);
}

/* Appends the points among ids with d2 <= max_d2. */
static int keep_within(const struct spatial_index *ix, const int64_t *ids, uint64_t count,
                       double x, double y, double max_d2, struct spatial_results *out,
                       struct spatial_stats *st)
{
    st->candidates_checked += count;
    for (uint64_t i = 0; i < count; i++) {
        uint32_t id = (uint32_t)ids[i];
        double d2 = spatial_d2(ix->pts[id].x, ix->pts[id].y, x, y);
        if (d2 <= max_d2 && spatial_results_push(out, id, d2) != 0)
            return -1;
    }
    return 0;
}

static int within_square(const struct spatial_index *ix, double x, double y, double max_d2,
                         struct spatial_results *out, struct spatial_stats *st)
{
    int64_t *ids;
    uint64_t count;
    if (ids_in_square(ix->index, x, y, covering_half_side(max_d2, x, y), &ids, &count) != 0)
        return -1;
    int rc = keep_within(ix, ids, count, x, y, max_d2, out, st);
    free_ids(ids);
    return rc;
}

static int rtree_radius(struct spatial_index *ix, double x, double y, double r,
                        struct spatial_results *out, struct spatial_stats *st)
{
    return within_square(ix, x, y, r * r, out, st);
}

/*
 * A d2 at least the k-th smallest: the k-th of the library's candidates by spatial_d2
 * (any k points bound it). Should it return fewer than min(k, n), everything.
 * out is scratch here.
 */
static int kth_bound(const struct spatial_index *ix, double x, double y, uint32_t k,
                     double *bound, struct spatial_results *out, struct spatial_stats *st)
{
    int64_t *ids;
    uint64_t count;
    if (nearest_ids(ix->index, x, y, k, &ids, &count) != 0)
        return -1;
    int rc = keep_within(ix, ids, count, x, y, INFINITY, out, st);
    free_ids(ids);
    if (rc != 0)
        return -1;
    uint32_t want = k < ix->n ? k : ix->n;
    if (out->n < want) {
        *bound = INFINITY;
    } else {
        spatial_results_sort(out);
        *bound = out->hits[want - 1].d2;
    }
    out->n = 0;
    return 0;
}

static int rtree_knn(struct spatial_index *ix, double x, double y, uint32_t k,
                     struct spatial_results *out, struct spatial_stats *st)
{
    double bound;
    out->n = 0;
    if (k == 0 || ix->n == 0)
        return 0;
    if (kth_bound(ix, x, y, k, &bound, out, st) != 0 ||
        within_square(ix, x, y, bound, out, st) != 0)
        return -1;
    spatial_results_sort(out);
    if (out->n > k)
        out->n = k;
    return 0;
}

/* Out at the old box, in at the new; should the insertion fail, the point goes back. */
static int rtree_move(struct spatial_index *ix, uint32_t id, struct spatial_point p,
                      struct spatial_stats *st)
{
    (void)st;
    if (id >= ix->n)
        return -1;
    double old[2] = {ix->pts[id].x, ix->pts[id].y};
    if (Index_DeleteData(ix->index, id, old, old, 2) != RT_None) {
        report_failure("Index_DeleteData");
        return -1;
    }
    if (insert_point(ix->index, id, p) != 0) {
        (void)insert_point(ix->index, id, ix->pts[id]);
        return -1;
    }
    ix->pts[id] = p;
    return 0;
}

static size_t rtree_bytes(const struct spatial_index *ix)
{
    (void)ix;
    return 0;
}

const struct spatial_impl spatial_rtree = {
    .name = "rtree",
    .build = rtree_build,
    .radius = rtree_radius,
    .knn = rtree_knn,
    .move = rtree_move,
    .bytes = rtree_bytes,
    .destroy = rtree_destroy,
};
