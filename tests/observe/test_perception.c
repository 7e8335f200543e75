/*
 * test_perception — perception_from_dense and perception_from_sparse
 * (plugins/common/observe/perception.h) on observations built by hand, with
 * answers worked out here: nothing seen, enemies behind obstacles, the
 * nearest of several enemies and ties, fewer than six channels, radius 0;
 * then 1000 seeded random observations whose dense and sparse forms must
 * give the same struct perception to the byte.
 *
 * Each observation is written dense, and its sparse form is made from it
 * here (every non-zero cell in (channel, row, col) order), without observe.c;
 * half the random ones also list their zero cells, which must change nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perception.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One observation in both forms. */
struct obs {
    struct observe_dense d;
    struct observe_sparse s;
    uint32_t radius;
    int zeros; /* the sparse form lists its zero cells too (entries observe.c would leave
                  out, which must change nothing) */
};

/* An all-zero observation of a (2 radius + 1)^2 window; v holds exactly its floats, so a
 * read of a channel it lacks is one ASan sees. */
static void obs_init(struct obs *o, uint32_t radius, uint32_t channels)
{
    memset(o, 0, sizeof *o);
    o->radius = radius;
    o->d.side = o->s.side = 2 * radius + 1;
    o->d.channels = o->s.channels = channels;
    o->d.cap = (size_t)channels * o->d.side * o->d.side;
    o->d.v = calloc(o->d.cap, sizeof *o->d.v);
    assert_non_null(o->d.v);
}

static void obs_free(struct obs *o)
{
    free(o->d.v);
    free(o->s.e);
}

/* The cell dx, dy from the centre (col = R + dx, row = R + dy). */
static void obs_set(struct obs *o, uint32_t ch, int32_t dx, int32_t dy, float value)
{
    uint32_t row = (uint32_t)((int32_t)o->radius + dy), col = (uint32_t)((int32_t)o->radius + dx);
    assert_true(ch < o->d.channels && row < o->d.side && col < o->d.side);
    o->d.v[((size_t)ch * o->d.side + row) * o->d.side + col] = value;
}

/* Every cell of channel ch set to value. */
static void obs_fill(struct obs *o, uint32_t ch, float value)
{
    size_t cells = (size_t)o->d.side * o->d.side;
    for (size_t i = 0; i < cells; i++)
        o->d.v[ch * cells + i] = value;
}

/* The sparse form of the dense one: its non-zero cells (every cell with o->zeros), in
 * (channel, row, col) order. */
static void obs_sparsify(struct obs *o)
{
    free(o->s.e);
    o->s.e = malloc((o->d.cap ? o->d.cap : 1) * sizeof *o->s.e);
    assert_non_null(o->s.e);
    o->s.cap = o->d.cap;
    o->s.n = 0;
    uint32_t side = o->d.side;
    for (uint32_t ch = 0; ch < o->d.channels; ch++)
        for (uint32_t row = 0; row < side; row++)
            for (uint32_t col = 0; col < side; col++) {
                float v = o->d.v[((size_t)ch * side + row) * side + col];
                if (v != 0 || o->zeros)
                    o->s.e[o->s.n++] = (struct observe_entry){
                        (uint16_t)ch, (uint16_t)row, (uint16_t)col, v};
            }
}

static void describe(const struct perception *p, char *buf, size_t len)
{
    snprintf(buf, len, "{allies %u, enemies %u, resources %u, nearest %a, density %a, "
             "coverage %a}", p->visible_allies, p->visible_enemies, p->visible_resources,
             (double)p->nearest_enemy, (double)p->local_density, (double)p->coverage);
}

/* Both forms' perception, which must be the same bytes; the dense one is returned. */
static struct perception perceive(struct obs *o)
{
    obs_sparsify(o);
    struct perception d, s;
    memset(&d, 0xa5, sizeof d); /* whatever was there must not show */
    memset(&s, 0x5a, sizeof s);
    perception_from_dense(&o->d, &d);
    perception_from_sparse(&o->s, &s);
    if (memcmp(&d, &s, sizeof d) != 0) {
        char a[256], b[256];
        describe(&d, a, sizeof a);
        describe(&s, b, sizeof b);
        fail_msg("dense %s, sparse %s", a, b);
    }
    return d;
}

