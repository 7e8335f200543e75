/*
 * bhost.h — the bhost plugin SDK, ABI major 1.
 *
 * A bhost plugin is a shared object that exports one data symbol,
 * `bhost_plugin_v1`, a `struct bhost_plugin` that describes it: its name,
 * its parameters and its hooks. The host reads that descriptor without
 * calling into the plugin, in a scanning child process, so `bhost --list`
 * runs no plugin code beyond the static constructors the dynamic loader
 * itself runs, and a plugin that crashes there harms nothing else.
 * Constructors may run more than once (keep them trivial).
 *
 * There are two kinds of plugin:
 *
 *   experiments  measure something. Per sweep point the host calls setup()
 *                once, then iterate() (or iterate_batch()) for the warm-up
 *                and measured iterations of every repetition, timing each
 *                call into the histogram "iteration", then teardown().
 *
 *   instruments  observe an experiment. For each experiment they are
 *                attached to, the host calls run_start() once,
 *                point_start()/point_end() around each of its sweep points,
 *                and run_end() once at the end of the run.
 *
 * A minimal experiment:
 *
 *     #include <bhost/bhost.h>
 *
 *     static int work(bhost_ctx *ctx, void *state) { ... return BHOST_OK; }
 *
 *     static const struct bhost_param params[] = {
 *         { .name = "rows", .type = BHOST_INT, .def = "1000", .min = "1",
 *           .unit = "rows", .doc = "rows in the table" },
 *     };
 *
 *     BHOST_PLUGIN = {
 *         BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
 *         .name = "mytable", .version = "1.0", .summary = "...",
 *         BHOST_PARAMS(params),
 *         .iterate = work,
 *     };
 *
 * Versioning rules (docs/sdk.md has the full text):
 *   - The ABI major is in the symbol name. A host of major 1 looks only for
 *     `bhost_plugin_v1`; a plugin of another major is refused by name.
 *   - Within a major, structs only grow at their end. Every struct the host
 *     and plugin exchange carries its own size, and each side reads only the
 *     bytes the other declared: a field beyond that size is absent (0/NULL).
 *   - A plugin whose ABI minor is newer than the host's is refused unless its
 *     `min_host_minor` says it runs on the host's minor
 *     (BHOST_PLUGIN_HEADER_COMPAT).
 *   - Host services added in later minors are called through wrappers that
 *     check BHOST_API_HAS() first; a plugin may test for them itself.
 *
 * Threads (ABI 1.1): a point may run its measured iterations on several
 * threads at once (`threads:` in the spec). setup() and teardown() run once,
 * on one thread; iterate() runs on every thread, with the same state; each
 * thread has a context of its own, and bhost_thread_index() says which
 * thread it is. Every service may be called from any thread through that
 * thread's context: histograms and counters keep a copy per thread, merged
 * when the point ends, so recording takes no lock. The plugin's own state
 * is the plugin's to share safely. docs/sdk.md, "Threads", has the details.
 *
 * This header depends on nothing but the C library. It is C11; C++ code can
 * include it (extern "C"), though the descriptor macros need C++20's
 * designated initialisers.
 */
#ifndef BHOST_BHOST_H
#define BHOST_BHOST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Versions                                                                  */
/* ------------------------------------------------------------------------ */

#define BHOST_ABI_MAJOR 1
#define BHOST_ABI_MINOR 3

/* First four bytes of every descriptor: "bhos" read as a little-endian word. */
#define BHOST_MAGIC 0x736f6862u

/* The one symbol a plugin exports. Its name carries the ABI major. */
#define BHOST_ENTRY_SYMBOL bhost_plugin_v1
#define BHOST_ENTRY_NAME "bhost_plugin_v1"

#if defined(__GNUC__) || defined(__clang__)
#define BHOST_EXPORT __attribute__((visibility("default")))
#define BHOST_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define BHOST_EXPORT
#define BHOST_PRINTF(fmt, args)
#endif

/* Return values of hooks. */
#define BHOST_OK 0
#define BHOST_FAIL (-1)

/* ------------------------------------------------------------------------ */
/* Parameters                                                                */
/* ------------------------------------------------------------------------ */

enum bhost_type {
    BHOST_INT = 1,    /* int64_t; spec: 42, -7, 0x10 */
    BHOST_FLOAT = 2,  /* double;  spec: 0.5, 1e-3 */
    BHOST_BOOL = 3,   /* int 0/1; spec: true/false, yes/no, on/off */
    BHOST_STRING = 4, /* const char *; any scalar */
    BHOST_ENUM = 5    /* one of `choices`; read as string or as its index */
};

