/*
 * test_misuse.c — an experiment that asks for a parameter it never declared,
 * in the hook named by `where`. Its setup allocates, so under LeakSanitizer a
 * host that skipped teardown after a misuse in setup shows up as a leak.
 */
#include <bhost/bhost.h>

#include <stdlib.h>
#include <string.h>

struct state {
    char where[16];
};

static void misuse_if(bhost_ctx *ctx, const struct state *s, const char *hook)
{
    if (strcmp(s->where, hook) == 0)
        (void)bhost_param_int(ctx, "undeclared");
}

static int setup(bhost_ctx *ctx, void **out)
{
    struct state *s = calloc(1, sizeof *s);
    if (!s)
        return bhost_fail(ctx, "out of memory");
    strncpy(s->where, bhost_param_str(ctx, "where"), sizeof s->where - 1);
    *out = s;
    misuse_if(ctx, s, "setup");
    return BHOST_OK;
}

static int iterate(bhost_ctx *ctx, void *state)
{
    misuse_if(ctx, state, "iterate");
    return BHOST_OK;
}

static void teardown(bhost_ctx *ctx, void *state)
{
    misuse_if(ctx, state, "teardown");
    free(state);
}

static const char *const wheres[] = {"setup", "iterate", "teardown", NULL};

static const struct bhost_param params[] = {
    {.name = "where", .type = BHOST_ENUM, .def = "setup", .choices = wheres,
     .doc = "the hook that misuses the API"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_misuse",
    .version = "1.0",
    .summary = "test plugin: asks for an undeclared parameter",
    BHOST_PARAMS(params),
    .setup = setup,
    .iterate = iterate,
    .teardown = teardown,
};
