/*
 * test_open_compat — an experiment that sets BHOST_OPEN_PARAMS (ABI 1.3) yet
 * says it runs on hosts of ABI 1.2, which would refuse the flag: the host
 * must refuse it and say how to fix it.
 */
#include <bhost/bhost.h>

static int open_compat_iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    return BHOST_OK;
}

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER_COMPAT(BHOST_EXPERIMENT, 2),
    .name = "test_open_compat",
    .version = "1.0",
    .summary = "test plugin: BHOST_OPEN_PARAMS on a descriptor for 1.2 hosts, must be refused",
    .iterate = open_compat_iterate,
    .flags = BHOST_OPEN_PARAMS,
};
