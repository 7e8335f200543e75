/*
 * test_one_thread_compat — an experiment that sets BHOST_ONE_THREAD (ABI 1.2)
 * yet says it runs on hosts of ABI 1.1, which would refuse the flag: the host
 * must refuse it and say how to fix it.
 */
#include <bhost/bhost.h>

static int one_thread_iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    return BHOST_OK;
}

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER_COMPAT(BHOST_EXPERIMENT, 1),
    .name = "test_one_thread_compat",
    .version = "1.0",
    .summary = "test plugin: BHOST_ONE_THREAD on a descriptor for 1.1 hosts, must be refused",
    .iterate = one_thread_iterate,
    .flags = BHOST_ONE_THREAD,
};