/*
 * One parameter. Defaults and bounds are written as they would be in a spec
 * ("1024", "0.25", "true", "wal"), so --list shows them verbatim; the host
 * checks them when it loads the plugin and refuses a plugin whose own
 * default does not validate.
 */
struct bhost_param {
    const char *name;            /* [a-z][a-z0-9_]*, unique in the plugin */
    uint32_t type;               /* enum bhost_type */
    uint32_t flags;              /* reserved: must be 0 (checked) */
    const char *def;             /* default; NULL: the spec must set it */
    const char *min;             /* INT/FLOAT inclusive bound; NULL: none */
    const char *max;             /* INT/FLOAT inclusive bound; NULL: none */
    const char *const *choices;  /* ENUM: NULL-terminated list */
    const char *unit;            /* "ns", "rows", "bytes"...; NULL: none */
    const char *doc;             /* one line */
};

/* ------------------------------------------------------------------------ */
/* The context the host passes to every hook                                 */
/* ------------------------------------------------------------------------ */

struct bhost_api;

/*
 * Owned by the host, valid for the duration of the hook it was passed to.
 * Plugins never allocate, copy or keep one; the host's private data follows
 * the public part. Frozen for all of major 1: it holds `api` and nothing
 * else a plugin may read, so it needs no size field.
 */
typedef struct bhost_ctx {
    const struct bhost_api *api;
} bhost_ctx;

/* A named histogram of one sweep point, from bhost_histogram(). */
typedef struct bhost_hist bhost_hist;

enum bhost_log_level {
    BHOST_LOG_ERROR = 0,
    BHOST_LOG_WARN = 1,
    BHOST_LOG_INFO = 2,
    BHOST_LOG_DEBUG = 3
};

/* ------------------------------------------------------------------------ */
/* The descriptor                                                            */
/* ------------------------------------------------------------------------ */

enum bhost_kind {
    BHOST_EXPERIMENT = 1,
    BHOST_INSTRUMENT = 2
};

struct bhost_plugin {
    /* The ABI header: these six fields keep their layout for all of major 1. */
    uint32_t magic;          /* BHOST_MAGIC */
    uint16_t abi_major;      /* BHOST_ABI_MAJOR the plugin was built with */
    uint16_t abi_minor;      /* BHOST_ABI_MINOR the plugin was built with */
    uint32_t size;           /* sizeof(struct bhost_plugin) as built */
    uint16_t min_host_minor; /* oldest host ABI minor this plugin runs on */
    uint16_t kind;           /* enum bhost_kind */

    /* Identity, shown by --list. */
    const char *name;        /* [a-z][a-z0-9_]*, what specs call it */
    const char *version;     /* the plugin's own version */
    const char *summary;     /* one line */
    const char *doc;         /* optional longer text */

    /* Parameters; the table's element size lets it grow in later minors. */
    const struct bhost_param *params;
    uint32_t param_count;
    uint32_t param_size;     /* sizeof(struct bhost_param) as built */

    /*
     * Experiment hooks. setup() may set *state for the others to use.
     * iterate() is one iteration; iterate_batch() runs `n` iterations and
     * is preferred when present: the host then times whole batches and
     * grows `n` until a batch is long enough to time well, which suits
     * bodies shorter than a microsecond. Return BHOST_OK, or the result of
     * bhost_fail(): in setup() that fails the sweep point, in an iteration
     * it counts one failed iteration and the point goes on.
     */
    int (*setup)(bhost_ctx *ctx, void **state);
    int (*iterate)(bhost_ctx *ctx, void *state);
    int (*iterate_batch)(bhost_ctx *ctx, void *state, uint64_t n);
    void (*teardown)(bhost_ctx *ctx, void *state);

    /*
     * Instrument hooks. run_start() may set *state. point_start() runs just
     * before the first measured iteration of a point (after setup() and
     * warm-up), point_end() just after the last, both in the process and
     * thread that run the point; one process runs one point at a time.
     * That process may be a child of the host's, with its own copy of
     * *state: what point hooks change in *state is not seen by run_end(),
     * so report per-point findings as metrics. Metrics from point hooks
     * belong to that point, metrics from run_start() and run_end() to the
     * run. A failing point_start() or point_end() fails the point.
     */
    int (*run_start)(bhost_ctx *ctx, void **state);
    int (*point_start)(bhost_ctx *ctx, void *state);
    int (*point_end)(bhost_ctx *ctx, void *state);
    void (*run_end)(bhost_ctx *ctx, void *state);

