/* observe.c — the seeded world, its step, and agents' observations (see observe.h). */
#include "observe.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORLD 8192u        /* 67 million cells: two bytes each */
#define MAX_AGENTS 100000u     /* health sums stay below 2^24: exact in a float */
#define RESOURCE_MAX 10u

/* An agent in a window, other than the observer. */
struct near {
    uint32_t cell; /* row * side + col */
    uint32_t health;
    bool ally;
};

struct observe_world {
    struct observe_config cfg;
    uint8_t *obstacle;         /* world * world, row-major (y, then x): 1 or 0 */
    uint8_t *resource;         /* amounts 0..RESOURCE_MAX */
    struct observe_agent *agents;
    struct spatial_point *centres; /* agents' cell centres, what the lookup indexes */
    struct spatial_index *ix;
    uint64_t rng;
    struct spatial_results hits; /* reused by every lookup */
    struct near *near;
    size_t near_cap;
};

static int say(char *why, size_t whylen, const char *fmt, ...)
{
    if (why && whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int valid(const struct observe_config *c, char *why, size_t whylen)
{
    if (c->world < 1 || c->world > MAX_WORLD)
        return say(why, whylen, "world %u: 1 to %u cells", c->world, MAX_WORLD);
    if (c->agents < 1 || c->agents > MAX_AGENTS)
        return say(why, whylen, "agents %u: 1 to %u", c->agents, MAX_AGENTS);
    if (c->teams < 1 || c->teams > 255)
        return say(why, whylen, "teams %u: 1 to 255", c->teams);
    if (!(c->obstacle_density >= 0 && c->obstacle_density <= 0.9))
        return say(why, whylen, "obstacle density %g: 0 to 0.9", c->obstacle_density);
    if (!(c->resource_density >= 0 && c->resource_density <= 1))
        return say(why, whylen, "resource density %g: 0 to 1", c->resource_density);
    if (c->radius > 64)
        return say(why, whylen, "radius %u: 0 to 64", c->radius);
    if (c->channels < 1 || c->channels > OBS_CHANNELS)
        return say(why, whylen, "channels %u: 1 to %d", c->channels, OBS_CHANNELS);
    if (!c->lookup)
        return say(why, whylen, "no lookup");
    return 0;
}

/* Exactly `want` of the `n` cells that pass `eligible`, each subset alike (Knuth's
 * selection sampling, one draw per eligible cell, in row-major order); mark sets them. */
static void select_cells(struct observe_world *w, uint64_t n, uint64_t want,
                         const uint8_t *skip, uint8_t *mark, bool amounts)
{
    uint64_t cells = (uint64_t)w->cfg.world * w->cfg.world;
    for (uint64_t i = 0; i < cells && want > 0; i++) {
        if (skip && skip[i])
            continue;
        if (spatial_rand(&w->rng) % n < want) {
            mark[i] = amounts ? (uint8_t)(1 + spatial_rand(&w->rng) % RESOURCE_MAX) : 1;
            want--;
        }
        n--;
    }
}

static bool blocked(const struct observe_world *w, int64_t x, int64_t y)
{
    if (x < 0 || y < 0 || x >= w->cfg.world || y >= w->cfg.world)
        return true;
    return w->obstacle[(uint64_t)y * w->cfg.world + (uint64_t)x] != 0;
}

static struct spatial_point centre(const struct observe_agent *a)
{
    return (struct spatial_point){a->x + 0.5, a->y + 0.5};
}

struct observe_world *observe_world_new(const struct observe_config *cfg, char *why,
                                        size_t whylen)
{
    if (valid(cfg, why, whylen) != 0)
        return NULL;
    struct observe_world *w = calloc(1, sizeof *w);
    if (!w) {
        say(why, whylen, "out of memory");
        return NULL;
    }
    w->cfg = *cfg;
    w->rng = cfg->seed;
    uint64_t cells = (uint64_t)cfg->world * cfg->world;
    w->obstacle = calloc(cells, 1);
    w->resource = calloc(cells, 1);
    w->agents = calloc(cfg->agents, sizeof *w->agents);
    w->centres = calloc(cfg->agents, sizeof *w->centres);
    if (!w->obstacle || !w->resource || !w->agents || !w->centres)
        goto oom;
    /* Obstacles, then resources on the free cells, then agents on free cells. */
    uint64_t obstacles = (uint64_t)llround(cfg->obstacle_density * (double)cells);
    if (obstacles > cells - 1)
        obstacles = cells - 1; /* an agent needs a free cell */
    select_cells(w, cells, obstacles, NULL, w->obstacle, false);
    uint64_t free_cells = cells - obstacles;
    uint64_t resources = (uint64_t)llround(cfg->resource_density * (double)free_cells);
    if (resources > free_cells)
        resources = free_cells;
    select_cells(w, free_cells, resources, w->obstacle, w->resource, true);
    for (uint32_t i = 0; i < cfg->agents; i++) {
        struct observe_agent *a = &w->agents[i];
        uint64_t c;
        do /* at least one cell in ten is free: a few draws */
            c = spatial_rand(&w->rng) % cells;
        while (w->obstacle[c]);
        a->x = (uint32_t)(c % cfg->world);
        a->y = (uint32_t)(c / cfg->world);
        a->team = i % cfg->teams;
        a->health = 1 + (uint32_t)(spatial_rand(&w->rng) % 100);
        w->centres[i] = centre(a);
    }
    struct spatial_config scfg = {.world = cfg->world};
    struct spatial_stats st = {0};
    if (!(w->ix = cfg->lookup->build(w->centres, cfg->agents, &scfg, &st)))
        goto oom;
    return w;
oom:
    observe_world_free(w);
    say(why, whylen, "out of memory");
    return NULL;
}

void observe_world_free(struct observe_world *w)
{
    if (!w)
        return;
    if (w->ix)
        w->cfg.lookup->destroy(w->ix);
    spatial_results_free(&w->hits);
    free(w->near);
    free(w->centres);
    free(w->agents);
    free(w->resource);
    free(w->obstacle);
    free(w);
}

const struct observe_agent *observe_agents(const struct observe_world *w, uint32_t *n)
{
    if (n)
        *n = w->cfg.agents;
    return w->agents;
}

const struct observe_config *observe_config_of(const struct observe_world *w)
{
    return &w->cfg;
}

int observe_step(struct observe_world *w, struct observe_counts *c)
{
    struct observe_counts ignored = {0};
    if (!c)
        c = &ignored;
    for (uint32_t i = 0; i < w->cfg.agents; i++) {
        struct observe_agent *a = &w->agents[i];
        /* stay, east, west, south, north: the free ones, in that order */
        static const int dirs[5][2] = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        int options[5] = {0}, n = 0; /* staying is always free: an agent is on a free cell */
        for (int d = 0; d < 5; d++)
            if (!blocked(w, (int64_t)a->x + dirs[d][0], (int64_t)a->y + dirs[d][1]))
                options[n++] = d;
        int d = options[spatial_rand(&w->rng) % (uint64_t)(n ? n : 1)];
        int64_t health = (int64_t)a->health + (int64_t)(spatial_rand(&w->rng) % 11) - 5;
        a->health = (uint32_t)(health < 1 ? 1 : health > 100 ? 100 : health);
        if (d == 0)
            continue;
        a->x = (uint32_t)((int64_t)a->x + dirs[d][0]);
        a->y = (uint32_t)((int64_t)a->y + dirs[d][1]);
        w->centres[i] = centre(a);
        if (w->cfg.lookup->move(w->ix, i, w->centres[i], &c->lookup) != 0)
            return -1;
    }
    return 0;
}

/* The agents in agent `id`'s window but itself, from a radius lookup around its centre
 * (every window cell's centre is within R * sqrt(2); the lookup's extra hits outside the
 * square are dropped), in w->near ordered by cell. Their count, or -1. */
static int64_t gather(struct observe_world *w, uint32_t id, struct observe_counts *c)
{
    const struct observe_agent *me = &w->agents[id];
    int64_t r = w->cfg.radius, side = 2 * r + 1;
    w->hits.n = 0;
    if (w->cfg.lookup->radius(w->ix, me->x + 0.5, me->y + 0.5, (double)r * sqrt(2.0) + 0.5,
                              &w->hits, &c->lookup) != 0)
        return -1;
    c->entities_visited += w->hits.n;
    if (w->hits.n > w->near_cap) {
        size_t cap = w->hits.n < 64 ? 64 : w->hits.n;
        struct near *p = realloc(w->near, cap * sizeof *p);
        if (!p)
            return -1;
        w->near = p;
        w->near_cap = cap;
    }
    size_t n = 0;
    for (size_t i = 0; i < w->hits.n; i++) {
        uint32_t j = w->hits.hits[i].id;
        const struct observe_agent *a = &w->agents[j];
        int64_t dx = (int64_t)a->x - me->x, dy = (int64_t)a->y - me->y;
        if (j == id || dx < -r || dx > r || dy < -r || dy > r)
            continue;
        w->near[n++] = (struct near){(uint32_t)((dy + r) * side + dx + r), a->health,
                                     a->team == me->team};
    }
    /* insertion sort by cell: windows hold few agents, and the lookup's order is its own */
    for (size_t i = 1; i < n; i++) {
        struct near x = w->near[i];
        size_t k = i;
        for (; k > 0 && w->near[k - 1].cell > x.cell; k--)
            w->near[k] = w->near[k - 1];
        w->near[k] = x;
    }
    return (int64_t)n;
}

struct sight {
    const struct observe_world *w;
    int64_t x, y;
};

static int sight_blocked(void *arg, int32_t dx, int32_t dy)
{
    const struct sight *s = arg;
    return blocked(s->w, s->x + dx, s->y + dy);
}

/* What a window cell holds: the ground's channels (RESOURCES, OBSTACLES, VISIBLE). */
static float ground(const struct observe_world *w, const struct observe_agent *me,
                    uint32_t ch, int64_t dx, int64_t dy, uint64_t *resources)
{
    int64_t x = (int64_t)me->x + dx, y = (int64_t)me->y + dy;
    switch (ch) {
    case OBS_RESOURCES: {
        if (blocked(w, x, y))
            return 0;
        uint8_t amount = w->resource[(uint64_t)y * w->cfg.world + (uint64_t)x];
        *resources += amount != 0;
        return amount;
    }
    case OBS_OBSTACLES:
        return blocked(w, x, y) ? 1.0f : 0.0f;
    default: { /* OBS_VISIBLE */
        struct sight s = {w, me->x, me->y};
        return observe_line((int32_t)dx, (int32_t)dy, sight_blocked, &s) ? 0.0f : 1.0f;
    }
    }
}

int observe_dense(struct observe_world *w, uint32_t id, struct observe_dense *out,
                  struct observe_counts *c)
{
    struct observe_counts ignored = {0};
    if (!c)
        c = &ignored;
    const struct observe_agent *me = &w->agents[id];
    uint32_t r = w->cfg.radius, side = 2 * r + 1, chans = w->cfg.channels;
    size_t plane = (size_t)side * side, need = chans * plane;
    if (need > out->cap) {
        float *v = realloc(out->v, need * sizeof *v);
        if (!v)
            return -1;
        out->v = v;
        out->cap = need;
    }
    out->side = side;
    out->channels = chans;
    memset(out->v, 0, need * sizeof *out->v);
    c->cells_written += need;
    out->v[(size_t)r * side + r] = (float)me->health; /* SELF */
    if (chans > OBS_ALLIES) {
        int64_t n = gather(w, id, c);
        if (n < 0)
            return -1;
        for (int64_t i = 0; i < n; i++) {
            const struct near *a = &w->near[i];
            if (a->ally)
                out->v[OBS_ALLIES * plane + a->cell] += (float)a->health;
            else if (chans > OBS_ENEMIES)
                out->v[OBS_ENEMIES * plane + a->cell] += (float)a->health;
        }
    }
    uint64_t resources = 0;
    for (uint32_t ch = OBS_RESOURCES; ch < chans; ch++)
        for (uint32_t row = 0; row < side; row++)
            for (uint32_t col = 0; col < side; col++)
                out->v[ch * plane + (size_t)row * side + col] =
                    ground(w, me, ch, (int64_t)col - r, (int64_t)row - r, &resources);
    c->entities_visited += resources;
    return 0;
}

static int reserve(struct observe_sparse *o, size_t need)
{
    if (need <= o->cap)
        return 0;
    size_t cap = o->cap ? o->cap : 64;
    while (cap < need)
        cap *= 2;
    struct observe_entry *e = realloc(o->e, cap * sizeof *e);
    if (!e)
        return -1;
    o->e = e;
    o->cap = cap;
    return 0;
}

static void push(struct observe_sparse *o, uint32_t ch, uint32_t cell, float value)
{
    o->e[o->n++] = (struct observe_entry){(uint16_t)ch, (uint16_t)(cell / o->side),
                                          (uint16_t)(cell % o->side), value};
}

/* The sums per cell of the near agents on one side (allies or not), in cell order. */
static void push_sums(struct observe_sparse *o, const struct near *near, int64_t n,
                      uint32_t ch, bool ally)
{
    for (int64_t i = 0; i < n;) {
        uint32_t cell = near[i].cell;
        float sum = 0;
        for (; i < n && near[i].cell == cell; i++)
            if (near[i].ally == ally)
                sum += (float)near[i].health;
        if (sum != 0)
            push(o, ch, cell, sum);
    }
}

int observe_sparse(struct observe_world *w, uint32_t id, struct observe_sparse *out,
                   struct observe_counts *c)
{
    struct observe_counts ignored = {0};
    if (!c)
        c = &ignored;
    const struct observe_agent *me = &w->agents[id];
    uint32_t r = w->cfg.radius, side = 2 * r + 1, chans = w->cfg.channels;
    size_t plane = (size_t)side * side;
    out->n = 0;
    out->side = side;
    out->channels = chans;
    int64_t n = 0;
    if (chans > OBS_ALLIES && (n = gather(w, id, c)) < 0)
        return -1;
    /* at most: SELF, a cell per near agent in ALLIES and ENEMIES, every cell of the rest */
    size_t ground_chans = chans > OBS_RESOURCES ? chans - OBS_RESOURCES : 0;
    if (reserve(out, 1 + 2 * (size_t)n + ground_chans * plane) != 0)
        return -1;
    push(out, OBS_SELF, r * side + r, (float)me->health);
    if (chans > OBS_ALLIES)
        push_sums(out, w->near, n, OBS_ALLIES, true);
    if (chans > OBS_ENEMIES)
        push_sums(out, w->near, n, OBS_ENEMIES, false);
    uint64_t resources = 0;
    for (uint32_t ch = OBS_RESOURCES; ch < chans; ch++)
        for (uint32_t cell = 0; cell < plane; cell++) {
            float v = ground(w, me, ch, (int64_t)(cell % side) - r, (int64_t)(cell / side) - r,
                             &resources);
            if (v != 0)
                push(out, ch, cell, v);
        }
    c->entities_visited += resources;
    c->cells_written += out->n;
    return 0;
}
