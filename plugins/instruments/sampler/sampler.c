/*
 * sampler — a statistical CPU profiler of each sweep point: where its
 * threads spend their time during the measured iterations, as a top table,
 * collapsed stacks, a speedscope profile and a flame graph.
 *
 * From point_start to point_end every thread of the point's process is
 * sampled (its own collector thread excepted), by the kernel through
 * perf_event_open where it allows (no signal, no work in the sampled
 * threads), else by per-thread timer signals (source.h). The collector
 * unwinds each sample as it comes (unwind.h); point_end symbolises the
 * distinct addresses (symbols.h), builds the profile (build.h) and writes
 * it out. docs/plugins.md says what each figure means; docs/profiling.md
 * walks through a profile.
 */
#define _GNU_SOURCE

#include "build.h"
#include "collector.h"
#include "pauses.h"
#include "profile.h"
#include "source.h"
#include "symbols.h"
#include "top.h"
#include "unwind.h"

#include <bhost/bhost.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum mode { MODE_CPU = 0, MODE_WALL = 1 };
enum method { METHOD_AUTO = 0, METHOD_PERF = 1, METHOD_SIGNAL = 2 };

/* One point's profiling, from point_start to point_end. */
struct session {
    struct source_config cfg;
    struct collector collector;
    int collector_up;
    const struct source_ops *ops;
    void *src;
    char method[400];          /* how it samples, for the notes */
    struct pause_log pauses;   /* the measured threads' pauses between repetitions */
    uint32_t top;
};

static int fail_oom(bhost_ctx *ctx)
{
    return bhost_fail(ctx, "out of memory");
}

/* The instrument's state: the session of the point under way (one at a time per process). */
struct sampler {
    struct session *current;
};

static int run_start(bhost_ctx *ctx, void **state)
{
    struct sampler *sp = calloc(1, sizeof *sp);
    if (!sp)
        return fail_oom(ctx);
    *state = sp;
    return BHOST_OK;
}

static void run_end(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    free(state);
}

/* Opens the source the parameters ask for; on "auto", the signal source where perf's is
 * refused, saying why in the method note. */
static int open_source(bhost_ctx *ctx, struct session *s, const int64_t *tids, size_t n)
{
    enum method m = (enum method)bhost_param_choice(ctx, "method");
    char why[256] = "", perf_why[256] = "";
    if (m == METHOD_PERF || (m == METHOD_AUTO && !s->cfg.wall)) {
        s->ops = &source_perf;
        s->src = source_perf.open(&s->cfg, tids, n, perf_why, sizeof perf_why);
        if (s->src) {
            snprintf(s->method, sizeof s->method, "%s", source_perf.describe(s->src));
            return BHOST_OK;
        }
        if (m == METHOD_PERF)
            return bhost_fail(ctx, "method perf: %s", perf_why);
    }
    s->ops = &source_signal;
    s->src = source_signal.open(&s->cfg, tids, n, why, sizeof why);
    if (!s->src)
        return bhost_fail(ctx, "cannot sample: %s%s%s", why, *perf_why ? "; and " : "",
                          perf_why);
    snprintf(s->method, sizeof s->method, "%s%s%s%s", source_signal.describe(s->src),
             *perf_why ? " (perf_event_open was refused: " : "", perf_why,
             *perf_why ? ")" : "");
    return BHOST_OK;
}

static void end_session(struct session *s)
{
    if (s->collector_up) {
        collector_end(&s->collector);
        unwinder_free(s->collector.unwinder);
        collector_fini(&s->collector);
    }
    if (s->src)
        s->ops->close(s->src);
    free(s->pauses.threads);
    free(s);
}

