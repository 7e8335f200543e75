/*
 * test_abi10 — a plugin built against the frozen ABI 1.0 header
 * (tests/sdk/abi-1.0), never against the current one: every later host
 * must keep loading and running it, threads included (its iterate() is
 * safe to run on several at once).
 */
#include <bhost/bhost.h>

#if BHOST_ABI_MINOR != 0
#error "test_abi10 must be built against the frozen ABI 1.0 header"
#endif

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)state;
    bhost_counter_add(ctx, "calls", 1);
    return BHOST_OK;
}

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_abi10",
    .version = "1.0",
    .summary = "test plugin: built against ABI 1.0",
    .iterate = iterate,
};
