/*
 * test_observe — the observation world of observe.h: every lookup x storage
 * gives the checksums of brute + dense for every agent over 20 steps on three
 * seeded worlds (one crowded with obstacles, one of radius 0); the channels
 * agree with what the agents' places say; observe_line() visits
 * max(|dx|,|dy|) - 1 adjacent cells, mirror for mirror, and stops when told;
 * cells outside the world are obstacles and hide what lies beyond; and a
 * one-cell world's observation, worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "observe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct spatial_impl *const lookups[] = {&spatial_brute, &spatial_kdtree,
                                                     &spatial_quadtree, &spatial_grid,
                                                     &spatial_rtree};

static struct observe_world *world(const struct observe_config *cfg)
{
    char why[256] = "";
    struct observe_world *w = observe_world_new(cfg, why, sizeof why);
    if (!w)
        fail_msg("observe_world_new: %s", why);
    return w;
}

static const struct observe_config worlds[] = {
    {.world = 40, .agents = 300, .teams = 3, .obstacle_density = 0.1,
     .resource_density = 0.05, .radius = 5, .channels = 6, .seed = 1},
    {.world = 30, .agents = 250, .teams = 2, .obstacle_density = 0.6,
     .resource_density = 0.3, .radius = 4, .channels = 6, .seed = 2},
    {.world = 20, .agents = 200, .teams = 4, .obstacle_density = 0.2,
     .resource_density = 0.5, .radius = 0, .channels = 6, .seed = 3},
};

/* Every lookup x storage against brute + dense, every agent, every step. */
static void every_lookup_and_storage_agrees(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof worlds / sizeof *worlds; k++) {
        struct observe_config rcfg = worlds[k];
        rcfg.lookup = &spatial_brute;
        for (size_t l = 0; l < sizeof lookups / sizeof *lookups; l++)
            for (int sparse = 0; sparse < 2; sparse++) {
                struct observe_config cfg = worlds[k];
                cfg.lookup = lookups[l];
                struct observe_world *ref = world(&rcfg), *w = world(&cfg);
                struct observe_dense rd = {0}, d = {0};
                struct observe_sparse s = {0};
                struct observe_counts rc = {0}, c = {0};
                for (int step = 0; step <= 20; step++) {
                    if (step > 0) {
                        assert_int_equal(observe_step(ref, &rc), 0);
                        assert_int_equal(observe_step(w, &c), 0);
                    }
                    for (uint32_t id = 0; id < cfg.agents; id++) {
                        assert_int_equal(observe_dense(ref, id, &rd, &rc), 0);
                        uint64_t want = observe_checksum_dense(&rd), got;
                        if (sparse) {
                            assert_int_equal(observe_sparse(w, id, &s, &c), 0);
                            got = observe_checksum_sparse(&s);
                        } else {
                            assert_int_equal(observe_dense(w, id, &d, &c), 0);
                            got = observe_checksum_dense(&d);
                        }
                        if (got != want)
                            fail_msg("world %zu, %s, %s, step %d, agent %u: %016llx, brute "
                                     "dense %016llx", k, lookups[l]->name,
                                     sparse ? "sparse" : "dense", step, id,
                                     (unsigned long long)got, (unsigned long long)want);
                    }
                }
                /* the lookups return the same agents, whatever index */
                assert_true(c.entities_visited == rc.entities_visited);
                if (lookups[l] != &spatial_brute && worlds[k].radius > 0)
                    assert_true(c.lookup.candidates_checked < rc.lookup.candidates_checked);
                observe_dense_free(&rd);
                observe_dense_free(&d);
                observe_sparse_free(&s);
                observe_world_free(ref);
                observe_world_free(w);
            }
    }
}

struct blocked_in {
    const struct observe_dense *o;
    uint32_t r;
};

static int obstacle_in_window(void *arg, int32_t x, int32_t y)
{
    const struct blocked_in *b = arg;
    return observe_dense_at(b->o, OBS_OBSTACLES, (uint32_t)(y + (int32_t)b->r),
                            (uint32_t)(x + (int32_t)b->r)) != 0;
}

/* Each channel says what the agents' places and the other channels say: the sums of
 * health per cell, visibility from the window's own obstacles, agents off obstacles. */
