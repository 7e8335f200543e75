/*
 * test_leak — an experiment whose every iteration allocates `mib` MiB,
 * touches every page (so RSS grows) and drops the pointer. It exists so the
 * tests can check that a leaking point does not grow the host: its memory
 * goes with its process. Its points succeed.
 */
#include <bhost/bhost.h>

#include <stdlib.h>
#include <string.h>

/* The last block escapes here, so the compiler cannot drop malloc+memset;
 * every earlier block is unreachable: a true leak. */
static void *volatile last_block;

static int setup(bhost_ctx *ctx, void **state)
{
    int64_t *mib = malloc(sizeof *mib);
    if (!mib)
        return bhost_fail(ctx, "out of memory");
    *mib = bhost_param_int(ctx, "mib");
    *state = mib;
    return BHOST_OK;
}

static int iterate(bhost_ctx *ctx, void *state)
{
    size_t bytes = (size_t)*(const int64_t *)state << 20;
    if (bytes == 0)
        return BHOST_OK;
    void *p = malloc(bytes);
    if (!p)
        return bhost_fail(ctx, "malloc(%zu) failed", bytes);
    memset(p, 0xa5, bytes);
    last_block = p;
    return BHOST_OK;
}

static void teardown(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    free(state);
}

static const struct bhost_param params[] = {
    {.name = "mib", .type = BHOST_INT, .def = "1", .min = "0", .max = "64", .unit = "MiB",
     .doc = "MiB leaked per iteration"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_leak",
    .version = "1.0",
    .summary = "test plugin: leaks mib MiB per iteration",
    BHOST_PARAMS(params),
    .setup = setup,
    .iterate = iterate,
    .teardown = teardown,
};
