/*
 * grid.c — a uniform grid of square cells over [0, world)^2.
 *
 * Cell side: cfg->cell, or (0) one that makes about two points per cell; at
 * most MAX_SIDE cells a side, so a huge n or a tiny cell cannot ask for more
 * than 4M cells (the cells then grow to fit). A point's cell comes from
 * floor(coordinate / side), clamped into the grid, so a coordinate that rounds
 * onto the upper boundary (or lies outside the world) lands in an edge cell.
 *
 * The build lays the points out by cell with a counting sort: each cell is a
 * range of one id array (CSR). Moves are incremental. A point leaving a cell
 * is swapped out of the cell's range (a per-point slot makes that O(1)); a
 * point arriving goes onto the cell's overflow list, a doubly linked list
 * threaded through per-point links. Why not per-cell vectors: they would cost
 * a malloc per growing cell and scatter the cells over the heap, while this
 * keeps the CSR's locality, allocates nothing after the build and never
 * fails. Overflow lists are slower to walk than the CSR, so once a quarter
 * of (points + cells) have moved in, the move re-sorts everything, which
 * keeps a move O(1) amortized.
 *
 * Queries compare spatial_d2() values the way brute force does. Cell ranges
 * are widened by a hair (SLACK) so that rounding can never leave out a cell
 * holding a point brute force counts.
 *
 * Stats: nodes_visited counts cells scanned (a build or re-sort counts the
 * cells it lays out); candidates_checked counts points whose distance was
 * computed.
 */
#include "knn_heap.h"
#include "spatial.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SIDE 2048u          /* 4M cells */
#define NONE UINT32_MAX         /* no point, or no CSR slot (the point is on an overflow list) */
#define SLACK 1e-12             /* relative: far above the few ulps rounding can move a bound */
#define TINY 1e-150             /* absolute: covers squares that underflow to 0 */

struct grid_cell {
    uint32_t begin;    /* its CSR range starts at ids[begin] */
    uint32_t count;    /* how many of that range are still its points */
    uint32_t overflow; /* the first point moved in since the last sort, or NONE */
};

struct grid_link {
    uint32_t slot;       /* where the point sits in ids, or NONE when on an overflow list */
    uint32_t next, prev; /* its neighbours on that overflow list */
};

struct spatial_index {
    struct spatial_point *pts;
    uint32_t n, side;
    double cell, inv_cell;
    struct grid_cell *cells; /* side * side, row by row */
    uint32_t *ids;           /* n, in cell order */
    struct grid_link *links; /* n */
    uint32_t overflowed;     /* points on overflow lists */
};

static uint32_t axis_cell(const struct spatial_index *ix, double v)
{
    double f = v * ix->inv_cell;
    if (!(f >= 1)) /* also NaN */
        return 0;
    return f >= ix->side ? ix->side - 1 : (uint32_t)f;
}

static uint32_t cell_of(const struct spatial_index *ix, const struct spatial_point *p)
{
    return axis_cell(ix, p->y) * ix->side + axis_cell(ix, p->x);
}

static size_t cell_count(const struct spatial_index *ix)
{
    return (size_t)ix->side * ix->side;
}

static void size_cells(struct spatial_index *ix, const struct spatial_config *cfg)
{
    int given = cfg->cell > 0;
    double side = given ? ceil(cfg->world / cfg->cell) : ceil(sqrt(ix->n / 2.0));
    if (!(side >= 1) || !(cfg->world > 0) || !isfinite(cfg->world))
        side = 1;
    if (side > MAX_SIDE)
        side = MAX_SIDE;
    ix->side = (uint32_t)side;
    if (given && side < MAX_SIDE && isfinite(cfg->cell))
        ix->cell = cfg->cell;
    else if (cfg->world > 0 && isfinite(cfg->world))
        ix->cell = cfg->world / side;
    else
        ix->cell = 1;
    ix->inv_cell = 1 / ix->cell;
}

/* The counting sort: every point into its cell's CSR range, overflow lists emptied. */
static void sort_into_cells(struct spatial_index *ix, struct spatial_stats *st)
{
    size_t cells = cell_count(ix);
    for (size_t c = 0; c < cells; c++)
        ix->cells[c] = (struct grid_cell){0, 0, NONE};
    for (uint32_t i = 0; i < ix->n; i++)
        ix->cells[cell_of(ix, &ix->pts[i])].count++;
    uint32_t begin = 0;
    for (size_t c = 0; c < cells; c++) {
        ix->cells[c].begin = begin;
        begin += ix->cells[c].count;
        ix->cells[c].count = 0;
    }
    for (uint32_t i = 0; i < ix->n; i++) {
        struct grid_cell *c = &ix->cells[cell_of(ix, &ix->pts[i])];
        uint32_t slot = c->begin + c->count++;
        ix->ids[slot] = i;
        ix->links[i] = (struct grid_link){slot, NONE, NONE};
    }
    ix->overflowed = 0;
    st->nodes_visited += cells;
}

