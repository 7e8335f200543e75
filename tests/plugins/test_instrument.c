/*
 * test_instrument — an instrument that counts the hooks the host calls, so
 * the tests can check it is called once per sweep point and that metrics
 * land on the point or on the run.
 */
#include <bhost/bhost.h>

#include <stdlib.h>

struct counts {
    const char *tag;
    int64_t starts;
    int64_t ends;
};

static int inst_run_start(bhost_ctx *ctx, void **state)
{
    struct counts *c = calloc(1, sizeof(*c));
    if (!c)
        return bhost_fail(ctx, "out of memory");
    c->tag = bhost_param_str(ctx, "tag");
    *state = c;
    return BHOST_OK;
}

static int inst_point_start(bhost_ctx *ctx, void *state)
{
    struct counts *c = state;
    (void)ctx;
    c->starts++;
    return BHOST_OK;
}

static int inst_point_end(bhost_ctx *ctx, void *state)
{
    struct counts *c = state;
    c->ends++;
    bhost_gauge_set(ctx, "points_seen", (double)c->ends);
    bhost_counter_add(ctx, "ends", 1);
    bhost_record(ctx, bhost_histogram(ctx, "hook"), 5);
    return BHOST_OK;
}

static void inst_run_end(bhost_ctx *ctx, void *state)
{
    struct counts *c = state;
    bhost_gauge_set(ctx, "run_points", (double)c->ends);
    bhost_log(ctx, BHOST_LOG_DEBUG, "tag %s: %lld points started, %lld ended",
              c->tag, (long long)c->starts, (long long)c->ends);
    free(c);
}

static const struct bhost_param params[] = {
    { .name = "tag", .type = BHOST_STRING, .def = "t", .doc = "any text" },
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_INSTRUMENT),
    .name = "test_instrument",
    .version = "1.0",
    .summary = "test plugin: counts instrument hook calls",
    BHOST_PARAMS(params),
    .run_start = inst_run_start,
    .point_start = inst_point_start,
    .point_end = inst_point_end,
    .run_end = inst_run_end,
};
