/*
 * resources — the point's process over time, as psutil would watch it:
 * resident memory, CPU, threads, descriptors, context switches and I/O,
 * sampled every `interval_ms` by a thread of its own from point_start()
 * (a first sample at once) to point_end() (a last one), and reported as a
 * series (one row per sample) and a summary (peaks, means, totals).
 *
 * The sampler leaves itself out: its thread, its descriptors, its CPU time,
 * its context switches and its reads of /proc are not in the figures.
 */
#include <bhost/bhost.h>

#include "sampling.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct bhost_column series_columns[] = {
    {"t_ms", "ms"},
    {"rss", "bytes"},
    {"cpu_user", "%"},
    {"cpu_system", "%"},
    {"threads", ""},
    {"fds", ""},
    {"voluntary_ctx_switches", ""},
    {"involuntary_ctx_switches", ""},
    {"io_read_bytes", "bytes"},
    {"io_write_bytes", "bytes"},
    {"io_read_chars", "bytes"},
    {"io_write_chars", "bytes"},
};

static const char *const io_metrics[] = {"io_read_bytes", "io_write_bytes", "io_read_chars",
                                         "io_write_chars"};

struct resources {
    struct sampling sampling;
    int sampling_error; /* errno of sampling_start() for the point under way, or 0 */
};

static int resources_run_start(bhost_ctx *ctx, void **state)
{
    *state = calloc(1, sizeof(struct resources));
    return *state ? BHOST_OK : bhost_fail(ctx, "out of memory");
}

static int resources_point_start(bhost_ctx *ctx, void *state)
{
    struct resources *s = state;
    uint64_t interval_ns = (uint64_t)bhost_param_int(ctx, "interval_ms") * 1000000u;
    s->sampling_error = sampling_start(&s->sampling, interval_ns);
    return BHOST_OK;
}

static double ms_between(uint64_t from_ns, uint64_t to_ns)
{
    return (double)(int64_t)(to_ns - from_ns) / 1e6;
}

/* CPU time over wall time, as a percentage of one CPU. */
static double cpu_pct(int64_t cpu_us, uint64_t from_ns, uint64_t to_ns)
{
    if (to_ns <= from_ns)
        return NAN;
    double pct = 100.0 * (double)cpu_us * 1e3 / (double)(to_ns - from_ns);
    return pct > 0 ? pct : 0; /* user and system are split apart by estimate: never below 0 */
}

/* One row per kept sample: counts since the first sample; CPU over the interval before. */
static void report_series(bhost_ctx *ctx, const struct sampling *sm)
{
    bhost_table *t = bhost_table_get(ctx, "series", BHOST_TABLE_OPTIONS(
        BHOST_COLUMNS(series_columns), .flags = BHOST_TABLE_SERIES,
        .title = "Resources of the point's process over time"));
    const struct proc_sample *first = &sm->first;
    for (size_t i = 0; i < sm->nkept; i++) {
        const struct proc_sample *s = &sm->kept[i], *prev = i ? &sm->kept[i - 1] : NULL;
        double io[4] = {NAN, NAN, NAN, NAN};
        if (s->have_io && first->have_io) {
            io[0] = (double)(s->read_bytes - first->read_bytes);
            io[1] = (double)(s->write_bytes - first->write_bytes);
            io[2] = (double)(s->read_chars - first->read_chars);
            io[3] = (double)(s->write_chars - first->write_chars);
        }
        bhost_table_row(ctx, t, (struct bhost_cell[]){
            BHOST_NUMBER(ms_between(first->t_ns, s->t_ns)),
            BHOST_NUMBER(s->have_stat ? (double)s->rss_bytes : NAN),
            BHOST_NUMBER(prev ? cpu_pct(s->user_us - prev->user_us, prev->t_ns, s->t_ns) : NAN),
            BHOST_NUMBER(prev ? cpu_pct(s->system_us - prev->system_us, prev->t_ns, s->t_ns)
                              : NAN),
            BHOST_NUMBER(s->have_stat ? (double)s->threads : NAN),
            BHOST_NUMBER(s->have_fds ? (double)s->fds : NAN),
            BHOST_NUMBER((double)(s->voluntary - first->voluntary)),
            BHOST_NUMBER((double)(s->involuntary - first->involuntary)),
            BHOST_NUMBER(io[0]), BHOST_NUMBER(io[1]), BHOST_NUMBER(io[2]), BHOST_NUMBER(io[3])});
    }
    if (sm->dropped)
        bhost_note(ctx, "series", "%zu samples are left out of the series (it keeps the first "
                   "%d); the summary counts every sample", sm->dropped, SAMPLING_MAX_KEPT);
}

static void unavailable_all(bhost_ctx *ctx, const char *const *names, size_t n, const char *why)
{
    for (size_t i = 0; i < n; i++)
        bhost_unavailable(ctx, names[i], "%s", why);
}