static void grid_destroy(struct spatial_index *ix)
{
    if (ix) {
        free(ix->pts);
        free(ix->cells);
        free(ix->ids);
        free(ix->links);
    }
    free(ix);
}

static struct spatial_index *grid_build(const struct spatial_point *pts, uint32_t n,
                                        const struct spatial_config *cfg,
                                        struct spatial_stats *st)
{
    struct spatial_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return NULL;
    ix->n = n;
    size_cells(ix, cfg);
    size_t m = n ? n : 1;
    ix->pts = malloc(m * sizeof *ix->pts);
    ix->ids = malloc(m * sizeof *ix->ids);
    ix->links = malloc(m * sizeof *ix->links);
    ix->cells = malloc(cell_count(ix) * sizeof *ix->cells);
    if (!ix->pts || !ix->ids || !ix->links || !ix->cells) {
        grid_destroy(ix);
        return NULL;
    }
    memcpy(ix->pts, pts, n * sizeof *pts);
    sort_into_cells(ix, st);
    return ix;
}

/* What a query wants of each point it looks at. */
struct grid_query {
    double x, y;
    double r2;  /* radius: keep points with d2 <= r2 */
    uint32_t k; /* k-NN (when not 0): offer every point to the heap */
};

static int take(const struct spatial_index *ix, const struct grid_query *q, uint32_t id,
                struct spatial_results *out, struct spatial_stats *st)
{
    double d2 = spatial_d2(ix->pts[id].x, ix->pts[id].y, q->x, q->y);
    st->candidates_checked++;
    if (q->k)
        return knn_heap_offer(out, q->k, id, d2);
    return d2 <= q->r2 ? spatial_results_push(out, id, d2) : 0;
}

static int scan_cell(const struct spatial_index *ix, const struct grid_cell *c,
                     const struct grid_query *q, struct spatial_results *out,
                     struct spatial_stats *st)
{
    st->nodes_visited++;
    for (uint32_t i = c->begin; i < c->begin + c->count; i++)
        if (take(ix, q, ix->ids[i], out, st) != 0)
            return -1;
    for (uint32_t id = c->overflow; id != NONE; id = ix->links[id].next)
        if (take(ix, q, id, out, st) != 0)
            return -1;
    return 0;
}

/* Scans the cells in columns [c0, c1] x rows [r0, r1], clipped to the grid. */
static int scan_cells(const struct spatial_index *ix, int64_t c0, int64_t c1, int64_t r0,
                      int64_t r1, const struct grid_query *q, struct spatial_results *out,
                      struct spatial_stats *st)
{
    int64_t last = (int64_t)ix->side - 1;
    c0 = c0 < 0 ? 0 : c0;
    r0 = r0 < 0 ? 0 : r0;
    c1 = c1 > last ? last : c1;
    r1 = r1 > last ? last : r1;
    for (int64_t row = r0; row <= r1; row++)
        for (int64_t col = c0; col <= c1; col++)
            if (scan_cell(ix, &ix->cells[row * ix->side + col], q, out, st) != 0)
                return -1;
    return 0;
}

/* The cells on one axis that a point within `reach` of v can lie in. */
static void axis_span(const struct spatial_index *ix, double v, double reach, uint32_t *lo,
                      uint32_t *hi)
{
    if (isinf(reach)) { /* every cell; and v = -inf would make -inf + inf, NaN */
        *lo = 0;
        *hi = ix->side - 1;
        return;
    }
    *lo = axis_cell(ix, v - reach);
    *hi = axis_cell(ix, v + reach);
}

static int grid_radius(struct spatial_index *ix, double x, double y, double r,
                       struct spatial_results *out, struct spatial_stats *st)
{
    struct grid_query q = {x, y, r * r, 0};
    /* A point that brute force counts lies within r (times 1 + a few ulps) on each axis; when
     * r * r overflows, every point's d2 does not exceed it, so every cell is looked at. */
    double reach = isfinite(q.r2) ? fabs(r) * (1 + SLACK) + TINY : INFINITY;
    uint32_t c0, c1, r0, r1;
    axis_span(ix, x, reach, &c0, &c1);
    axis_span(ix, y, reach, &r0, &r1);
    return scan_cells(ix, c0, c1, r0, r1, &q, out, st);
}

/* The cells at Chebyshev distance `ring` from (col, row). */
static int scan_ring(const struct spatial_index *ix, int64_t col, int64_t row, int64_t ring,
                     const struct grid_query *q, struct spatial_results *out,
                     struct spatial_stats *st)
{
    if (ring == 0)
        return scan_cells(ix, col, col, row, row, q, out, st);
    if (scan_cells(ix, col - ring, col + ring, row - ring, row - ring, q, out, st) != 0 ||
        scan_cells(ix, col - ring, col + ring, row + ring, row + ring, q, out, st) != 0 ||
        scan_cells(ix, col - ring, col - ring, row - ring + 1, row + ring - 1, q, out, st) != 0)
        return -1;
    return scan_cells(ix, col + ring, col + ring, row - ring + 1, row + ring - 1, q, out, st);
}