static int point_start(bhost_ctx *ctx, void *state)
{
    struct sampler *sp = state;
    struct session *s = calloc(1, sizeof *s);
    if (!s)
        return fail_oom(ctx);
    s->cfg = (struct source_config){
        .rate_hz = (uint32_t)bhost_param_int(ctx, "rate_hz"),
        .stack_bytes = (uint32_t)bhost_param_int(ctx, "stack_bytes") & ~7u,
        .wall = bhost_param_choice(ctx, "mode") == MODE_WALL};
    s->top = (uint32_t)bhost_param_int(ctx, "top");
    s->pauses.nthreads = bhost_thread_count(ctx);
    s->pauses.threads = calloc(s->pauses.nthreads, sizeof *s->pauses.threads);
    if (!s->pauses.threads) {
        free(s);
        return fail_oom(ctx);
    }
    const char *why = NULL;
    struct unwinder *u = unwinder_new(&why);
    if (!u) {
        free(s->pauses.threads);
        free(s);
        bhost_unavailable(ctx, "samples", "%s", why);
        return BHOST_OK;
    }
    if (collector_begin(&s->collector, (uint32_t)bhost_param_int(ctx, "max_depth")) != 0) {
        unwinder_free(u);
        free(s->pauses.threads);
        free(s);
        return bhost_fail(ctx, "cannot start the collector thread: %s", strerror(errno));
    }
    s->collector.unwinder = u;
    s->collector.pauses = &s->pauses;
    s->collector_up = 1;
    size_t n;
    int64_t *tids = collector_threads(&s->collector, &n);
    int rc = open_source(ctx, s, tids, n);
    free(tids);
    if (rc != BHOST_OK) {
        end_session(s);
        return rc;
    }
    collector_run(&s->collector, s->ops, s->src);
    sp->current = s;
    return BHOST_OK;
}

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Each measured thread says who it is, and when the host's work between repetitions
 * begins and ends on it: the samples taken then are left out. */
static int thread_start(bhost_ctx *ctx, void *state)
{
    struct session *s = ((struct sampler *)state)->current;
    if (s)
        pause_log_thread(&s->pauses, bhost_thread_index(ctx), (int64_t)gettid());
    return BHOST_OK;
}

static int pause_hook(bhost_ctx *ctx, void *state)
{
    struct session *s = ((struct sampler *)state)->current;
    if (s)
        pause_log_pause(&s->pauses, bhost_thread_index(ctx), monotonic_ns());
    return BHOST_OK;
}

static int resume_hook(bhost_ctx *ctx, void *state)
{
    struct session *s = ((struct sampler *)state)->current;
    if (s)
        pause_log_resume(&s->pauses, bhost_thread_index(ctx), monotonic_ns());
    return BHOST_OK;
}

/* Writes one artifact with `write`; a file it cannot write is logged, not fatal. */
static void write_artifact(bhost_ctx *ctx, const char *name, const char *media_type,
                           const struct profile *p,
                           int (*write)(const struct profile *, FILE *, const void *),
                           const void *arg)
{
    const char *path = bhost_artifact_path(ctx, name, media_type);
    if (!path)
        return; /* no run directory (bhost validate), or the host said why */
    FILE *f = fopen(path, "w");
    int rc = f ? write(p, f, arg) : -1;
    int err = errno;
    if (f && fclose(f) != 0 && rc == 0) {
        rc = -1;
        err = errno;
    }
    if (rc != 0)
        bhost_log(ctx, BHOST_LOG_ERROR, "cannot write %s: %s", path, strerror(err));
}

static int write_collapsed(const struct profile *p, FILE *f, const void *arg)
{
    (void)arg;
    return profile_write_collapsed(p, f);
}

static int write_speedscope(const struct profile *p, FILE *f, const void *arg)
{
    (void)arg;
    return profile_write_speedscope(p, f, "bhost sampler");
}

static int write_flamegraph(const struct profile *p, FILE *f, const void *arg)
{
    return profile_write_flamegraph(p, f, arg);
}

