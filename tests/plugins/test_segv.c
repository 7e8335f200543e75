/*
 * test_segv — an experiment whose iterate() dereferences a NULL pointer: a
 * real SIGSEGV, not a raised one. It exists so the tests can check that a
 * crashing point fails alone, with "SIGSEGV" as its reason, and the run goes on.
 */
#include <bhost/bhost.h>

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    volatile int *volatile p = NULL; /* volatile twice: neither the load nor the store can go */
    *p = 42;
    return BHOST_OK;
}

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_segv",
    .version = "1.0",
    .summary = "test plugin: iterate() segfaults",
    .iterate = iterate,
};
