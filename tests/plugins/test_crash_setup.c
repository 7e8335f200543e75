/*
 * test_crash_setup — an experiment whose setup() raises SIGSEGV before any
 * iteration. It exists so the tests can check that a point crashing before
 * its first iteration fails with the signal's name.
 */
#include <bhost/bhost.h>

#include <signal.h>

static int setup(bhost_ctx *ctx, void **state)
{
    (void)ctx;
    (void)state;
    raise(SIGSEGV);
    return BHOST_OK;
}

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    return BHOST_OK;
}

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_crash_setup",
    .version = "1.0",
    .summary = "test plugin: setup() raises SIGSEGV",
    .setup = setup,
    .iterate = iterate,
};
