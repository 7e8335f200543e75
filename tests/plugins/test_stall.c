/*
 * test_stall.c — an experiment whose iterations return at once, but one:
 * call number `stall_at` (0-based, counted over the point's iterate() calls,
 * so run it with warmup: 0 to count measured iterations only) sleeps for
 * `stall_ms`. The open-loop tests use it: on a schedule, the iterations
 * queued behind the stall show it in "response"; "iteration" shows it once.
 * With `claim_response`, setup() asks for the host's reserved histogram
 * "response", which must fail the point.
 */
#include <bhost/bhost.h>

#include <errno.h>
#include <stdlib.h>
#include <time.h>

struct state {
    uint64_t calls;
    uint64_t stall_at;
    int64_t stall_ms;
};

static int setup(bhost_ctx *ctx, void **out)
{
    struct state *s = calloc(1, sizeof *s);
    if (!s)
        return bhost_fail(ctx, "out of memory");
    s->stall_at = (uint64_t)bhost_param_int(ctx, "stall_at");
    s->stall_ms = bhost_param_int(ctx, "stall_ms");
    if (bhost_param_bool(ctx, "claim_response"))
        bhost_histogram(ctx, "response");
    *out = s;
    return BHOST_OK;
}

static void sleep_ms(int64_t ms)
{
    struct timespec left = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        continue;
}

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    struct state *s = state;
    if (s->calls++ == s->stall_at)
        sleep_ms(s->stall_ms);
    return BHOST_OK;
}

static void teardown(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    free(state);
}

static const struct bhost_param params[] = {
    {.name = "stall_at", .type = BHOST_INT, .def = "500", .min = "0",
     .doc = "the iterate() call (0-based, warm-up included) that stalls"},
    {.name = "stall_ms", .type = BHOST_INT, .def = "100", .min = "0", .max = "60000",
     .unit = "ms", .doc = "how long that call sleeps"},
    {.name = "claim_response", .type = BHOST_BOOL, .def = "false",
     .doc = "setup() asks for the reserved histogram \"response\""},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_stall",
    .version = "1.0",
    .summary = "test plugin: one iteration sleeps, the others return at once",
    BHOST_PARAMS(params),
    .setup = setup,
    .iterate = iterate,
    .teardown = teardown,
};