    /* ---- ABI 1.1: the fields below are absent (zero) in a 1.0 plugin. ---- */

    /* BHOST_MANUAL_TIME, BHOST_PAUSES_TIMING: what the measured loop must do for it. */
    uint32_t flags;

    /*
     * Called on every thread that runs a point's measured iterations, in that
     * thread, with its own context (bhost_thread_index()): for an experiment
     * after setup() and before its warm-up, and thread_end() after its last
     * repetition, before teardown(); for an instrument after point_start(),
     * just before the first measured iteration, and thread_end() just after
     * the last, before point_end(). With one thread, they run once, on it.
     * A failure fails the point.
     */
    int (*thread_start)(bhost_ctx *ctx, void *state);
    int (*thread_end)(bhost_ctx *ctx, void *state);

    /* ---- ABI 1.2: the fields below are absent (zero) in an older plugin. ---- */

    /*
     * Instruments: called on every thread that runs a point's measured
     * iterations, in that thread, just after each repetition's measured loop
     * (pause) and just before the next one's (resume). What the host does in
     * between (adding up the threads' figures, recording the repetition) is
     * not the point's: an instrument that counts per thread leaves it out. The
     * last repetition's pause() comes before thread_end(), so thread_end()
     * always finds the thread paused; with one repetition, pause() is called
     * once and resume() never. A failure fails the point.
     */
    int (*pause)(bhost_ctx *ctx, void *state);
    int (*resume)(bhost_ctx *ctx, void *state);

    /*
     * Checks parameter values that are each valid but not together (the
     * sampler's `method: perf` with `mode: wall`), when a spec is loaded:
     * by `bhost validate`, and by `bhost run` before any point runs. Called
     * once per sweep point for an experiment, once per attachment for an
     * instrument, in a child process of bhost's (a crash costs only the
     * check), with a context where only the parameter getters,
     * bhost_thread_count(), bhost_point_label(), bhost_fail() and
     * bhost_log() may be used. Return BHOST_OK, or bhost_fail(ctx, "why"):
     * the spec is then refused with the file, line and column of the
     * experiment or instrument, and the point. Keep it cheap and
     * side-effect free: it may run for every point of a large sweep.
     */
    int (*check)(bhost_ctx *ctx);
};

/* Flags (struct bhost_plugin's `flags`, ABI 1.1). */
/* Each iteration reports its own duration, bhost_set_iteration_time(), in place of the
 * host's timing of the call (Google Benchmark's UseManualTime). */
#define BHOST_MANUAL_TIME (1u << 0)
/* Iterations may call bhost_pause_timing()/bhost_resume_timing() (PauseTiming). */
#define BHOST_PAUSES_TIMING (1u << 1)
/* ABI 1.2: iterate() must not run on several threads at once (its state is not
 * shared safely): a spec that gives the experiment `threads:` above 1 is refused
 * when loaded. A plugin that sets it needs a host of ABI 1.2 or later. */
#define BHOST_ONE_THREAD (1u << 2)
/* ABI 1.3, experiments only: a spec may give this experiment parameters it does
 * not declare ("open" parameters), named as declared ones are. Each is a
 * string (any scalar; a list of them is an axis; a range's values are written
 * as numbers), read with bhost_param_str() and listed by bhost_param_extra().
 * For a plugin that passes values on without knowing them: exec's `{name}`
 * in a command line. Since nothing declares them, the plugin should refuse,
 * in check(), an open parameter it will not use (a typo). A plugin that sets
 * it needs a host of ABI 1.3 or later. */
#define BHOST_OPEN_PARAMS (1u << 3)

/* Fills the ABI header for a plugin that needs this SDK's minor. */
#define BHOST_PLUGIN_HEADER(kind_) \
    BHOST_PLUGIN_HEADER_COMPAT(kind_, BHOST_ABI_MINOR)

/*
 * Fills the ABI header for a plugin built with this SDK that also runs on
 * hosts as old as `oldest_minor`: it must then use only what that minor has
 * (guard later services with BHOST_API_HAS()).
 */
#define BHOST_PLUGIN_HEADER_COMPAT(kind_, oldest_minor)                   \
    .magic = BHOST_MAGIC, .abi_major = BHOST_ABI_MAJOR,                   \
    .abi_minor = BHOST_ABI_MINOR,                                         \
    .size = (uint32_t)sizeof(struct bhost_plugin),                        \
    .min_host_minor = (oldest_minor), .kind = (kind_)

