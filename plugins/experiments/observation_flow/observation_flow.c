/*
 * observation_flow — what it costs a multi-agent simulation to give every
 * agent its egocentric observation each step, by lookup and storage.
 *
 * A seeded world (plugins/common/observe/observe.h) of `agents` agents in
 * `teams` teams on a `world` x `world` grid with obstacles and resources.
 * One iteration is `steps` simulation steps; a step is observe_step() (every
 * agent moves, the `lookup` index follows) and then every agent's
 * observation, `channels` channels of (2 `radius` + 1)^2 cells, built into
 * one reused buffer, `dense` or `sparse`. Histograms: step (one whole step),
 * observation (one agent's). Counters per iteration: agents_observed,
 * entities_visited, cells_written, nodes_visited, candidates_checked. Gauge:
 * observation_bytes, an observation's mean size in its storage.
 *
 * The world comes from `data_seed`, not the point's seed, so that every
 * lookup and storage of a sweep works on the same world. In setup, a
 * reference world (brute lookup, dense storage) and the point's (its lookup,
 * its storage) are stepped `check_steps` times from that seed, and every
 * agent's observation checksum compared at each step: a difference fails the
 * point with the step, the agent and the first differing cell. With
 * `verify_every` N > 0, every Nth iteration compares the measured world's
 * observations with a brute, dense reference advanced as many steps, and
 * fails that iteration on a difference.
 */
#include <bhost/bhost.h>
#include "view.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef OBSERVATION_FLOW_NAME
#define OBSERVATION_FLOW_NAME "observation_flow"
#endif

struct flow_state {
    struct observe_config cfg;
    enum observe_form storage;
    uint32_t steps, verify_every;
    uint64_t iterations;
    struct observe_view run, ref; /* ref: brute and dense, opened by the first verify() */
    bhost_hist *step, *observation;
};

static const char *const channel_names[] = {"SELF", "ALLIES", "ENEMIES", "RESOURCES",
                                            "OBSTACLES", "VISIBLE"};
static const char *const lookups[] = {"brute", "kdtree", "quadtree", "grid", NULL};
static const char *const storages[] = {"dense", "sparse", NULL};

/* Agent id's observation into f's buffer; the test build gets one cell wrong on purpose
 * (agent 5's last sparse entry from the second step on), which the checks must catch. */
static int build(struct observe_view *f, uint32_t id, struct observe_counts *c)
{
    if (observe_view_build(f, id, c) != 0)
        return -1;
#ifdef OBSERVATION_FLOW_BROKEN
    if (f->form == OBSERVE_SPARSE && id == 5 && f->steps >= 2 && f->sparse.n > 1)
        f->sparse.e[f->sparse.n - 1].value += 1;
#endif
    return 0;
}

/* Every agent's observation in `f` against the reference's (both at the same step): 0, or
 * -1 with the first difference in why. */
static int compare(struct observe_view *ref, struct observe_view *f, const char *name, char *why,
                   size_t whylen)
{
    uint32_t n;
    observe_agents(f->w, &n);
    for (uint32_t id = 0; id < n; id++) {
        if (build(ref, id, NULL) != 0 || build(f, id, NULL) != 0) {
            snprintf(why, whylen, "out of memory building observations");
            return -1;
        }
        uint64_t want = observe_view_checksum(ref), got = observe_view_checksum(f);
        if (want == got)
            continue;
        int len = snprintf(why, whylen, "step %" PRIu64 ", agent %u: checksum %016" PRIx64
                           " (brute, dense), %016" PRIx64 " (%s)", f->steps, id, want, got,
                           name);
        const struct observe_dense *o = &ref->dense;
        for (uint32_t ch = 0; ch < o->channels; ch++)
            for (uint32_t row = 0; row < o->side; row++)
                for (uint32_t col = 0; col < o->side; col++) {
                    float a = observe_dense_at(o, ch, row, col), b = observe_view_at(f, ch, row, col);
                    if (a != b) {
                        snprintf(why + len, whylen - (size_t)len,
                                 "; first differing cell (channel %u %s, row %u, col %u): "
                                 "%g against %g", ch, channel_names[ch], row, col,
                                 (double)a, (double)b);
                        return -1;
                    }
                }
        return -1; /* same values, different checksums: the checksum's own fault */
    }
    return 0;
}

/* A reference world and one of the point's lookup and storage, from the same seed, stepped
 * `check_steps` times, compared at each step (and before the first). */