static void channels_agree_with_the_world(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof worlds / sizeof *worlds; k++) {
        struct observe_config cfg = worlds[k];
        cfg.lookup = &spatial_grid;
        struct observe_world *w = world(&cfg);
        uint32_t n, r = cfg.radius, side = 2 * r + 1;
        float *allies = malloc(side * side * sizeof *allies);
        float *enemies = malloc(side * side * sizeof *enemies);
        struct observe_dense o = {0};
        struct observe_sparse s = {0};
        for (int step = 0; step < 5; step++) {
            const struct observe_agent *a = observe_agents(w, &n);
            for (uint32_t id = 0; id < n; id++) {
                assert_int_equal(observe_dense(w, id, &o, NULL), 0);
                assert_int_equal(observe_sparse(w, id, &s, NULL), 0);
                assert_true(observe_checksum_dense(&o) == observe_checksum_sparse(&s));
                memset(allies, 0, side * side * sizeof *allies);
                memset(enemies, 0, side * side * sizeof *enemies);
                for (uint32_t j = 0; j < n; j++) {
                    int64_t dx = (int64_t)a[j].x - a[id].x, dy = (int64_t)a[j].y - a[id].y;
                    if (j == id || dx < -(int64_t)r || dx > r || dy < -(int64_t)r || dy > r)
                        continue;
                    float *plane = a[j].team == a[id].team ? allies : enemies;
                    plane[(dy + r) * side + dx + r] += (float)a[j].health;
                }
                struct blocked_in b = {&o, r};
                for (uint32_t row = 0; row < side; row++)
                    for (uint32_t col = 0; col < side; col++) {
                        float self = row == r && col == r ? (float)a[id].health : 0;
                        assert_true(observe_dense_at(&o, OBS_SELF, row, col) == self);
                        assert_true(observe_dense_at(&o, OBS_ALLIES, row, col) ==
                                    allies[row * side + col]);
                        assert_true(observe_dense_at(&o, OBS_ENEMIES, row, col) ==
                                    enemies[row * side + col]);
                        int hidden = observe_line((int32_t)col - (int32_t)r,
                                                  (int32_t)row - (int32_t)r,
                                                  obstacle_in_window, &b);
                        assert_true(observe_dense_at(&o, OBS_VISIBLE, row, col) ==
                                    (hidden ? 0.0f : 1.0f));
                        for (uint32_t ch = 0; ch < OBS_CHANNELS; ch++)
                            assert_true(observe_dense_at(&o, ch, row, col) ==
                                        observe_sparse_at(&s, ch, row, col));
                    }
                assert_true(observe_dense_at(&o, OBS_OBSTACLES, r, r) == 0);
                assert_true(observe_dense_at(&o, OBS_VISIBLE, r, r) == 1);
                assert_true(a[id].health >= 1 && a[id].health <= 100);
                assert_true(a[id].team == id % cfg.teams);
            }
            assert_int_equal(observe_step(w, NULL), 0);
        }
        free(allies);
        free(enemies);
        observe_dense_free(&o);
        observe_sparse_free(&s);
        observe_world_free(w);
    }
}

/* The same seed, the same world; fewer channels, the first planes of the full one. */
static void seeded_and_channels_are_prefixes(void **state)
{
    (void)state;
    struct observe_config cfg = worlds[0];
    cfg.lookup = &spatial_kdtree;
    struct observe_world *full = world(&cfg);
    struct observe_dense f = {0}, p = {0};
    for (uint32_t channels = 1; channels <= OBS_CHANNELS; channels++) {
        struct observe_config pc = cfg;
        pc.channels = channels;
        struct observe_world *w = world(&pc);
        for (uint32_t id = 0; id < cfg.agents; id += 7) {
            assert_int_equal(observe_dense(full, id, &f, NULL), 0);
            assert_int_equal(observe_dense(w, id, &p, NULL), 0);
            assert_int_equal(p.channels, channels);
            assert_memory_equal(p.v, f.v, channels * p.side * p.side * sizeof *p.v);
        }
        observe_world_free(w);
    }
    observe_dense_free(&f);
    observe_dense_free(&p);
    observe_world_free(full);
}

struct walk {
    int32_t x[256], y[256];
    int n, stop_at;
};

static int record(void *arg, int32_t x, int32_t y)
{
    struct walk *w = arg;
    w->x[w->n] = x;
    w->y[w->n] = y;
    return ++w->n == w->stop_at ? 7 : 0;
}

static int32_t iabs(int32_t v)
{
    return v < 0 ? -v : v;
}