/* Fills params, param_count and param_size from a static array. */
#define BHOST_PARAMS(array)                                               \
    .params = (array),                                                    \
    .param_count = (uint32_t)(sizeof(array) / sizeof((array)[0])),        \
    .param_size = (uint32_t)sizeof(struct bhost_param)

/* Defines the exported descriptor: `BHOST_PLUGIN = { ... };` */
#define BHOST_PLUGIN                                                      \
    BHOST_EXPORT extern const struct bhost_plugin BHOST_ENTRY_SYMBOL;     \
    BHOST_EXPORT const struct bhost_plugin BHOST_ENTRY_SYMBOL

/* ------------------------------------------------------------------------ */
/* Host services                                                             */
/* ------------------------------------------------------------------------ */

/*
 * What a histogram of values that are not times holds (ABI 1.1): its unit
 * and range. Zero fields take their defaults; `size` is
 * sizeof(struct bhost_hist_options) as built (BHOST_HIST_OPTIONS sets it).
 */
struct bhost_hist_options {
    uint32_t size;
    const char *unit;       /* "bytes", "items", "probes"...: [a-z][a-z0-9_/]*, at most 31
                               characters; "ns" (the default) makes it a time */
    int64_t lowest;         /* the smallest value told apart from 0 (default 1) */
    int64_t highest;        /* the largest value kept; larger ones record as it
                               (default 1 h in ns for times, 2^40 otherwise) */
    uint32_t digits;        /* significant decimal digits, 1 to 5 (default 3) */
};

#define BHOST_HIST_OPTIONS(...) \
    (&(const struct bhost_hist_options){.size = sizeof(struct bhost_hist_options), __VA_ARGS__})

/* A table a plugin fills with rows (ABI 1.2): bhost_table_get(). */
typedef struct bhost_table bhost_table;

/* One column of a table. */
struct bhost_column {
    const char *name;       /* [a-z][a-z0-9_]*, at most 31 characters */
    const char *unit;       /* NULL: the column holds text; "": numbers without a unit;
                               else the numbers' unit ("samples", "%", "bytes", "ms") */
};

/* What a table holds and how it is shown. `size` and `column_size` are
 * filled by BHOST_TABLE_OPTIONS. */
struct bhost_table_options {
    uint32_t size;
    uint32_t flags;         /* BHOST_TABLE_SHOW, BHOST_TABLE_SERIES */
    const char *title;      /* one line over the printed table; NULL: its name */
    const struct bhost_column *columns;
    uint32_t column_count;  /* 1 to 32 */
    uint32_t column_size;   /* sizeof(struct bhost_column) as built */
};

/* Printed after the run, under the point, unless -q (a profiler's top functions). */
#define BHOST_TABLE_SHOW (1u << 0)
/* A time series: rows in time order, the first column a time in ms since the point's
 * measured iterations began (a resource monitor's samples). Reports may chart it. */
#define BHOST_TABLE_SERIES (1u << 1)

#define BHOST_TABLE_OPTIONS(...)                                          \
    (&(const struct bhost_table_options){                                 \
        .size = sizeof(struct bhost_table_options),                       \
        .column_size = sizeof(struct bhost_column), __VA_ARGS__})

/* Fills columns and column_count from a static array. */
#define BHOST_COLUMNS(array)                                              \
    .columns = (array),                                                   \
    .column_count = (uint32_t)(sizeof(array) / sizeof((array)[0]))

/* One cell of a row: `text` for a text column (NULL: empty), `number` for the others.
 * Frozen for all of major 1. */
struct bhost_cell {
    const char *text;
    double number;
};

#define BHOST_TEXT(s) {.text = (s)}
#define BHOST_NUMBER(x) {.number = (double)(x)}

/*
 * The table of host functions. It only ever grows at its end; `size` is the
 * host's sizeof, so BHOST_API_HAS(api, field) tells whether this host has a
 * function. Call through the bhost_*() wrappers below rather than directly.
 */
struct bhost_api {
    uint32_t size;
    uint16_t abi_major;
    uint16_t abi_minor;

    int64_t (*param_int)(bhost_ctx *ctx, const char *name);
    double (*param_float)(bhost_ctx *ctx, const char *name);
    int (*param_bool)(bhost_ctx *ctx, const char *name);
    const char *(*param_str)(bhost_ctx *ctx, const char *name);
    int (*param_choice)(bhost_ctx *ctx, const char *name);

