/* brute.c — the reference: every point, every query. */
#include "spatial.h"

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

/* A max-heap of the k best so far by (d2, id): the root is the one to drop next. */
static int worse(const struct spatial_hit *a, const struct spatial_hit *b)
{
    return a->d2 > b->d2 || (a->d2 == b->d2 && a->id > b->id);
}

static void sift_down(struct spatial_hit *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, top = i;
        if (l < n && worse(&h[l], &h[top]))
            top = l;
        if (r < n && worse(&h[r], &h[top]))
            top = r;
        if (top == i)
            return;
        struct spatial_hit t = h[i];
        h[i] = h[top];
        h[top] = t;
        i = top;
    }
}

static int brute_knn(struct spatial_index *ix, double x, double y, uint32_t k,
                     struct spatial_results *out, struct spatial_stats *st)
{
    out->n = 0;
    if (k == 0)
        return 0;
    st->candidates_checked += ix->n;
    for (uint32_t i = 0; i < ix->n; i++) {
        struct spatial_hit h = {i, spatial_d2(ix->pts[i].x, ix->pts[i].y, x, y)};
        if (out->n < k) {
            if (spatial_results_push(out, h.id, h.d2) != 0)
                return -1;
            for (size_t j = out->n - 1; j > 0 && worse(&out->hits[j], &out->hits[(j - 1) / 2]);
                 j = (j - 1) / 2) {
                struct spatial_hit t = out->hits[j];
                out->hits[j] = out->hits[(j - 1) / 2];
                out->hits[(j - 1) / 2] = t;
            }
        } else if (worse(&out->hits[0], &h)) {
            out->hits[0] = h;
            sift_down(out->hits, out->n, 0);
        }
    }
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
