/*
 * test_hang — an experiment whose iterate() never returns: it spins on a
 * volatile counter, burning CPU, until a signal from outside ends it. It
 * exists so the tests can check the per-point timeout ("timeout after N s"):
 * the host kills the point and goes on.
 */
#include <bhost/bhost.h>

static volatile unsigned long spins;

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    for (;;)
        spins++;
    return BHOST_OK; /* never reached; -Wreturn-type wants it */
}

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_hang",
    .version = "1.0",
    .summary = "test plugin: iterate() never returns",
    .iterate = iterate,
};