    bhost_hist *(*histogram)(bhost_ctx *ctx, const char *name);
    void (*record)(bhost_hist *hist, int64_t value_ns);
    void (*record_n)(bhost_hist *hist, int64_t value_ns, int64_t count);

    void (*counter_add)(bhost_ctx *ctx, const char *name, double delta);
    void (*gauge_set)(bhost_ctx *ctx, const char *name, double value);

    int (*failv)(bhost_ctx *ctx, const char *fmt, va_list ap);
    void (*logv)(bhost_ctx *ctx, int level, const char *fmt, va_list ap);

    uint64_t (*seed)(bhost_ctx *ctx);
    const char *(*scratch_dir)(bhost_ctx *ctx);
    const char *(*point_id)(bhost_ctx *ctx);
    uint64_t (*now_ns)(void);

    /* ---- ABI 1.1 ---- */
    void (*failedv)(bhost_ctx *ctx, uint64_t count, const char *fmt, va_list ap);
    void (*set_iteration_time)(bhost_ctx *ctx, int64_t ns);
    void (*pause_timing)(bhost_ctx *ctx);
    void (*resume_timing)(bhost_ctx *ctx);
    bhost_hist *(*histogram_with)(bhost_ctx *ctx, const char *name,
                                  const struct bhost_hist_options *options);
    void (*items_processed)(bhost_ctx *ctx, double items);
    void (*bytes_processed)(bhost_ctx *ctx, double bytes);
    uint32_t (*thread_index)(bhost_ctx *ctx);
    uint32_t (*thread_count)(bhost_ctx *ctx);
    const char *(*artifact_path)(bhost_ctx *ctx, const char *name, const char *media_type);

    /* ---- ABI 1.2 ---- */
    void (*unavailablev)(bhost_ctx *ctx, const char *name, const char *fmt, va_list ap);
    void (*notev)(bhost_ctx *ctx, const char *name, const char *fmt, va_list ap);
    bhost_table *(*table_get)(bhost_ctx *ctx, const char *name,
                              const struct bhost_table_options *options);
    void (*table_row)(bhost_ctx *ctx, bhost_table *table, const struct bhost_cell *cells);
    const char *(*point_label)(bhost_ctx *ctx);

    /* ---- ABI 1.3 ---- */
    const char *(*param_extra)(bhost_ctx *ctx, uint32_t index);
};

#define BHOST_API_HAS(api, field)                                         \
    ((api)->size >= offsetof(struct bhost_api, field) + sizeof((api)->field))

/* --- Parameters: typed values, defaults already filled and validated. --- */

/* Asking for a name the plugin did not declare, or with the wrong type,
 * is a plugin bug: the call returns 0 (or "" for strings, never NULL), and
 * when the hook returns the host fails the sweep point, naming the call. */
static inline int64_t bhost_param_int(bhost_ctx *ctx, const char *name)
{ return ctx->api->param_int(ctx, name); }

static inline double bhost_param_float(bhost_ctx *ctx, const char *name)
{ return ctx->api->param_float(ctx, name); }

static inline int bhost_param_bool(bhost_ctx *ctx, const char *name)
{ return ctx->api->param_bool(ctx, name); }

/* STRING and ENUM parameters; valid until teardown()/run_end(). */
static inline const char *bhost_param_str(bhost_ctx *ctx, const char *name)
{ return ctx->api->param_str(ctx, name); }

/* ENUM parameters: the index of the value in `choices`. */
static inline int bhost_param_choice(bhost_ctx *ctx, const char *name)
{ return ctx->api->param_choice(ctx, name); }

/* --- Histograms: values in nanoseconds, 1 ns .. 1 h, 3 significant digits. */

/* The histogram `name` of the current sweep point, created on first use.
 * Take handles in setup(); they stay valid until teardown(). Values go to
 * the repetition being measured; values recorded in setup(), during
 * warm-up or in teardown() are discarded (counters and gauges, by contrast,
 * count from setup() on). The host's own per-iteration timings are "iteration" (service
 * time) and, when the spec sets a rate, "response" (time from each
 * iteration's intended start). "iteration" is always the host's, "response"
 * only in a point with a rate: asking for a name that is the host's is a
 * plugin bug that fails the point. */
static inline bhost_hist *bhost_histogram(bhost_ctx *ctx, const char *name)
{ return ctx->api->histogram(ctx, name); }

/* Records one value, in ns. A negative value records as 0, one above an
 * hour as an hour (the histogram's range); a NULL handle records nothing. */
static inline void bhost_record(bhost_ctx *ctx, bhost_hist *hist, int64_t ns)
{ ctx->api->record(hist, ns); }