/* max(|dx|,|dy|) - 1 cells, each a king's move from the last, from the centre out to a king's
 * move from the end; the line to a mirror image is the mirror image of the line. */
static void lines_are_symmetric_and_adjacent(void **state)
{
    (void)state;
    for (int32_t dx = -12; dx <= 12; dx++)
        for (int32_t dy = -12; dy <= 12; dy++) {
            struct walk w = {.stop_at = -1};
            assert_int_equal(observe_line(dx, dy, record, &w), 0);
            int32_t len = iabs(dx) > iabs(dy) ? iabs(dx) : iabs(dy);
            assert_int_equal(w.n, len > 0 ? len - 1 : 0);
            int32_t px = 0, py = 0;
            for (int i = 0; i < w.n; i++) {
                assert_true(iabs(w.x[i] - px) <= 1 && iabs(w.y[i] - py) <= 1);
                assert_true(iabs(w.x[i]) <= iabs(dx) && iabs(w.y[i]) <= iabs(dy));
                px = w.x[i];
                py = w.y[i];
            }
            assert_true(iabs(dx - px) <= 1 && iabs(dy - py) <= 1);
            /* the eight images: mirrors in x, in y, and the swap */
            for (int m = 0; m < 8; m++) {
                int sx = m & 1 ? -1 : 1, sy = m & 2 ? -1 : 1, swap = m & 4;
                int32_t ix = swap ? dy * sx : dx * sx, iy = swap ? dx * sy : dy * sy;
                struct walk v = {.stop_at = -1};
                observe_line(ix, iy, record, &v);
                assert_int_equal(v.n, w.n);
                for (int i = 0; i < w.n; i++) {
                    assert_int_equal(v.x[i], swap ? w.y[i] * sx : w.x[i] * sx);
                    assert_int_equal(v.y[i], swap ? w.x[i] * sy : w.y[i] * sy);
                }
            }
        }
    /* exact cases: a straight line, a diagonal, and a half rounded away from the axis */
    struct walk w = {.stop_at = -1};
    observe_line(4, 0, record, &w);
    assert_int_equal(w.n, 3);
    assert_true(w.x[2] == 3 && w.y[2] == 0);
    w = (struct walk){.stop_at = -1};
    observe_line(-3, -3, record, &w);
    assert_true(w.n == 2 && w.x[0] == -1 && w.y[0] == -1 && w.x[1] == -2 && w.y[1] == -2);
    w = (struct walk){.stop_at = -1};
    observe_line(2, 1, record, &w);
    assert_true(w.n == 1 && w.x[0] == 1 && w.y[0] == 1);
}

static void lines_stop_when_told(void **state)
{
    (void)state;
    struct walk w = {.stop_at = 3};
    assert_int_equal(observe_line(10, -4, record, &w), 7);
    assert_int_equal(w.n, 3);
    /* the extremes: no overflow, and the first cell is where it must be */
    w = (struct walk){.stop_at = 1};
    assert_int_equal(observe_line(INT32_MIN, INT32_MAX, record, &w), 7);
    assert_true(w.n == 1 && w.x[0] == -1 && w.y[0] == 1);
    w = (struct walk){.stop_at = 1};
    assert_int_equal(observe_line(INT32_MIN, INT32_MIN, record, &w), 7);
    assert_true(w.x[0] == -1 && w.y[0] == -1);
}

/* A world of one cell, worked out by hand: three agents on it (teams 0, 1, 0), the cell a
 * resource; around it nothing but the outside, which is obstacle, and behind the ring of
 * outside cells nothing can be seen. The resource's amount is the stream's second draw
 * (observe.h: no obstacles to place, then one draw to pick the cell, one for its amount). */
