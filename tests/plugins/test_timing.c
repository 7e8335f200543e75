/*
 * test_timing — an experiment that times itself (mode "manual": each
 * iteration says it took 1000 ns, or 2000 ns on thread 1) or pauses the
 * host's timer (mode "paused": 200 us of spinning inside a pause, then 5 us
 * outside it), so that the tests can check the host records what the
 * plugin says and leaves out what it pauses.
 */
#include <bhost/bhost.h>

static void spin_ns(bhost_ctx *ctx, uint64_t ns)
{
    uint64_t until = bhost_now_ns(ctx) + ns;
    while (bhost_now_ns(ctx) < until)
        ;
}

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)state;
    if (bhost_param_choice(ctx, "mode") == 0) {
        bhost_set_iteration_time(ctx, 1000 * (1 + (int64_t)bhost_thread_index(ctx)));
        return BHOST_OK;
    }
    bhost_pause_timing(ctx);
    spin_ns(ctx, 200000);
    bhost_resume_timing(ctx);
    spin_ns(ctx, 5000);
    return BHOST_OK;
}

static const char *const modes[] = {"manual", "paused", NULL};

static const struct bhost_param params[] = {
    {.name = "mode", .type = BHOST_ENUM, .def = "manual", .choices = modes,
     .doc = "manual: report 1000 ns (2000 on thread 1); paused: pause 200 us, count 5 us"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_timing",
    .version = "1.0",
    .summary = "test plugin: manual iteration times and paused timers",
    BHOST_PARAMS(params),
    .flags = BHOST_MANUAL_TIME | BHOST_PAUSES_TIMING,
    .iterate = iterate,
};
