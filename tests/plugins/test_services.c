/*
 * test_services — an experiment that uses every host service and reports
 * what it got, so the tests can check each against the results: the seed
 * (gauges seed_hi and seed_lo, its two 32-bit halves), the point id and the
 * scratch directory (in an info log line), the clock (gauge clock_ok),
 * bhost_record_n into a histogram of its own ("values": `per_iteration`
 * values of 1000 ns each iteration), and a debug line only -v shows. A file
 * it leaves in its scratch directory must still be there at teardown.
 * `misuse` makes iterate() misuse the API the ways a careless plugin could:
 * records through NULL handles, logs at a level out of range, logs with no
 * format at all, or adds to a counter in an attached instrument's space.
 */
#include <bhost/bhost.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct services {
    bhost_hist *values;
    int64_t per_iteration;
    char misuse[32];
    char marker[4096];
};

static int setup(bhost_ctx *ctx, void **state)
{
    struct services *s = calloc(1, sizeof *s);
    if (!s)
        return bhost_fail(ctx, "out of memory");
    *state = s;
    uint64_t seed = bhost_seed(ctx);
    bhost_gauge_set(ctx, "seed_hi", (double)(seed >> 32));
    bhost_gauge_set(ctx, "seed_lo", (double)(seed & 0xffffffffu));
    uint64_t a = bhost_now_ns(ctx), b = bhost_now_ns(ctx);
    bhost_gauge_set(ctx, "clock_ok", a > 0 && b >= a);
    const char *dir = bhost_scratch_dir(ctx);
    if (!dir)
        return bhost_fail(ctx, "no scratch directory");
    snprintf(s->marker, sizeof s->marker, "%s/marker", dir);
    FILE *f = fopen(s->marker, "w");
    if (!f || fclose(f) != 0)
        return bhost_fail(ctx, "cannot write in the scratch directory %s", dir);
    bhost_log(ctx, BHOST_LOG_INFO, "point %s scratch %s", bhost_point_id(ctx), dir);
    bhost_log(ctx, BHOST_LOG_DEBUG, "a debug line for point %s", bhost_point_id(ctx));
    s->values = bhost_histogram(ctx, "values");
    s->per_iteration = bhost_param_int(ctx, "per_iteration");
    snprintf(s->misuse, sizeof s->misuse, "%s", bhost_param_str(ctx, "misuse"));
    return BHOST_OK;
}

/* bhost_log() without its format check, so that a NULL format compiles. */
static void log_unchecked(bhost_ctx *ctx, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ctx->api->logv(ctx, level, fmt, ap);
    va_end(ap);
}

static int iterate(bhost_ctx *ctx, void *state)
{
    struct services *s = state;
    bhost_record_n(ctx, s->values, 1000, s->per_iteration);
    if (strcmp(s->misuse, "null_handles") == 0) {
        bhost_record(ctx, NULL, 1000);
        bhost_record_n(ctx, NULL, 1000, 3);
    } else if (strcmp(s->misuse, "odd_level") == 0) {
        log_unchecked(ctx, -1, "a line at level -1");
    } else if (strcmp(s->misuse, "null_format") == 0) {
        log_unchecked(ctx, BHOST_LOG_INFO, NULL);
    } else if (strcmp(s->misuse, "instrument_space") == 0) {
        bhost_counter_add(ctx, "rusage.user_cpu_s", 1e9);
    }
    return BHOST_OK;
}

static void teardown(bhost_ctx *ctx, void *state)
{
    struct services *s = state;
    FILE *f = fopen(s->marker, "r");
    bhost_gauge_set(ctx, "scratch_kept", f != NULL);
    if (f)
        fclose(f);
    free(s);
}

static const char *const misuses[] = {"none",        "null_handles",     "odd_level",
                                      "null_format", "instrument_space", NULL};

static const struct bhost_param params[] = {
    {.name = "misuse", .type = BHOST_ENUM, .def = "none", .choices = misuses,
     .doc = "how iterate() misuses the API"},
    {.name = "per_iteration", .type = BHOST_INT, .def = "5", .min = "1", .max = "1000",
     .doc = "values recorded with bhost_record_n per iteration"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_services",
    .version = "1.0",
    .summary = "test plugin: uses every host service and reports what it got",
    BHOST_PARAMS(params),
    .setup = setup,
    .iterate = iterate,
    .teardown = teardown,
};