/* Exact: every expected float here is made by the expression the contract names. */
static void expect(const struct perception *p, uint32_t allies, uint32_t enemies,
                   uint32_t resources, float nearest, float density, float coverage)
{
    struct perception want = {allies, enemies, resources, nearest, density, coverage};
    if (memcmp(p, &want, sizeof want) != 0) {
        char a[256], b[256];
        describe(p, a, sizeof a);
        describe(&want, b, sizeof b);
        fail_msg("got %s, want %s", a, b);
    }
}

static float ratio(uint32_t count, uint32_t cells)
{
    return (float)count / (float)cells;
}

/* An agent alone: only itself, every cell visible. */
static void alone_sees_nothing(void **state)
{
    (void)state;
    struct obs o;
    obs_init(&o, 2, OBS_CHANNELS);
    obs_set(&o, OBS_SELF, 0, 0, 57);
    obs_fill(&o, OBS_VISIBLE, 1);
    struct perception p = perceive(&o);
    expect(&p, 0, 0, 0, -1.0f, 0.0f, 1.0f);
    obs_free(&o);
}

/* Allies, enemies and resources all about, none of them seen: counted in the density only. */
static void nothing_seen(void **state)
{
    (void)state;
    struct obs o;
    obs_init(&o, 3, OBS_CHANNELS);
    obs_set(&o, OBS_SELF, 0, 0, 10);
    obs_set(&o, OBS_ALLIES, 1, 0, 30);
    obs_set(&o, OBS_ENEMIES, -1, 2, 40);
    obs_set(&o, OBS_ENEMIES, 3, 3, 5);
    obs_set(&o, OBS_ALLIES, 3, 3, 5); /* an ally and an enemy on one cell: one cell */
    obs_set(&o, OBS_RESOURCES, 0, -2, 7);
    struct perception p = perceive(&o);
    expect(&p, 0, 0, 0, -1.0f, ratio(3, 49), 0.0f);
    obs_free(&o);
}

/* A wall at dx = 1: the enemies behind it (VISIBLE 0) are neither counted nor nearest,
 * though nearer than the one seen. */
static void enemies_behind_obstacles(void **state)
{
    (void)state;
    struct obs o;
    obs_init(&o, 4, OBS_CHANNELS);
    obs_fill(&o, OBS_VISIBLE, 1);
    for (int32_t dy = -4; dy <= 4; dy++) {
        obs_set(&o, OBS_OBSTACLES, 1, dy, 1);
        obs_set(&o, OBS_VISIBLE, 2, dy, 0);
        obs_set(&o, OBS_VISIBLE, 3, dy, 0);
        obs_set(&o, OBS_VISIBLE, 4, dy, 0);
    }
    obs_set(&o, OBS_ENEMIES, 2, 0, 80);   /* d2 4, hidden */
    obs_set(&o, OBS_ENEMIES, 2, -1, 15);  /* d2 5, hidden */
    obs_set(&o, OBS_ENEMIES, 4, 4, 3);    /* d2 32, hidden */
    obs_set(&o, OBS_ENEMIES, -3, -2, 60); /* d2 13, seen */
    obs_set(&o, OBS_ALLIES, 3, 1, 20);    /* hidden */
    obs_set(&o, OBS_ALLIES, 0, 1, 20);    /* seen */
    obs_set(&o, OBS_RESOURCES, 4, 0, 9);  /* hidden */
    obs_set(&o, OBS_RESOURCES, -4, 4, 9); /* seen */
    obs_set(&o, OBS_RESOURCES, 0, -4, 2); /* seen */
    struct perception p = perceive(&o);
    expect(&p, 1, 1, 2, sqrtf(13.0f), ratio(6, 81), ratio(81 - 27, 81));
    obs_free(&o);
}

