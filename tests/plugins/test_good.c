/*
 * test_good — a well-formed experiment with one parameter of every type.
 *
 * The tests use it to check that the host validates and passes parameters,
 * collects custom histograms, counters and gauges, and counts failed
 * iterations and failed setups.
 */
#include <bhost/bhost.h>

#include <stdlib.h>
#include <string.h>

struct good {
    int64_t count;
    double ratio;
    int flag;
    const char *label; /* the host's string, valid until teardown */
    int color;
    int64_t fail_every;
    int64_t n; /* iterations so far, the current one included */
    bhost_hist *custom;
};

static int good_setup(bhost_ctx *ctx, void **state)
{
    const char *label = bhost_param_str(ctx, "label");
    if (strcmp(label, "fail-setup") == 0)
        return bhost_fail(ctx, "setup refused: label=%s", label);

    struct good *g = calloc(1, sizeof(*g));
    if (!g)
        return bhost_fail(ctx, "out of memory");
    g->count = bhost_param_int(ctx, "count");
    g->ratio = bhost_param_float(ctx, "ratio");
    g->flag = bhost_param_bool(ctx, "flag");
    g->label = label;
    g->color = bhost_param_choice(ctx, "color");
    g->fail_every = bhost_param_int(ctx, "fail_every");
    g->custom = bhost_histogram(ctx, "custom");

    bhost_gauge_set(ctx, "count_param", (double)g->count);
    bhost_gauge_set(ctx, "choice_index", (double)g->color);
    *state = g;
    return BHOST_OK;
}

static int good_iterate(bhost_ctx *ctx, void *state)
{
    struct good *g = state;

    g->n++;
    bhost_record(ctx, g->custom, g->count * 100);
    bhost_counter_add(ctx, "iterations_seen", 1);
    if (g->fail_every > 0 && g->n % g->fail_every == 0)
        return bhost_fail(ctx, "planned failure");
    return BHOST_OK;
}

static void good_teardown(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    free(state);
}

static const char *const colors[] = { "red", "green", "blue", NULL };

static const struct bhost_param params[] = {
    { .name = "count", .type = BHOST_INT, .def = "3", .min = "1", .max = "100",
      .unit = "items", .doc = "items per iteration" },
    { .name = "ratio", .type = BHOST_FLOAT, .def = "0.5", .min = "0", .max = "1",
      .doc = "a fraction" },
    { .name = "flag", .type = BHOST_BOOL, .def = "false", .doc = "a switch" },
    { .name = "label", .type = BHOST_STRING, .def = "hello",
      .doc = "free text; \"fail-setup\" makes setup fail" },
    { .name = "color", .type = BHOST_ENUM, .def = "green", .choices = colors,
      .doc = "one of three" },
    { .name = "fail_every", .type = BHOST_INT, .def = "0", .min = "0",
      .doc = "every Nth iteration fails, 0 never" },
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_good",
    .version = "1.0",
    .summary = "test plugin: one parameter of each type, custom metrics",
    BHOST_PARAMS(params),
    .setup = good_setup,
    .iterate = good_iterate,
    .teardown = good_teardown,
};