/*
 * A lower bound on spatial_d2() from v to any point whose cell on this axis
 * is at least `from` (above) or at most `from` (below): the gap to that
 * cell's edge, pulled in by SLACK so that rounding cannot make it too large.
 */
static double gap_d2_above(const struct spatial_index *ix, double v, uint32_t from)
{
    double gap = (double)from * ix->cell * (1 - SLACK) - v;
    return gap > 0 ? gap * gap : 0;
}

static double gap_d2_below(const struct spatial_index *ix, double v, uint32_t from)
{
    double gap = v - (double)(from + 1) * ix->cell * (1 + SLACK);
    return gap > 0 ? gap * gap : 0;
}

/* A lower bound on the d2 of any point in a cell farther than `ring` from (col, row). */
static double beyond_ring_d2(const struct spatial_index *ix, double x, double y, uint32_t col,
                             uint32_t row, uint32_t ring)
{
    double least = INFINITY, d2;
    if (col + ring + 1 < ix->side && (d2 = gap_d2_above(ix, x, col + ring + 1)) < least)
        least = d2;
    if (col > ring && (d2 = gap_d2_below(ix, x, col - ring - 1)) < least)
        least = d2;
    if (row + ring + 1 < ix->side && (d2 = gap_d2_above(ix, y, row + ring + 1)) < least)
        least = d2;
    if (row > ring && (d2 = gap_d2_below(ix, y, row - ring - 1)) < least)
        least = d2;
    return least;
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}

/*
 * Rings of cells outward from the query's cell, until every cell left is
 * strictly farther than the k-th best: one at exactly that distance may hold
 * a tie that wins on id.
 */
static int grid_knn(struct spatial_index *ix, double x, double y, uint32_t k,
                    struct spatial_results *out, struct spatial_stats *st)
{
    out->n = 0;
    if (k == 0 || ix->n == 0)
        return 0;
    struct grid_query q = {x, y, 0, k};
    uint32_t col = axis_cell(ix, x), row = axis_cell(ix, y);
    uint32_t last_ring = max_u32(max_u32(col, ix->side - 1 - col),
                                 max_u32(row, ix->side - 1 - row));
    for (uint32_t ring = 0; ring <= last_ring; ring++) {
        if (scan_ring(ix, col, row, ring, &q, out, st) != 0)
            return -1;
        if (beyond_ring_d2(ix, x, y, col, row, ring) > knn_heap_bound(out, k))
            break;
    }
    spatial_results_sort(out);
    return 0;
}

static void leave_cell(struct spatial_index *ix, uint32_t id, struct grid_cell *c)
{
    struct grid_link *l = &ix->links[id];
    if (l->slot != NONE) { /* the cell's last point takes its slot */
        uint32_t last = ix->ids[c->begin + --c->count];
        ix->ids[l->slot] = last;
        ix->links[last].slot = l->slot;
        l->slot = NONE;
        return;
    }
    if (l->prev != NONE)
        ix->links[l->prev].next = l->next;
    else
        c->overflow = l->next;
    if (l->next != NONE)
        ix->links[l->next].prev = l->prev;
    ix->overflowed--;
}

static void join_overflow(struct spatial_index *ix, uint32_t id, struct grid_cell *c)
{
    ix->links[id] = (struct grid_link){NONE, c->overflow, NONE};
    if (c->overflow != NONE)
        ix->links[c->overflow].prev = id;
    c->overflow = id;
    ix->overflowed++;
}

static int grid_move(struct spatial_index *ix, uint32_t id, struct spatial_point p,
                     struct spatial_stats *st)
{
    if (id >= ix->n)
        return -1;
    uint32_t from = cell_of(ix, &ix->pts[id]), to = cell_of(ix, &p);
    ix->pts[id] = p;
    if (from == to)
        return 0;
    leave_cell(ix, id, &ix->cells[from]);
    join_overflow(ix, id, &ix->cells[to]);
    if (ix->overflowed > (ix->n + cell_count(ix)) / 4)
        sort_into_cells(ix, st);
    return 0;
}

static size_t grid_bytes(const struct spatial_index *ix)
{
    return sizeof *ix +
           (size_t)ix->n * (sizeof *ix->pts + sizeof *ix->ids + sizeof *ix->links) +
           cell_count(ix) * sizeof *ix->cells;
}

const struct spatial_impl spatial_grid = {
    .name = "grid",
    .build = grid_build,
    .radius = grid_radius,
    .knn = grid_knn,
    .move = grid_move,
    .bytes = grid_bytes,
    .destroy = grid_destroy,
};
