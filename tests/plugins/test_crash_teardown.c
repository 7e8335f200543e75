/*
 * test_crash_teardown — an experiment whose iterations all succeed and whose
 * teardown() calls abort(). It exists so the tests can check the outcome of
 * a point whose measurements were all done when its process died.
 */
#include <bhost/bhost.h>

#include <stdlib.h>

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    return BHOST_OK;
}

static void teardown(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    abort();
}

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_crash_teardown",
    .version = "1.0",
    .summary = "test plugin: teardown() aborts",
    .iterate = iterate,
    .teardown = teardown,
};