/* Records `count` occurrences of one value; a count <= 0 records nothing. */
static inline void bhost_record_n(bhost_ctx *ctx, bhost_hist *hist,
                                  int64_t ns, int64_t count)
{ ctx->api->record_n(hist, ns, count); }

/* --- Metrics of the current sweep point (or of the run, for run hooks). */

/* Adds `delta` to the counter `name` (rows written, tokens, bytes...). */
static inline void bhost_counter_add(bhost_ctx *ctx, const char *name,
                                     double delta)
{ ctx->api->counter_add(ctx, name, delta); }

/* Sets the gauge `name`; the last value set is reported. */
static inline void bhost_gauge_set(bhost_ctx *ctx, const char *name,
                                   double value)
{ ctx->api->gauge_set(ctx, name, value); }

/* --- Failure and logging. --- */

/*
 * Records why the current hook failed and returns BHOST_FAIL, so that
 * `return bhost_fail(ctx, "got %d rows, want %d", got, want);` reads as it
 * does. From an iteration: one failed iteration with that reason, the point
 * goes on. From setup() or an instrument hook: the point fails.
 */
BHOST_PRINTF(2, 3)
static inline int bhost_fail(bhost_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = ctx->api->failv(ctx, fmt, ap);
    va_end(ap);
    return rc;
}

BHOST_PRINTF(3, 4)
static inline void bhost_log(bhost_ctx *ctx, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ctx->api->logv(ctx, level, fmt, ap);
    va_end(ap);
}

/* --- Per-point facts. --- */

/* A 64-bit seed derived from the spec's seed and the point's id: the same
 * point of the same spec gets the same seed on every run and machine. */
static inline uint64_t bhost_seed(bhost_ctx *ctx)
{ return ctx->api->seed(ctx); }

/* An empty directory of this point's own, made on first call; the host
 * removes it after teardown(). NULL outside a sweep point, or if it cannot
 * be made (the reason is logged). */
static inline const char *bhost_scratch_dir(bhost_ctx *ctx)
{ return ctx->api->scratch_dir(ctx); }

/* The point's stable id (16 hex digits). NULL outside a sweep point. */
static inline const char *bhost_point_id(bhost_ctx *ctx)
{ return ctx->api->point_id(ctx); }

/* The host's clock (CLOCK_MONOTONIC), in nanoseconds. */
static inline uint64_t bhost_now_ns(bhost_ctx *ctx)
{ return ctx->api->now_ns(); }

/* ------------------------------------------------------------------------ */
/* ABI 1.1 services                                                          */
/* ------------------------------------------------------------------------ */
/*
 * Each wrapper checks the host has the service. A plugin built with
 * BHOST_PLUGIN_HEADER needs a 1.1 host and gets them all; one built with
 * BHOST_PLUGIN_HEADER_COMPAT(kind, 0) also runs on a 1.0 host, where each
 * wrapper does what its comment says instead.
 */

/*
 * `count` of this call's iterations failed for the reason given; the call
 * itself still returns BHOST_OK. For iterate_batch(), which can then say
 * "2 of these 100,000 lookups missed" instead of failing the whole batch
 * with bhost_fail(): the batch's mean time is recorded for its other
 * iterations. Counted like bhost_fail()'s failures, each reason with its
 * count; more than the call's iterations in all is a plugin bug. On a 1.0
 * host: nothing is counted.
 */
BHOST_PRINTF(3, 4)
static inline void bhost_failed(bhost_ctx *ctx, uint64_t count, const char *fmt, ...)
{
    va_list ap;
    if (!BHOST_API_HAS(ctx->api, failedv))
        return;
    va_start(ap, fmt);
    ctx->api->failedv(ctx, count, fmt, ap);
    va_end(ap);
}

/*
 * This iteration's duration, measured by the plugin (Google Benchmark's
 * SetIterationTime): recorded in "iteration" in place of the host's timing
 * of the call; for iterate_batch(), the duration of the whole batch. Needs
 * BHOST_MANUAL_TIME in the descriptor's flags; an iteration that does not
 * call it is timed by the host. On a 1.0 host: ignored.
 */
static inline void bhost_set_iteration_time(bhost_ctx *ctx, int64_t ns)
{ if (BHOST_API_HAS(ctx->api, set_iteration_time)) ctx->api->set_iteration_time(ctx, ns); }