static int crosscheck(bhost_ctx *ctx, const struct flow_state *s, uint32_t check_steps,
                      const char *name)
{
    struct observe_config rcfg = s->cfg;
    rcfg.lookup = &spatial_brute;
    struct observe_view ref, f;
    char why[1024] = "";
    int rc = 0;
    if (observe_view_open(&ref, &rcfg, OBSERVE_DENSE, why, sizeof why) != 0)
        return bhost_fail(ctx, "the reference world: %s", why);
    if (observe_view_open(&f, &s->cfg, s->storage, why, sizeof why) != 0) {
        observe_view_close(&ref);
        return bhost_fail(ctx, "the world: %s", why);
    }
    for (uint32_t step = 0; rc == 0 && step <= check_steps; step++) {
        if (step > 0 && (observe_view_step(&ref, NULL) != 0 || observe_view_step(&f, NULL) != 0)) {
            snprintf(why, sizeof why, "out of memory stepping the world");
            rc = -1;
        }
        if (rc == 0)
            rc = compare(&ref, &f, name, why, sizeof why);
    }
    observe_view_close(&ref);
    observe_view_close(&f);
    return rc == 0 ? BHOST_OK : bhost_fail(ctx, "%s disagrees with brute, dense: %s", name, why);
}

static void flow_teardown(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    struct flow_state *s = state;
    if (!s)
        return;
    observe_view_close(&s->run);
    observe_view_close(&s->ref);
    free(s);
}

static int flow_setup(bhost_ctx *ctx, void **state)
{
    struct flow_state *s = calloc(1, sizeof *s);
    if (!s)
        return bhost_fail(ctx, "out of memory");
    *state = s;
    s->cfg = (struct observe_config){
        .world = (uint32_t)bhost_param_int(ctx, "world"),
        .agents = (uint32_t)bhost_param_int(ctx, "agents"),
        .teams = (uint32_t)bhost_param_int(ctx, "teams"),
        .obstacle_density = bhost_param_float(ctx, "obstacles"),
        .resource_density = bhost_param_float(ctx, "resources"),
        .radius = (uint32_t)bhost_param_int(ctx, "radius"),
        .channels = (uint32_t)bhost_param_int(ctx, "channels"),
        .seed = (uint64_t)bhost_param_int(ctx, "data_seed"),
        .lookup = spatial_find(bhost_param_str(ctx, "lookup")),
    };
    if (!s->cfg.lookup)
        return bhost_fail(ctx, "lookup %s is not built in", bhost_param_str(ctx, "lookup"));
    s->storage = (enum observe_form)bhost_param_choice(ctx, "storage");
    s->steps = (uint32_t)bhost_param_int(ctx, "steps");
    s->verify_every = (uint32_t)bhost_param_int(ctx, "verify_every");
    char name[64];
    snprintf(name, sizeof name, "%s, %s", s->cfg.lookup->name, storages[s->storage]);
    int rc = crosscheck(ctx, s, (uint32_t)bhost_param_int(ctx, "check_steps"), name);
    if (rc != BHOST_OK)
        return rc;
    char why[256];
    if (observe_view_open(&s->run, &s->cfg, s->storage, why, sizeof why) != 0)
        return bhost_fail(ctx, "the world: %s", why);
    s->step = bhost_histogram(ctx, "step");
    s->observation = bhost_histogram(ctx, "observation");
    return BHOST_OK;
}

/* The reference (opened now if need be) advanced to the measured world's step, then every
 * agent compared; `when` says which check this is. */
static int verify(bhost_ctx *ctx, struct flow_state *s, const char *when)
{
    char name[64], why[1024];
    if (!s->ref.w) {
        struct observe_config rcfg = s->cfg;
        rcfg.lookup = &spatial_brute;
        if (observe_view_open(&s->ref, &rcfg, OBSERVE_DENSE, why, sizeof why) != 0)
            return bhost_fail(ctx, "the reference world: %s", why);
    }
    while (s->ref.steps < s->run.steps)
        if (observe_view_step(&s->ref, NULL) != 0)
            return bhost_fail(ctx, "out of memory stepping the reference");
    snprintf(name, sizeof name, "%s, %s", s->cfg.lookup->name, storages[s->storage]);
    if (compare(&s->ref, &s->run, name, why, sizeof why) != 0)
        return bhost_fail(ctx, "%s: %s disagrees with brute, dense: %s", when, name, why);
    return BHOST_OK;
}

/* After the last repetition (thread_end, ABI 1.1): the world as the run left it, against a
 * reference stepped as far. */
static int flow_thread_end(bhost_ctx *ctx, void *state)
{
    struct flow_state *s = state;
    return bhost_param_bool(ctx, "check_end") ? verify(ctx, s, "at the end") : BHOST_OK;
}

