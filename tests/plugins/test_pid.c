/*
 * test_pid — an experiment whose iteration "time" is the id of the process
 * that ran it (modulo 1024, plus 1) (BHOST_MANUAL_TIME), so that the tests can tell which
 * repetitions shared a process (fresh_process, interleave, A/B). Its setup
 * can take a while (setup_ms), for the time-budget tests.
 */
#include <bhost/bhost.h>

#include <time.h>
#include <unistd.h>

static int setup(bhost_ctx *ctx, void **state)
{
    *state = NULL;
    int64_t ms = bhost_param_int(ctx, "setup_ms");
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    while (ms > 0 && nanosleep(&ts, &ts) != 0)
        ;
    return BHOST_OK;
}

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)state;
    /* Below 2048 a histogram keeps every value exactly; the processes of one test are
     * started within far fewer than 1024 process ids of each other. */
    bhost_set_iteration_time(ctx, 1 + (int64_t)(getpid() % 1024));
    return BHOST_OK;
}

static const struct bhost_param params[] = {
    {.name = "level", .type = BHOST_INT, .def = "1", .doc = "a value to sweep; unused"},
    {.name = "setup_ms", .type = BHOST_INT, .def = "0", .doc = "milliseconds setup sleeps"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_pid",
    .version = "1.0",
    .summary = "test plugin: each iteration's time is its process id",
    BHOST_PARAMS(params),
    .flags = BHOST_MANUAL_TIME,
    .setup = setup,
    .iterate = iterate,
};