static void a_one_cell_world_by_hand(void **state)
{
    (void)state;
    const uint64_t seed = 99;
    struct observe_config cfg = {.world = 1, .agents = 3, .teams = 2, .obstacle_density = 0.5,
                                 .resource_density = 1, .radius = 2, .channels = 6,
                                 .seed = seed, .lookup = &spatial_quadtree};
    /* 0.5 of one cell rounds to 1, but an agent needs a free cell: none */
    uint64_t rng = seed;
    spatial_rand(&rng);
    float amount = (float)(1 + spatial_rand(&rng) % 10);
    struct observe_world *w = world(&cfg);
    uint32_t n;
    const struct observe_agent *a = observe_agents(w, &n);
    assert_int_equal(n, 3);
    for (int step = 0; step < 3; step++) {
        for (uint32_t i = 0; i < 3; i++)
            assert_true(a[i].x == 0 && a[i].y == 0 && a[i].team == i % 2);
        float want[OBS_CHANNELS][5][5] = {{{0}}};
        want[OBS_SELF][2][2] = (float)a[0].health;
        want[OBS_ALLIES][2][2] = (float)a[2].health;
        want[OBS_ENEMIES][2][2] = (float)a[1].health;
        want[OBS_RESOURCES][2][2] = amount;
        for (int row = 0; row < 5; row++)
            for (int col = 0; col < 5; col++) {
                int ring = abs(row - 2) > abs(col - 2) ? abs(row - 2) : abs(col - 2);
                want[OBS_OBSTACLES][row][col] = ring > 0;
                want[OBS_VISIBLE][row][col] = ring < 2; /* the ring of 2 is behind ring 1 */
            }
        struct observe_dense d = {0};
        struct observe_sparse s = {0};
        struct observe_counts c = {0};
        assert_int_equal(observe_dense(w, 0, &d, &c), 0);
        assert_int_equal(observe_sparse(w, 0, &s, &c), 0);
        assert_int_equal(d.side, 5);
        assert_memory_equal(d.v, want, sizeof want);
        assert_int_equal(s.n, 1 + 1 + 1 + 1 + 24 + 9);
        assert_true(observe_checksum_sparse(&s) == observe_checksum_dense(&d));
        assert_true(c.entities_visited == 2 * (3 + 1)); /* 3 agents, 1 resource, twice */
        assert_true(c.cells_written == 6 * 25 + s.n);
        observe_dense_free(&d);
        observe_sparse_free(&s);
        assert_int_equal(observe_step(w, NULL), 0); /* nowhere to go: all stay */
    }
    observe_world_free(w);
}

/* Exact counts: the densities are shares of the cells, as observe.h says. */
static void densities_are_exact(void **state)
{
    (void)state;
    struct observe_config cfg = {.world = 50, .agents = 1, .teams = 1, .obstacle_density = 0.3,
                                 .resource_density = 0.2, .radius = 64, .channels = 6,
                                 .seed = 5, .lookup = &spatial_brute};
    struct observe_world *w = world(&cfg);
    struct observe_dense d = {0};
    assert_int_equal(observe_dense(w, 0, &d, NULL), 0);
    uint32_t obstacles = 0, resources = 0, outside = 129 * 129 - 50 * 50;
    for (uint32_t i = 0; i < 129 * 129; i++) {
        obstacles += d.v[OBS_OBSTACLES * 129 * 129 + i] != 0;
        resources += d.v[OBS_RESOURCES * 129 * 129 + i] != 0;
        float v = d.v[OBS_RESOURCES * 129 * 129 + i];
        assert_true(v >= 0 && v <= 10 && v == (float)(int)v);
    }
    assert_int_equal(obstacles - outside, 750);  /* 0.3 of 2500 */
    assert_int_equal(resources, 350);            /* 0.2 of the 1750 free */
    observe_dense_free(&d);
    observe_world_free(w);
}

static void bad_configs_say_why(void **state)
{
    (void)state;
    const struct observe_config good = {.world = 10, .agents = 5, .teams = 2, .radius = 2,
                                        .channels = 6, .lookup = &spatial_grid};
    struct observe_config bad[6];
    for (int i = 0; i < 6; i++)
        bad[i] = good;
    bad[0].world = 0;
    bad[1].teams = 0;
    bad[2].obstacle_density = 0.95;
    bad[3].radius = 65;
    bad[4].channels = 7;
    bad[5].lookup = NULL;
    for (int i = 0; i < 6; i++) {
        char why[128] = "";
        assert_null(observe_world_new(&bad[i], why, sizeof why));
        assert_true(why[0] != 0);
    }
    observe_world_free(world(&good));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_lookup_and_storage_agrees),
        cmocka_unit_test(channels_agree_with_the_world),
        cmocka_unit_test(seeded_and_channels_are_prefixes),
        cmocka_unit_test(lines_are_symmetric_and_adjacent),
        cmocka_unit_test(lines_stop_when_told),
        cmocka_unit_test(a_one_cell_world_by_hand),
        cmocka_unit_test(densities_are_exact),
        cmocka_unit_test(bad_configs_say_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