/* The top functions, as a table shown after the run. */
static void report_top(bhost_ctx *ctx, const struct profile *p, uint32_t n)
{
    static const struct bhost_column columns[] = {
        {"function", NULL}, {"self", "%"}, {"total", "%"}, {"samples", ""}, {"module", NULL}};
    char title[96];
    snprintf(title, sizeof title, "Top functions by self time (sampler, %llu sample%s)",
             (unsigned long long)p->samples, p->samples == 1 ? "" : "s");
    bhost_table *t = bhost_table_get(ctx, "top", BHOST_TABLE_OPTIONS(
        BHOST_COLUMNS(columns), .flags = BHOST_TABLE_SHOW, .title = title));
    struct top_row *rows = calloc(n + 1, sizeof *rows);
    size_t k = rows && p->samples ? profile_top(p, rows, n) : 0;
    for (size_t i = 0; i < k; i++) {
        const struct profile_frame *f = &p->frames[rows[i].frame];
        static const char inlined[] = " [inlined]";
        char *name = malloc(strlen(f->name) + sizeof inlined);
        if (!name)
            break;
        strcpy(name, f->name);
        if (f->inlined)
            strcat(name, inlined);
        double total = (double)p->samples;
        bhost_table_row(ctx, t, (struct bhost_cell[]){
            BHOST_TEXT(name), BHOST_NUMBER(100.0 * (double)rows[i].self / total),
            BHOST_NUMBER(100.0 * (double)rows[i].total / total), BHOST_NUMBER(rows[i].self),
            BHOST_TEXT(f->module)});
        free(name);
    }
    free(rows);
}

static void report(bhost_ctx *ctx, struct session *s, const struct profile *p)
{
    struct source_losses losses;
    s->ops->losses(s->src, &losses);
    bhost_counter_add(ctx, "samples", (double)s->collector.samples);
    bhost_counter_add(ctx, "lost", (double)(losses.lost + s->collector.failed));
    bhost_counter_add(ctx, "truncated", (double)s->collector.truncated);
    bhost_gauge_set(ctx, "threads", (double)p->thread_count);
    if (s->ops == &source_perf)
        bhost_counter_add(ctx, "throttled", (double)losses.throttled);
    bhost_note(ctx, "method", "%s", s->method);
    bhost_note(ctx, "unwinder", "%s", unwinder_name());
    bhost_note(ctx, "symbols", "%s", symbolizer_name());
    if (s->collector.taken && s->collector.samples > s->collector.taken)
        bhost_note(ctx, "coarse", "%llu signals stood for %llu samples (%.1f each): %s",
                   (unsigned long long)s->collector.taken,
                   (unsigned long long)s->collector.samples,
                   (double)s->collector.samples / (double)s->collector.taken,
                   s->cfg.wall ? "a thread's timer expired again before its last signal was "
                                 "taken (the thread waited for a CPU), and one signal came for "
                                 "both"
                               : "the kernel checks CPU-time timers on its tick, so rates "
                                 "above its HZ come in steps of several periods");
    if (s->collector.left_out)
        bhost_note(ctx, "left_out", "%llu sample%s taken while the host worked outside the "
                                    "measured loops (between repetitions, or after the last: "
                                    "not the point's work) %s left out",
                   (unsigned long long)s->collector.left_out,
                   s->collector.left_out == 1 ? "" : "s",
                   s->collector.left_out == 1 ? "was" : "were");
    if (s->collector.samples == 0) {
        char period[32];
        source_period_text(s->cfg.rate_hz, period, sizeof period);
        bhost_note(ctx, "empty", "no sample fell in the measured iterations: they took less "
                                 "%s than one sampling period (%s)",
                   s->cfg.wall ? "time" : "CPU time", period);
    }
}

