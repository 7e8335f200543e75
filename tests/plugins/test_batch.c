/*
 * test_batch.c — an experiment with only iterate_batch, for the host's batch
 * mode: every `fail_every`-th batch fails as a whole, and the gauge
 * "not_a_number" is NaN, which results must report as null.
 */
#include <bhost/bhost.h>

#include <math.h>
#include <stdlib.h>

struct state {
    uint64_t batches;
    int64_t fail_every;
    volatile uint64_t sink;
};

static int setup(bhost_ctx *ctx, void **out)
{
    struct state *s = calloc(1, sizeof *s);
    if (!s)
        return bhost_fail(ctx, "out of memory");
    s->fail_every = bhost_param_int(ctx, "fail_every");
    bhost_gauge_set(ctx, "not_a_number", NAN);
    *out = s;
    return BHOST_OK;
}

static int iterate_batch(bhost_ctx *ctx, void *state, uint64_t n)
{
    struct state *s = state;
    for (uint64_t i = 0; i < n; i++)
        s->sink += i;
    bhost_counter_add(ctx, "calls", 1);
    bhost_counter_add(ctx, "iterations", (double)n);
    if (s->fail_every > 0 && ++s->batches % (uint64_t)s->fail_every == 0)
        return bhost_fail(ctx, "planned batch failure");
    return BHOST_OK;
}

static void teardown(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    free(state);
}

static const struct bhost_param params[] = {
    {.name = "fail_every", .type = BHOST_INT, .def = "0", .min = "0",
     .doc = "every Nth batch fails, 0 never"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_batch",
    .version = "1.0",
    .summary = "test plugin: iterate_batch only, failing whole batches",
    BHOST_PARAMS(params),
    .setup = setup,
    .iterate_batch = iterate_batch,
    .teardown = teardown,
};
