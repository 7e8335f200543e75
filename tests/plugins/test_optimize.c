/*
 * test_optimize — a loop whose result nothing reads, built -O2, so that the
 * tests can check bhost_do_not_optimize() keeps it: with `keep`, the sum of
 * `n` terms is passed to it and each iteration's time grows with n; without,
 * the compiler may delete the loop, and the time does not.
 */
#include <bhost/bhost.h>

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)state;
    uint64_t n = (uint64_t)bhost_param_int(ctx, "n"), sum = 0;
    for (uint64_t i = 0; i < n; i++)
        sum += i * i;
    if (bhost_param_bool(ctx, "keep"))
        bhost_do_not_optimize(sum);
    /* A buffer written and never read: kept only with the clobber. */
    char buf[256];
    bhost_do_not_optimize(buf);
    for (int i = 0; i < 256; i++)
        buf[i] = (char)i;
    bhost_clobber_memory();
    return BHOST_OK;
}

static const struct bhost_param params[] = {
    {.name = "n", .type = BHOST_INT, .def = "1000", .min = "0", .doc = "terms summed"},
    {.name = "keep", .type = BHOST_BOOL, .def = "true", .doc = "pass the sum to the barrier"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_optimize",
    .version = "1.0",
    .summary = "test plugin: a loop the compiler may delete",
    BHOST_PARAMS(params),
    .iterate = iterate,
};