static int flow_iterate(bhost_ctx *ctx, void *state)
{
    struct flow_state *s = state;
    struct observe_counts c = {0};
    uint64_t bytes = 0;
    for (uint32_t step = 0; step < s->steps; step++) {
        uint64_t t0 = bhost_now_ns(ctx);
        if (observe_view_step(&s->run, &c) != 0)
            return bhost_fail(ctx, "out of memory in a step");
        for (uint32_t id = 0; id < s->cfg.agents; id++) {
            uint64_t t1 = bhost_now_ns(ctx);
            int rc = build(&s->run, id, &c);
            bhost_record(ctx, s->observation, (int64_t)(bhost_now_ns(ctx) - t1));
            if (rc != 0)
                return bhost_fail(ctx, "out of memory building an observation");
            bytes += s->storage == OBSERVE_DENSE
                         ? (uint64_t)s->run.dense.channels * s->run.dense.side *
                               s->run.dense.side * sizeof(float)
                         : s->run.sparse.n * sizeof(struct observe_entry);
        }
        bhost_record(ctx, s->step, (int64_t)(bhost_now_ns(ctx) - t0));
    }
    uint64_t observed = (uint64_t)s->steps * s->cfg.agents;
    bhost_counter_add(ctx, "agents_observed", (double)observed);
    bhost_counter_add(ctx, "entities_visited", (double)c.entities_visited);
    bhost_counter_add(ctx, "cells_written", (double)c.cells_written);
    bhost_counter_add(ctx, "nodes_visited", (double)c.lookup.nodes_visited);
    bhost_counter_add(ctx, "candidates_checked", (double)c.lookup.candidates_checked);
    bhost_items_processed(ctx, observed);
    if (observed)
        bhost_gauge_set(ctx, "observation_bytes", (double)bytes / (double)observed);
    s->iterations++;
    if (s->verify_every && s->iterations % s->verify_every == 0) {
        char when[64];
        snprintf(when, sizeof when, "iteration %" PRIu64, s->iterations);
        return verify(ctx, s, when);
    }
    return BHOST_OK;
}

static const struct bhost_param params[] = {
    {.name = "agents", .type = BHOST_INT, .def = "200", .min = "1", .max = "100000",
     .unit = "agents", .doc = "agents in the world"},
    {.name = "world", .type = BHOST_INT, .def = "100", .min = "1", .max = "8192",
     .unit = "cells", .doc = "side of the square world"},
    {.name = "teams", .type = BHOST_INT, .def = "2", .min = "1", .max = "255",
     .doc = "teams; agent i is in team i % teams"},
    {.name = "obstacles", .type = BHOST_FLOAT, .def = "0.1", .min = "0", .max = "0.9",
     .doc = "the share of cells that are obstacles"},
    {.name = "resources", .type = BHOST_FLOAT, .def = "0.05", .min = "0", .max = "1",
     .doc = "the share of free cells holding a resource (1..10)"},
    {.name = "radius", .type = BHOST_INT, .def = "5", .min = "0", .max = "64", .unit = "cells",
     .doc = "R: an observation is (2R+1) x (2R+1) cells"},
    {.name = "channels", .type = BHOST_INT, .def = "6", .min = "1", .max = "6",
     .doc = "the first N of self, allies, enemies, resources, obstacles, visible"},
    {.name = "lookup", .type = BHOST_ENUM, .def = "grid", .choices = lookups,
     .doc = "the index finding agents near an agent: brute, kdtree, quadtree, grid"},
    {.name = "storage", .type = BHOST_ENUM, .def = "dense", .choices = storages,
     .doc = "dense: every cell as a float; sparse: the non-zero cells"},
    {.name = "steps", .type = BHOST_INT, .def = "1", .min = "1", .max = "1000000",
     .unit = "steps", .doc = "simulation steps per iteration"},
    {.name = "check_steps", .type = BHOST_INT, .def = "3", .min = "0", .max = "100000",
     .unit = "steps", .doc = "steps compared with brute, dense in setup (0: only the start)"},
    {.name = "verify_every", .type = BHOST_INT, .def = "0", .min = "0",
     .unit = "iterations", .doc = "compare with brute, dense every N iterations (0: never)"},
    {.name = "check_end", .type = BHOST_BOOL, .def = "true",
     .doc = "after the last repetition, compare the world with brute, dense stepped as far "
            "(it costs a brute-force replay of every step the point took)"},
    {.name = "data_seed", .type = BHOST_INT, .def = "1", .min = "0",
     .doc = "seed of the world and its steps: the same for every lookup and storage"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = OBSERVATION_FLOW_NAME,
    .version = "1.0",
    .summary = "every agent's egocentric multi-channel observation each step, by lookup "
               "(brute, kd-tree, quadtree, grid) and storage (dense, sparse)",
    .doc = "One iteration is `steps` simulation steps: every agent moves, then every "
           "agent's observation is built. Histograms: step, observation (ns). Counters per "
           "iteration: agents_observed, entities_visited, cells_written, nodes_visited, "
           "candidates_checked. Gauge: observation_bytes. In setup the lookup and storage "
           "are checked against brute, dense over check_steps steps, and at the end. "
           "docs/experiments/observation_flow.md.",
    BHOST_PARAMS(params),
    .flags = BHOST_ONE_THREAD, /* one world, stepped and read by every iteration */
    .setup = flow_setup,
    .iterate = flow_iterate,
    .teardown = flow_teardown,
    .thread_end = flow_thread_end,
};