/* Several enemies seen: the nearest is the smallest squared distance, not the first. */
static void nearest_of_several(void **state)
{
    (void)state;
    struct obs o;
    obs_init(&o, 5, OBS_CHANNELS);
    obs_fill(&o, OBS_VISIBLE, 1);
    obs_set(&o, OBS_ENEMIES, -5, -5, 1); /* d2 50, first in (row, col) order */
    obs_set(&o, OBS_ENEMIES, 3, 0, 1);   /* d2 9 */
    obs_set(&o, OBS_ENEMIES, -2, 2, 1);  /* d2 8: the nearest */
    obs_set(&o, OBS_ENEMIES, 0, 5, 1);   /* d2 25, last */
    obs_set(&o, OBS_VISIBLE, 1, 1, 0);
    obs_set(&o, OBS_ENEMIES, 1, 1, 1);   /* d2 2, but hidden */
    struct perception p = perceive(&o);
    expect(&p, 0, 4, 0, sqrtf(8.0f), ratio(5, 121), ratio(120, 121));
    obs_free(&o);
}

/* Enemies at one distance on four sides, and an enemy and an ally sharing cells. */
static void ties(void **state)
{
    (void)state;
    struct obs o;
    obs_init(&o, 3, OBS_CHANNELS);
    obs_fill(&o, OBS_VISIBLE, 1);
    obs_set(&o, OBS_ENEMIES, 1, 2, 10);  /* d2 5, four times */
    obs_set(&o, OBS_ENEMIES, -2, 1, 10);
    obs_set(&o, OBS_ENEMIES, -1, -2, 10);
    obs_set(&o, OBS_ENEMIES, 2, -1, 10);
    obs_set(&o, OBS_ALLIES, 1, 2, 10);   /* shares two enemy cells */
    obs_set(&o, OBS_ALLIES, 2, -1, 10);
    obs_set(&o, OBS_ALLIES, 0, 0, 10);   /* a team mate on its cell */
    struct perception p = perceive(&o);
    expect(&p, 3, 4, 0, sqrtf(5.0f), ratio(5, 49), 1.0f);

    obs_set(&o, OBS_ENEMIES, 0, 0, 10);  /* an enemy on its own cell: distance 0 */
    p = perceive(&o);
    expect(&p, 3, 5, 0, 0.0f, ratio(5, 49), 1.0f);
    obs_free(&o);
}

/* Without VISIBLE every cell is seen; without a channel, it is all zero. */
static void fewer_channels(void **state)
{
    (void)state;
    static const struct {
        uint32_t channels, allies, enemies, resources, crowded;
        float nearest;
    } want[] = {
        {5, 2, 2, 1, 3, 2.0f}, /* no VISIBLE: the enemy at d2 4 counts */
        {4, 2, 2, 1, 3, 2.0f},
        {3, 2, 2, 0, 3, 2.0f},
        {2, 2, 0, 0, 2, -1.0f},
        {1, 0, 0, 0, 0, -1.0f},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        uint32_t nch = want[i].channels;
        struct obs o;
        obs_init(&o, 2, nch);
        obs_set(&o, OBS_SELF, 0, 0, 1);
        if (nch > OBS_ALLIES) {
            obs_set(&o, OBS_ALLIES, -1, -1, 4);
            obs_set(&o, OBS_ALLIES, 2, 2, 4);
        }
        if (nch > OBS_ENEMIES) {
            obs_set(&o, OBS_ENEMIES, 0, 2, 9);
            obs_set(&o, OBS_ENEMIES, 2, 2, 9);
        }
        if (nch > OBS_RESOURCES)
            obs_set(&o, OBS_RESOURCES, 1, 0, 3);
        if (nch > OBS_OBSTACLES)
            obs_set(&o, OBS_OBSTACLES, 1, 1, 1);
        struct perception p = perceive(&o);
        expect(&p, want[i].allies, want[i].enemies, want[i].resources, want[i].nearest,
               ratio(want[i].crowded, 25), 1.0f);
        obs_free(&o);
    }
}

