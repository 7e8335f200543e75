/*
 * noop — an experiment whose iteration does nothing.
 *
 * What it measures is the harness itself: the cost of one timed call into a
 * plugin. Subtract it from other experiments' figures, or watch it to see
 * whether the host's own overhead changed.
 */
#include <bhost/bhost.h>

static int noop_iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    return BHOST_OK;
}

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "noop",
    .version = "1.0",
    .summary = "does nothing: measures the harness's own per-iteration overhead",
    .doc = "Each iteration is an empty call, so its timings are the cost of "
           "the host timing one call into a plugin.",
    .iterate = noop_iterate,
};
