/*
 * test_bad_default — an experiment whose INT parameter defaults to "abc":
 * the host must refuse it at load, before any spec could use it.
 */
#include <bhost/bhost.h>

static int bad_default_iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    return BHOST_OK;
}

static const struct bhost_param params[] = {
    { .name = "size", .type = BHOST_INT, .def = "abc",
      .doc = "an integer with a default that is not one" },
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_bad_default",
    .version = "1.0",
    .summary = "test plugin: invalid default, must be refused",
    BHOST_PARAMS(params),
    .iterate = bad_default_iterate,
};