static int point_end(bhost_ctx *ctx, void *state)
{
    struct sampler *sp = state;
    struct session *s = sp->current;
    if (!s)
        return BHOST_OK; /* unavailable here: point_start said so */
    sp->current = NULL;
    collector_end(&s->collector);
    char why[256];
    struct symbolizer *sym = symbolizer_new(why, sizeof why);
    if (!sym) {
        end_session(s);
        return bhost_fail(ctx, "cannot symbolise the profile: %s", why);
    }
    const char *label = bhost_point_label(ctx);
    struct built_profile b;
    int rc = profile_build(&b, &s->collector.stacks, sym, label,
                           1e9 / (double)s->cfg.rate_hz);
    if (rc == 0) {
        const struct profile *p = &b.profile;
        char subtitle[256];
        snprintf(subtitle, sizeof subtitle, "%llu samples of %zu thread%s at %u Hz of %s time (%s)",
                 (unsigned long long)p->samples, p->thread_count, p->thread_count == 1 ? "" : "s",
                 (unsigned)s->cfg.rate_hz, s->cfg.wall ? "wall-clock" : "CPU", s->ops->name);
        struct flamegraph_options fg = {.title = label, .subtitle = subtitle};
        write_artifact(ctx, "profile.collapsed.txt", "text/plain", p, write_collapsed, NULL);
        write_artifact(ctx, "profile.speedscope.json", "application/json", p, write_speedscope,
                       NULL);
        write_artifact(ctx, "flamegraph.svg", "image/svg+xml", p, write_flamegraph, &fg);
        if (s->top)
            report_top(ctx, p, s->top);
        report(ctx, s, p);
    }
    profile_free(&b);
    symbolizer_free(sym);
    end_session(s);
    return rc == 0 ? BHOST_OK : fail_oom(ctx);
}

static const char *const modes[] = {"cpu", "wall", NULL};
static const char *const methods[] = {"auto", "perf", "signal", NULL};

static const struct bhost_param params[] = {
    {.name = "rate_hz", .type = BHOST_INT, .def = "997", .min = "1", .max = "20000",
     .unit = "Hz", .doc = "samples per second of each thread's CPU time (odd: no lock-step "
                          "with periodic work)"},
    {.name = "mode", .type = BHOST_ENUM, .def = "cpu", .choices = modes,
     .doc = "cpu: where threads burn CPU time; wall: where they spend wall-clock time, "
            "waiting included (timer signals)"},
    {.name = "method", .type = BHOST_ENUM, .def = "auto", .choices = methods,
     .doc = "auto: perf_event_open where allowed, else timer signals; or force one"},
    {.name = "max_depth", .type = BHOST_INT, .def = "128", .min = "4", .max = "1024",
     .unit = "frames", .doc = "deepest stack kept; deeper ones are cut at the root"},
    {.name = "stack_bytes", .type = BHOST_INT, .def = "16384", .min = "512", .max = "57344",
     .unit = "bytes", .doc = "stack copied per sample for unwinding (as perf's --call-graph "
                             "dwarf,N)"},
    {.name = "top", .type = BHOST_INT, .def = "20", .min = "0", .max = "1000",
     .unit = "functions", .doc = "rows of the top table printed after the run"},
};

/* When the spec is loaded: a combination no point could run. */
static int check(bhost_ctx *ctx)
{
    if (bhost_param_choice(ctx, "method") == METHOD_PERF &&
        bhost_param_choice(ctx, "mode") == MODE_WALL)
        return bhost_fail(ctx, "method perf samples CPU time only; mode wall needs method "
                               "signal (or auto, which takes it)");
    return BHOST_OK;
}

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_INSTRUMENT),
    .name = "sampler",
    .version = "1.0",
    .summary = "sampling CPU profiler: top functions, flame graph, speedscope and collapsed "
               "stacks per point",
    .doc = "Samples every thread of the point's process during the measured iterations, with "
           "perf_event_open (no signals; the kernel copies each stack) or, where that is "
           "refused, timer signals; unwinds with DWARF call-frame information, so code built "
           "without frame pointers unwinds; names static and inlined functions from ELF "
           "symbols and debug information. Per point it writes sampler.flamegraph.svg, "
           "sampler.profile.speedscope.json and sampler.profile.collapsed.txt, and a top table.",
    BHOST_PARAMS(params),
    .run_start = run_start,
    .point_start = point_start,
    .point_end = point_end,
    .run_end = run_end,
    .thread_start = thread_start,
    .pause = pause_hook,
    .resume = resume_hook,
    .check = check,
};
