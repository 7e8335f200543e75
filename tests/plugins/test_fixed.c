/*
 * test_fixed — an experiment whose every iteration "takes" exactly
 * TEST_FIXED_NS nanoseconds (BHOST_MANUAL_TIME), whatever the machine is
 * doing: built twice, as two builds of one plugin with a known ratio, it
 * lets the tests of comparisons, gates and the history (test_ci) judge real
 * runs that no load on the machine can make noisy.
 */
#include <bhost/bhost.h>

#ifndef TEST_FIXED_NS
#define TEST_FIXED_NS 1000
#endif

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)state;
    bhost_set_iteration_time(ctx, TEST_FIXED_NS);
    return BHOST_OK;
}

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_fixed",
    .version = "1.0",
    .summary = "test plugin: every iteration reports the same time, fixed when it is built",
    .flags = BHOST_MANUAL_TIME,
    .iterate = iterate,
};