/*
 * Stops and restarts the host's timer within an iteration: what runs between
 * is not counted (Google Benchmark's PauseTiming/ResumeTiming). Each call
 * reads the clock, so a pause costs two clock reads (docs/sdk.md gives the
 * figure); needs BHOST_PAUSES_TIMING in the descriptor's flags. An iteration
 * that ends paused counts up to the pause. On a 1.0 host: ignored.
 */
static inline void bhost_pause_timing(bhost_ctx *ctx)
{ if (BHOST_API_HAS(ctx->api, pause_timing)) ctx->api->pause_timing(ctx); }

static inline void bhost_resume_timing(bhost_ctx *ctx)
{ if (BHOST_API_HAS(ctx->api, resume_timing)) ctx->api->resume_timing(ctx); }

/*
 * The histogram `name` with a unit and range of its own, for values that
 * are not times (probe lengths, bytes, queue depths):
 *
 *     h = bhost_histogram_with(ctx, "probes", BHOST_HIST_OPTIONS(.unit = "probes"));
 *
 * The options count when the histogram is first asked for; asking again
 * with other options is a plugin bug. Results and the table show the unit
 * and no throughput. On a 1.0 host: bhost_histogram(ctx, name) (in ns).
 */
static inline bhost_hist *bhost_histogram_with(bhost_ctx *ctx, const char *name,
                                               const struct bhost_hist_options *options)
{
    return BHOST_API_HAS(ctx->api, histogram_with) ? ctx->api->histogram_with(ctx, name, options)
                                                   : ctx->api->histogram(ctx, name);
}

/*
 * Items or bytes this call processed (Google Benchmark's SetItemsProcessed,
 * SetBytesProcessed, per call rather than in total): added up over the
 * measured iterations, and shown per second (items/s, bytes/s) in the table
 * and per iteration and per second in the results. On a 1.0 host: ignored.
 */
static inline void bhost_items_processed(bhost_ctx *ctx, double items)
{ if (BHOST_API_HAS(ctx->api, items_processed)) ctx->api->items_processed(ctx, items); }

static inline void bhost_bytes_processed(bhost_ctx *ctx, double bytes)
{ if (BHOST_API_HAS(ctx->api, bytes_processed)) ctx->api->bytes_processed(ctx, bytes); }

/* Which of the point's threads this context is (0 to count - 1), and how many there
 * are (`threads:` in the spec). In setup() and teardown(): 0, and the count. On a 1.0
 * host: 0 and 1. */
static inline uint32_t bhost_thread_index(bhost_ctx *ctx)
{ return BHOST_API_HAS(ctx->api, thread_index) ? ctx->api->thread_index(ctx) : 0; }

static inline uint32_t bhost_thread_count(bhost_ctx *ctx)
{ return BHOST_API_HAS(ctx->api, thread_count) ? ctx->api->thread_count(ctx) : 1; }

/*
 * A path in the run directory for a file of this point (from a point's
 * hooks) or of the run (from run hooks) named `name` ([A-Za-z0-9._-], no
 * leading '.'), of media type `media_type` ("image/svg+xml",
 * "application/json", "text/plain"...). The file is the plugin's to write;
 * results.json lists every artifact with its path, media type and size, and
 * bhost merge and --resume keep them. The same name twice in one point is
 * the same path. NULL if it cannot be made (the reason is logged), and on a
 * 1.0 host.
 */
static inline const char *bhost_artifact_path(bhost_ctx *ctx, const char *name,
                                              const char *media_type)
{
    return BHOST_API_HAS(ctx->api, artifact_path) ? ctx->api->artifact_path(ctx, name, media_type)
                                                  : (const char *)0;
}

/* ------------------------------------------------------------------------ */
/* ABI 1.2 services: what instruments report besides numbers                  */
/* ------------------------------------------------------------------------ */
/*
 * As with 1.1, each wrapper checks the host has the service; on an older
 * host it does what its comment says instead.
 */

/*
 * The metric `name` could not be measured on this machine, and why:
 *
 *     bhost_unavailable(ctx, "cycles", "perf_event_open: %s", strerror(errno));
 *
 * Results report it as unavailable with the reason, never as a zero, and
 * the terminal says so once per run and reason. Values given to the metric
 * afterwards, in the same point, are ignored. On an older host: nothing.
 */
BHOST_PRINTF(3, 4)
static inline void bhost_unavailable(bhost_ctx *ctx, const char *name, const char *fmt, ...)
{
    va_list ap;
    if (!BHOST_API_HAS(ctx->api, unavailablev))
        return;
    va_start(ap, fmt);
    ctx->api->unavailablev(ctx, name, fmt, ap);
    va_end(ap);
}