static void report_summary(bhost_ctx *ctx, const struct sampling *sm)
{
    const struct sampling_summary *sum = &sm->summary;
    const struct proc_sample *first = &sm->first, *last = &sm->last;
    const struct proc_files *f = &sm->files;
    char why[200];
    bhost_gauge_set(ctx, "samples", (double)sum->count);
    if (first->have_stat && last->have_stat) {
        bhost_gauge_set(ctx, "rss_peak_bytes", (double)sum->rss_peak);
        bhost_gauge_set(ctx, "rss_mean_bytes", sum->rss_sum / (double)sum->count);
        bhost_gauge_set(ctx, "threads_peak", sum->threads_peak);
    } else {
        snprintf(why, sizeof why, "/proc/self/stat: %s",
                 strerror(f->stat_error ? f->stat_error : EIO));
        unavailable_all(ctx, (const char *[]){"rss_peak_bytes", "rss_mean_bytes",
                                              "threads_peak"}, 3, why);
    }
    if (first->have_fds) {
        bhost_gauge_set(ctx, "fds_peak", sum->fds_peak);
    } else {
        snprintf(why, sizeof why, "/proc/self/fd: %s",
                 strerror(f->fd_dir_error ? f->fd_dir_error : EIO));
        bhost_unavailable(ctx, "fds_peak", "%s", why);
    }
    double user = cpu_pct(last->user_us - first->user_us, first->t_ns, last->t_ns);
    double system = cpu_pct(last->system_us - first->system_us, first->t_ns, last->t_ns);
    if (!isnan(user) && !isnan(system)) {
        bhost_gauge_set(ctx, "cpu_user_pct_mean", user);
        bhost_gauge_set(ctx, "cpu_system_pct_mean", system);
    }
    bhost_counter_add(ctx, "voluntary_ctx_switches", (double)(last->voluntary - first->voluntary));
    bhost_counter_add(ctx, "involuntary_ctx_switches",
                      (double)(last->involuntary - first->involuntary));
    if (first->have_io && last->have_io) {
        bhost_counter_add(ctx, "io_read_bytes", (double)(last->read_bytes - first->read_bytes));
        bhost_counter_add(ctx, "io_write_bytes", (double)(last->write_bytes - first->write_bytes));
        bhost_counter_add(ctx, "io_read_chars", (double)(last->read_chars - first->read_chars));
        bhost_counter_add(ctx, "io_write_chars", (double)(last->write_chars - first->write_chars));
    } else {
        snprintf(why, sizeof why, "/proc/self/io: %s", strerror(f->io_error ? f->io_error : EIO));
        unavailable_all(ctx, io_metrics, 4, why);
    }
}

static int resources_point_end(bhost_ctx *ctx, void *state)
{
    struct resources *s = state;
    if (s->sampling_error) {
        static const char *const all[] = {"samples", "rss_peak_bytes", "rss_mean_bytes",
                                          "threads_peak", "fds_peak", "cpu_user_pct_mean",
                                          "cpu_system_pct_mean", "voluntary_ctx_switches",
                                          "involuntary_ctx_switches", "io_read_bytes",
                                          "io_write_bytes", "io_read_chars", "io_write_chars"};
        char why[200];
        snprintf(why, sizeof why, "the sampling thread could not start: %s",
                 strerror(s->sampling_error));
        unavailable_all(ctx, all, sizeof all / sizeof all[0], why);
        return BHOST_OK;
    }
    sampling_stop(&s->sampling);
    report_series(ctx, &s->sampling);
    report_summary(ctx, &s->sampling);
    sampling_free(&s->sampling);
    return BHOST_OK;
}

static void resources_run_end(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    free(state);
}

static const struct bhost_param params[] = {
    {.name = "interval_ms", .type = BHOST_INT, .def = "100", .min = "1", .max = "3600000",
     .unit = "ms", .doc = "time between two samples"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_INSTRUMENT),
    .name = "resources",
    .version = "1.0",
    .summary = "the point's process sampled over time: memory, CPU, threads, descriptors, "
               "context switches, I/O (a series and its summary)",
    .doc = "A thread samples /proc/self and getrusage(2) every interval_ms from point_start "
           "to point_end (a sample at each end). The table `series` has a row per sample: "
           "t_ms, rss (bytes), cpu_user and cpu_system (% of one CPU over the interval "
           "before), threads, fds, and since the first sample voluntary and involuntary "
           "context switches and I/O bytes (io_read_bytes, io_write_bytes: storage; "
           "io_read_chars, io_write_chars: read and write calls). The summary: gauges samples, "
           "rss_peak_bytes, rss_mean_bytes, cpu_user_pct_mean, cpu_system_pct_mean, "
           "threads_peak, fds_peak; counters of the switches and I/O over the point. The "
           "sampler's own thread, descriptors, CPU, switches and reads are left out.",
    BHOST_PARAMS(params),
    .run_start = resources_run_start,
    .point_start = resources_point_start,
    .point_end = resources_point_end,
    .run_end = resources_run_end,
};