/* A window of one cell. */
static void radius_zero(void **state)
{
    (void)state;
    struct obs o;
    obs_init(&o, 0, OBS_CHANNELS);
    obs_set(&o, OBS_SELF, 0, 0, 100);
    obs_set(&o, OBS_VISIBLE, 0, 0, 1);
    struct perception p = perceive(&o);
    expect(&p, 0, 0, 0, -1.0f, 0.0f, 1.0f);

    obs_set(&o, OBS_ENEMIES, 0, 0, 35);
    obs_set(&o, OBS_ALLIES, 0, 0, 2);
    obs_set(&o, OBS_RESOURCES, 0, 0, 6);
    p = perceive(&o);
    expect(&p, 1, 1, 1, 0.0f, 1.0f, 1.0f);
    obs_free(&o);

    obs_init(&o, 0, 3); /* and without VISIBLE */
    obs_set(&o, OBS_ENEMIES, 0, 0, 35);
    p = perceive(&o);
    expect(&p, 0, 1, 0, 0.0f, 1.0f, 1.0f);
    obs_free(&o);
}

/* A random observation (spatial.h's generator): what observe.c could build (whole healths, 0/1 obstacles and
 * visibility), at densities from empty to full, so that runs of every length meet. */
static void random_obs(struct obs *o, uint64_t *rng)
{
    uint32_t radius = spatial_rand(rng) % 8 == 0 ? (uint32_t)(spatial_rand(rng) % 65)
                                                 : (uint32_t)(spatial_rand(rng) % 7);
    uint32_t channels = 1 + (uint32_t)(spatial_rand(rng) % OBS_CHANNELS);
    if (spatial_rand(rng) % 2)
        channels = OBS_CHANNELS; /* the usual case, half the time */
    obs_init(o, radius, channels);
    double density[OBS_CHANNELS];
    for (uint32_t c = 0; c < OBS_CHANNELS; c++)
        density[c] = spatial_rand(rng) % 5 == 0 ? (double)(spatial_rand(rng) % 2)
                                                : spatial_rand01(rng);
    uint32_t side = o->d.side;
    for (uint32_t c = 0; c < channels; c++)
        for (uint32_t row = 0; row < side; row++)
            for (uint32_t col = 0; col < side; col++) {
                float v = 0;
                if (c == OBS_SELF)
                    v = row == radius && col == radius ? (float)(1 + spatial_rand(rng) % 100)
                                                       : 0.0f;
                else if (spatial_rand01(rng) < density[c])
                    v = c >= OBS_OBSTACLES ? 1.0f : (float)(1 + spatial_rand(rng) % 300);
                o->d.v[((size_t)c * side + row) * side + col] = v;
            }
    if (channels > OBS_VISIBLE && spatial_rand(rng) % 2) /* the centre is visible, mostly */
        o->d.v[((size_t)OBS_VISIBLE * side + radius) * side + radius] = 1.0f;
}

static void dense_and_sparse_agree(void **state)
{
    (void)state;
    uint64_t rng = 20240611;
    for (int i = 0; i < 1000; i++) {
        struct obs o;
        random_obs(&o, &rng);
        o.zeros = i % 2;
        struct perception p = perceive(&o); /* fails on the first difference */
        uint32_t cells = o.d.side * o.d.side;
        assert_true(p.coverage >= 0.0f && p.coverage <= 1.0f);
        assert_true(p.local_density >= 0.0f && p.local_density <= 1.0f);
        assert_true(p.visible_allies <= cells && p.visible_enemies <= cells &&
                    p.visible_resources <= cells);
        assert_true(p.nearest_enemy == -1.0f ? p.visible_enemies == 0
                                             : p.visible_enemies > 0 && p.nearest_enemy >= 0);
        obs_free(&o);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alone_sees_nothing),
        cmocka_unit_test(nothing_seen),
        cmocka_unit_test(enemies_behind_obstacles),
        cmocka_unit_test(nearest_of_several),
        cmocka_unit_test(ties),
        cmocka_unit_test(fewer_channels),
        cmocka_unit_test(radius_zero),
        cmocka_unit_test(dense_and_sparse_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
