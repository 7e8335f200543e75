/*
 * perception.c — an agent's perception from its observation (perception.h),
 * dense or sparse, the same struct to the bit.
 *
 * Both forms reduce to the same integers (counts of cells, the smallest
 * integer squared distance), and the floats are made from those integers by
 * the same expressions (finish()), so the two can only differ if their
 * integers do. The predicates (value > 0, VISIBLE == 1) are false for 0 and
 * for a cell a sparse observation leaves out, so an entry holding 0 changes
 * nothing either.
 *
 * The sparse form is read without scratch memory: its entries are in
 * (channel, row, col) order, so each channel is a run of cells in (row, col)
 * order, and a per-cell condition over two channels is a merge of two runs.
 * Both take the observation as observe.h defines it: v holding channels x
 * side x side floats; the entries inside the window, in order, one a cell.
 */
#include "perception.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

/* What both forms count; the floats come from these alone. */
struct tally {
    uint32_t allies, enemies, resources; /* seen cells with a value > 0 */
    uint32_t crowded;                    /* cells with an ally or an enemy, seen or not */
    uint32_t seen;
    int64_t nearest_d2;                  /* smallest squared distance to a seen enemy; -1 none */
};

static void finish(const struct tally *t, uint32_t side, struct perception *p)
{
    memset(p, 0, sizeof *p);
    p->visible_allies = t->allies;
    p->visible_enemies = t->enemies;
    p->visible_resources = t->resources;
    p->nearest_enemy = t->nearest_d2 < 0 ? -1.0f : sqrtf((float)t->nearest_d2);
    uint64_t cells = (uint64_t)side * side;
    p->local_density = cells ? (float)t->crowded / (float)cells : 0.0f;
    p->coverage = cells ? (float)t->seen / (float)cells : 0.0f;
}

/* The squared distance of window cell (row, col) from the centre (R, R) of a side 2R+1. */
static int64_t centre_d2(uint32_t side, uint32_t row, uint32_t col)
{
    int64_t r = side / 2, dr = (int64_t)row - r, dc = (int64_t)col - r;
    return dr * dr + dc * dc;
}

static void nearer(struct tally *t, int64_t d2)
{
    if (t->nearest_d2 < 0 || d2 < t->nearest_d2)
        t->nearest_d2 = d2;
}

static uint32_t channels_of(uint32_t channels)
{
    return channels < OBS_CHANNELS ? channels : OBS_CHANNELS;
}

void perception_from_dense(const struct observe_dense *o, struct perception *p)
{
    struct tally t = {.nearest_d2 = -1};
    uint32_t side = o->side, nch = channels_of(o->channels);
    size_t cells = (size_t)side * side;
    /* A channel the observation lacks is NULL here: all zero. */
    const float *ch[OBS_CHANNELS] = {0};
    for (uint32_t c = 0; c < nch && cells; c++)
        ch[c] = o->v + c * cells;
    for (uint32_t row = 0; row < side; row++)
        for (uint32_t col = 0; col < side; col++) {
            size_t i = (size_t)row * side + col;
            bool seen = !ch[OBS_VISIBLE] || ch[OBS_VISIBLE][i] == 1.0f;
            bool ally = ch[OBS_ALLIES] && ch[OBS_ALLIES][i] > 0;
            bool enemy = ch[OBS_ENEMIES] && ch[OBS_ENEMIES][i] > 0;
            bool resource = ch[OBS_RESOURCES] && ch[OBS_RESOURCES][i] > 0;
            t.crowded += ally || enemy;
            if (!seen)
                continue;
            t.seen++;
            t.allies += ally;
            t.enemies += enemy;
            t.resources += resource;
            if (enemy)
                nearer(&t, centre_d2(side, row, col));
        }
    finish(&t, side, p);
}

/* One channel's entries, e[0..n), in (row, col) order. */
struct run {
    const struct observe_entry *e;
    size_t n;
};

/* The cell's place in (row, col) order. */
static uint32_t key(const struct observe_entry *e, uint32_t side)
{
    return (uint32_t)e->row * side + e->col;
}

/* Cells of `a` with a value > 0 that VISIBLE `v` says are seen (without VISIBLE, all of
 * them); for enemies, the nearest of them goes into t. */
static uint32_t seen_in(struct run a, const struct run *v, uint32_t side, struct tally *t,
                        bool enemies)
{
    uint32_t count = 0;
    size_t j = 0;
    for (size_t i = 0; i < a.n; i++) {
        if (!(a.e[i].value > 0))
            continue;
        uint32_t k = key(&a.e[i], side);
        bool seen = true;
        if (v) {
            while (j < v->n && key(&v->e[j], side) < k)
                j++;
            seen = j < v->n && key(&v->e[j], side) == k && v->e[j].value == 1.0f;
        }
        if (!seen)
            continue;
        count++;
        if (enemies)
            nearer(t, centre_d2(side, a.e[i].row, a.e[i].col));
    }
    return count;
}

/* Cells where a or b holds a value > 0. */
static uint32_t either(struct run a, struct run b, uint32_t side)
{
    uint32_t count = 0;
    size_t i = 0, j = 0;
    while (i < a.n || j < b.n) {
        uint32_t ka = i < a.n ? key(&a.e[i], side) : UINT32_MAX;
        uint32_t kb = j < b.n ? key(&b.e[j], side) : UINT32_MAX;
        bool any = false;
        if (ka <= kb)
            any = a.e[i++].value > 0;
        if (kb <= ka)
            any = b.e[j++].value > 0 || any;
        count += any;
    }
    return count;
}

void perception_from_sparse(const struct observe_sparse *o, struct perception *p)
{
    struct tally t = {.nearest_d2 = -1};
    uint32_t side = o->side, nch = channels_of(o->channels);
    /* Each channel's run; entries of channels the observation lacks are none of its cells. */
    struct run runs[OBS_CHANNELS] = {{0}};
    size_t i = 0;
    for (uint32_t c = 0; c < OBS_CHANNELS; c++) {
        while (i < o->n && o->e[i].channel < c)
            i++;
        size_t begin = i;
        while (i < o->n && o->e[i].channel == c)
            i++;
        if (c < nch)
            runs[c] = (struct run){o->e + begin, i - begin};
    }
    const struct run *visible = nch > OBS_VISIBLE ? &runs[OBS_VISIBLE] : NULL;
    t.allies = seen_in(runs[OBS_ALLIES], visible, side, &t, false);
    t.enemies = seen_in(runs[OBS_ENEMIES], visible, side, &t, true);
    t.resources = seen_in(runs[OBS_RESOURCES], visible, side, &t, false);
    t.crowded = either(runs[OBS_ALLIES], runs[OBS_ENEMIES], side);
    if (visible) {
        for (size_t k = 0; k < visible->n; k++)
            t.seen += visible->e[k].value == 1.0f;
    } else {
        t.seen = side * side;
    }
    finish(&t, side, p);
}
