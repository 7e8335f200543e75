/* brute.c — the reference: every point, every query. */
#include "spatial.h"
#include "knn_heap.h"

#include <stdlib.h>
#include <string.h>

struct spatial_index {
    struct spatial_point *pts;
    uint32_t n;
};

static struct spatial_index *brute_build(const struct spatial_point *pts, uint32_t n,
                                         const struct spatial_config *cfg,
                                         struct spatial_stats *st)
{
    (void)cfg;
    (void)st;
    struct spatial_index *ix = calloc(1, sizeof *ix);
    if (!ix || !(ix->pts = malloc((n ? n : 1) * sizeof *ix->pts))) {
        free(ix);
        return NULL;
    }
    memcpy(ix->pts, pts, n * sizeof *pts);
    ix->n = n;
    return ix;
}

static int brute_radius(struct spatial_index *ix, double x, double y, double r,
                        struct spatial_results *out, struct spatial_stats *st)
{
    double r2 = r * r;
    st->candidates_checked += ix->n;
    for (uint32_t i = 0; i < ix->n; i++) {
        double d2 = spatial_d2(ix->pts[i].x, ix->pts[i].y, x, y);
        if (d2 <= r2 && spatial_results_push(out, i, d2) != 0)
            return -1;
    }
    return 0;
}

static int brute_knn(struct spatial_index *ix, double x, double y, uint32_t k,
                     struct spatial_results *out, struct spatial_stats *st)
{
    out->n = 0;
    if (k == 0)
        return 0;
    st->candidates_checked += ix->n;
    for (uint32_t i = 0; i < ix->n; i++)
        if (knn_heap_offer(out, k, i, spatial_d2(ix->pts[i].x, ix->pts[i].y, x, y)) != 0)
            return -1;
    spatial_results_sort(out);
    return 0;
}

static int brute_move(struct spatial_index *ix, uint32_t id, struct spatial_point p,
                      struct spatial_stats *st)
{
    (void)st;
    ix->pts[id] = p;
    return 0;
}

static size_t brute_bytes(const struct spatial_index *ix)
{
    return sizeof *ix + ix->n * sizeof *ix->pts;
}

static void brute_destroy(struct spatial_index *ix)
{
    if (ix)
        free(ix->pts);
    free(ix);
}

const struct spatial_impl spatial_brute = {
    .name = "brute",
    .build = brute_build,
    .radius = brute_radius,
    .knn = brute_knn,
    .move = brute_move,
    .bytes = brute_bytes,
    .destroy = brute_destroy,
};
