/*
 * my_new_benchmark — the experiment the seed suite's documentation uses as
 * its example, so that its example specs run unchanged (test_seed_specs):
 * param1, param2, and the keys of its nested `parameters:` mapping. Each
 * iteration spins for param1 microseconds' worth of a loop and counts.
 */
#include <bhost/bhost.h>

#include <string.h>

static int my_new_benchmark_iterate(bhost_ctx *ctx, void *state)
{
    (void)state;
    volatile uint64_t x = 0;
    for (int64_t i = 0; i < bhost_param_int(ctx, "param1") * 100; i++)
        x += (uint64_t)i;
    bhost_counter_add(ctx, "custom_runs", bhost_param_bool(ctx, "custom_setting") ? 1 : 0);
    return BHOST_OK;
}

static const struct bhost_param params[] = {
    {.name = "param1", .type = BHOST_INT, .def = "100", .min = "0", .doc = "work per iteration"},
    {.name = "param2", .type = BHOST_STRING, .def = "", .doc = "any text"},
    {.name = "custom_setting", .type = BHOST_BOOL, .def = "false", .doc = "counts runs if true"},
    {.name = "test_mode", .type = BHOST_STRING, .def = "", .doc = "any text"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "my_new_benchmark",
    .version = "1.0",
    .summary = "test plugin: the seed suite's example experiment",
    BHOST_PARAMS(params),
    .iterate = my_new_benchmark_iterate,
};
