/*
 * knn_heap.h — the k best hits so far, for the indexes' k-NN queries: a
 * max-heap by (d2, id) kept in the caller's spatial_results, so its root is
 * the hit to drop next and the answer needs no second buffer. Ordering by
 * (d2, id) is what makes an index's answer identical to brute force's.
 */
#ifndef BHOST_SPATIAL_KNN_HEAP_H
#define BHOST_SPATIAL_KNN_HEAP_H

#include "spatial.h"

#include <math.h>

static inline int knn_heap_worse(const struct spatial_hit *a, const struct spatial_hit *b)
{
    return a->d2 > b->d2 || (a->d2 == b->d2 && a->id > b->id);
}

static inline void knn_heap_swap(struct spatial_hit *a, struct spatial_hit *b)
{
    struct spatial_hit t = *a;
    *a = *b;
    *b = t;
}

static inline void knn_heap_sift_up(struct spatial_hit *h, size_t i)
{
    while (i > 0 && knn_heap_worse(&h[i], &h[(i - 1) / 2])) {
        knn_heap_swap(&h[i], &h[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static inline void knn_heap_sift_down(struct spatial_hit *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, top = i;
        if (l < n && knn_heap_worse(&h[l], &h[top]))
            top = l;
        if (r < n && knn_heap_worse(&h[r], &h[top]))
            top = r;
        if (top == i)
            return;
        knn_heap_swap(&h[i], &h[top]);
        i = top;
    }
}

/* Keeps (id, d2) if it is among the k best so far (k >= 1); 0, or -1 when out of memory. */
static inline int knn_heap_offer(struct spatial_results *heap, uint32_t k, uint32_t id,
                                 double d2)
{
    struct spatial_hit h = {id, d2};
    if (heap->n < k) {
        if (spatial_results_push(heap, id, d2) != 0)
            return -1;
        knn_heap_sift_up(heap->hits, heap->n - 1);
    } else if (knn_heap_worse(&heap->hits[0], &h)) {
        heap->hits[0] = h;
        knn_heap_sift_down(heap->hits, heap->n, 0);
    }
    return 0;
}

/*
 * The d2 a point must not exceed to still matter: the k-th best's once there
 * are k, else infinity. A region whose every point is farther than this
 * (strictly) can be skipped; one at exactly this distance cannot, as a point
 * there may tie and win on id.
 */
static inline double knn_heap_bound(const struct spatial_results *heap, uint32_t k)
{
    return heap->n < k ? INFINITY : heap->hits[0].d2;
}

#endif
