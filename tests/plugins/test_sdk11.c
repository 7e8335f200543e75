/*
 * test_sdk11 — an experiment that uses every service ABI 1.1 added, so that
 * the tests can check each one shows in results.json and the table:
 *
 *   - iterate_batch() counts a lookup per iteration, and every 1000th of a
 *     thread's lookups misses: bhost_failed(ctx, k, "key not found") for the
 *     k misses of a batch, which still counts its time;
 *   - "probes", a histogram of lookup lengths (unit "probes"): half of each
 *     batch's lookups took 1 probe, the rest 4;
 *   - items and bytes processed: one item and 64 bytes per lookup;
 *   - threads: thread_start/thread_end count themselves (counters
 *     thread_starts, thread_ends) and the gauge "threads" is the count;
 *   - an artifact "summary.txt" (text/plain) written in teardown;
 *   - bhost_do_not_optimize keeps the lookups' work;
 *   - a thread's iterate_batch() before its thread_start() (batch calibration
 *     included) sets the gauge "calls_before_thread_start": it must not exist;
 *   - parameter over_count: bhost_failed() says that many iterations more than
 *     the batch ran failed, a plugin bug the host must refuse.
 */
#include <bhost/bhost.h>

#include <stdio.h>
#include <stdlib.h>

#define MISS_EVERY 1000

struct state {
    uint64_t *lookups; /* per thread */
    int *started;      /* per thread: its thread_start() ran */
    int64_t over_count;
    double early_calls;
    bhost_hist *probes;
};

static int setup(bhost_ctx *ctx, void **out)
{
    struct state *s = calloc(1, sizeof *s);
    if (!s)
        return bhost_fail(ctx, "out of memory");
    s->lookups = calloc(bhost_thread_count(ctx), sizeof *s->lookups);
    s->started = calloc(bhost_thread_count(ctx), sizeof *s->started);
    s->over_count = bhost_param_int(ctx, "over_count");
    s->probes = bhost_histogram_with(ctx, "probes", BHOST_HIST_OPTIONS(.unit = "probes",
                                                                     .highest = 1000));
    bhost_gauge_set(ctx, "threads", bhost_thread_count(ctx));
    *out = s;
    return s->lookups && s->started ? BHOST_OK : bhost_fail(ctx, "out of memory");
}

static int thread_start(bhost_ctx *ctx, void *state)
{
    struct state *s = state;
    s->started[bhost_thread_index(ctx)] = 1;
    bhost_counter_add(ctx, "thread_starts", 1);
    return BHOST_OK;
}

static int thread_end(bhost_ctx *ctx, void *state)
{
    (void)state;
    bhost_counter_add(ctx, "thread_ends", 1);
    return BHOST_OK;
}

static int iterate_batch(bhost_ctx *ctx, void *state, uint64_t n)
{
    struct state *s = state;
    uint64_t *mine = &s->lookups[bhost_thread_index(ctx)], misses = 0, sum = 0;
    if (!s->started[bhost_thread_index(ctx)])
        bhost_gauge_set(ctx, "calls_before_thread_start", ++s->early_calls);
    for (uint64_t i = 0; i < n; i++) {
        sum += i * 2654435761u;
        misses += ++*mine % MISS_EVERY == 0;
    }
    bhost_do_not_optimize(sum);
    if (misses)
        bhost_failed(ctx, misses, "key not found");
    if (s->over_count)
        bhost_failed(ctx, n + (uint64_t)s->over_count, "more than ran");
    bhost_record_n(ctx, s->probes, 1, (int64_t)(n / 2));
    bhost_record_n(ctx, s->probes, 4, (int64_t)(n - n / 2));
    bhost_items_processed(ctx, (double)n);
    bhost_bytes_processed(ctx, 64.0 * (double)n);
    return BHOST_OK;
}

static void teardown(bhost_ctx *ctx, void *state)
{
    struct state *s = state;
    const char *path = bhost_artifact_path(ctx, "summary.txt", "text/plain");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (f) {
        fprintf(f, "threads=%u\n", (unsigned)bhost_thread_count(ctx));
        fclose(f);
    }
    free(s->lookups);
    free(s->started);
    free(s);
}

static const struct bhost_param params[] = {
    {.name = "over_count", .type = BHOST_INT, .def = "0", .min = "0",
     .doc = "iterations beyond the batch's that bhost_failed() claims failed"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_sdk11",
    .version = "1.0",
    .summary = "test plugin: every ABI 1.1 service",
    BHOST_PARAMS(params),
    .setup = setup,
    .iterate_batch = iterate_batch,
    .teardown = teardown,
    .thread_start = thread_start,
    .thread_end = thread_end,
};