/*
 * A fact in words, `name` = text, of the point (or of the run, from run
 * hooks): which method a profiler used, a library's version. The last text
 * set for a name is kept. On an older host: nothing.
 */
BHOST_PRINTF(3, 4)
static inline void bhost_note(bhost_ctx *ctx, const char *name, const char *fmt, ...)
{
    va_list ap;
    if (!BHOST_API_HAS(ctx->api, notev))
        return;
    va_start(ap, fmt);
    ctx->api->notev(ctx, name, fmt, ap);
    va_end(ap);
}

/*
 * The table `name` of the point (or of the run, from run hooks), made with
 * these columns on first use: a profiler's top functions, a resource
 * monitor's samples. Rows are added with bhost_table_row():
 *
 *     static const struct bhost_column cols[] = {
 *         {"function", NULL}, {"self", "%"}, {"total", "%"}};
 *     bhost_table *t = bhost_table_get(ctx, "top", BHOST_TABLE_OPTIONS(
 *         BHOST_COLUMNS(cols), .flags = BHOST_TABLE_SHOW, .title = "Top functions"));
 *     bhost_table_row(ctx, t, (struct bhost_cell[]){
 *         BHOST_TEXT("sqlite3VdbeExec"), BHOST_NUMBER(41.5), BHOST_NUMBER(62.0)});
 *
 * Results hold every table with its columns and rows. Asking again for a
 * name gives the same table; other columns then are a plugin bug. A table
 * keeps at most 100,000 rows (results count the rest). The handle is valid
 * until the point (or run) ends. NULL on an older host, where
 * bhost_table_row() does nothing.
 */
static inline bhost_table *bhost_table_get(bhost_ctx *ctx, const char *name,
                                           const struct bhost_table_options *options)
{
    return BHOST_API_HAS(ctx->api, table_get) ? ctx->api->table_get(ctx, name, options)
                                              : (bhost_table *)0;
}

/* One row: `cells` holds one cell per column, in column order. */
static inline void bhost_table_row(bhost_ctx *ctx, bhost_table *table,
                                   const struct bhost_cell *cells)
{
    if (table && BHOST_API_HAS(ctx->api, table_row))
        ctx->api->table_row(ctx, table, cells);
}

/* The point's label as results show it ("memory_db[mode=disk]"): a title for
 * what a plugin writes about the point. NULL outside a point and on an older host. */
static inline const char *bhost_point_label(bhost_ctx *ctx)
{
    return BHOST_API_HAS(ctx->api, point_label) ? ctx->api->point_label(ctx) : (const char *)0;
}

/* ------------------------------------------------------------------------ */
/* ABI 1.3 services                                                          */
/* ------------------------------------------------------------------------ */

/*
 * The name of the index-th open parameter the spec gives this point (flag
 * BHOST_OPEN_PARAMS), in the order the spec gives them, or NULL past the
 * last; its value is bhost_param_str(ctx, name). Also in check(). NULL for a
 * plugin without the flag and on an older host.
 *
 *     for (uint32_t i = 0; (name = bhost_param_extra(ctx, i)); i++)
 *         use(name, bhost_param_str(ctx, name));
 */
static inline const char *bhost_param_extra(bhost_ctx *ctx, uint32_t index)
{
    return BHOST_API_HAS(ctx->api, param_extra) ? ctx->api->param_extra(ctx, index)
                                                : (const char *)0;
}

/* ------------------------------------------------------------------------ */
/* Keeping the compiler honest                                               */
/* ------------------------------------------------------------------------ */
/*
 * A benchmark's result that nothing reads may be deleted by the compiler,
 * and the benchmark with it. bhost_do_not_optimize(value) makes `value`
 * count as read (it must be computed, whatever it is); bhost_clobber_memory()
 * makes every write before it count as seen (stores cannot be dropped or
 * moved past it). Neither emits an instruction. Google Benchmark's
 * DoNotOptimize and ClobberMemory.
 */
#if defined(__GNUC__) || defined(__clang__)
#define bhost_do_not_optimize(value) __asm__ volatile("" : : "r,m"(value) : "memory")
#define bhost_clobber_memory() __asm__ volatile("" : : : "memory")
#else
#define bhost_do_not_optimize(value) \
    do { volatile const void *bhost_sink_ = &(value); (void)bhost_sink_; } while (0)
#define bhost_clobber_memory() do { } while (0)
#endif

#ifdef __cplusplus
}
#endif

#endif /* BHOST_BHOST_H */
