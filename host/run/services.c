/*
 * services.c — the services plugins call through struct bhost_api.
 *
 * A plugin that asks for something it did not declare is told nothing at
 * once (it gets a zero value) but its point fails afterwards with the exact
 * call, which is kinder than a crash and impossible to miss.
 */
#include "run/services.h"
#include "run/context.h"
#include "run/services_reports.h"
#include "spec/spec.h"
#include "util/clock.h"
#include "util/files.h"
#include "util/mem.h"
#include "util/text.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int host_log_level = BHOST_LOG_INFO;

uint64_t host_now_ns(void)
{
    return clock_now_ns();
}

static struct host_ctx *host(bhost_ctx *ctx)
{
    return (struct host_ctx *)ctx;
}



static const struct pvalue *param(bhost_ctx *ctx, const char *name, uint32_t type,
                                  const char *call)
{
    static const struct pvalue zero = {0};
    struct host_ctx *c = host(ctx);
    char why[512];
    const struct pvalue *v = plugin_param_value(c->plugin, c->defs, c->ndefs, c->values, name,
                                                type, call, why, sizeof why);
    if (!v)
        ctx_misuse(c, "%s", why);
    return v ? v : &zero;
}

static const char *api_param_extra(bhost_ctx *ctx, uint32_t index)
{
    struct host_ctx *c = host(ctx);
    size_t k = c->plugin->nparams + (size_t)index;
    return k < c->ndefs ? c->defs[k].name : NULL;
}

static int64_t api_param_int(bhost_ctx *ctx, const char *name)
{
    return param(ctx, name, BHOST_INT, "bhost_param_int")->i;
}

static double api_param_float(bhost_ctx *ctx, const char *name)
{
    return param(ctx, name, BHOST_FLOAT, "bhost_param_float")->f;
}

static int api_param_bool(bhost_ctx *ctx, const char *name)
{
    return (int)param(ctx, name, BHOST_BOOL, "bhost_param_bool")->i;
}

static const char *api_param_str(bhost_ctx *ctx, const char *name)
{
    const char *s = param(ctx, name, BHOST_STRING, "bhost_param_str")->s;
    return s ? s : "";
}

static int api_param_choice(bhost_ctx *ctx, const char *name)
{
    return (int)param(ctx, name, BHOST_ENUM, "bhost_param_choice")->i;
}


/* Where histograms asked for outside a sweep point write: nowhere useful. */
static struct hdr sink_hdr;
static struct hdr *sink_current = &sink_hdr;
static struct bhost_hist sink = {.name = "(none)", .current = &sink_current};

/* The thread a plugin's call runs on: which of a histogram's copies it records into. */
static _Thread_local uint32_t this_thread;

/* A name the plugin may not use for a histogram of its own, or NULL if it may. */
static const char *refused_name(const struct host_ctx *c, const char *name)
{
    if (!*c->prefix && strcmp(name, "iteration") == 0)
        return "that name is the host's own";
    /* (An instrument's names are prefixed with its own: "rusage.iteration" is not.) */
    if (ctx_in_instrument_space(c, name))
        return "that name belongs to an attached instrument";
    /* Only on a schedule: closed-loop plugins had the name before there were schedules. */
    if (!*c->prefix && strcmp(name, "response") == 0 && c->ps && c->ps->open_loop)
        return "that name is the host's own on a schedule (rate:)";
    return NULL;
}

static bhost_hist *histogram(struct host_ctx *c, const char *name, const struct hist_config *cfg,
                             const char *call)
{
    const char *why;
    if (!name || !*name || !utf8_valid(name)) {
        ctx_misuse(c, "plugin bug: %s() needs a UTF-8 name", call);
        name = "(unnamed)";
    } else if ((why = refused_name(c, name))) {
        ctx_misuse(c, "plugin bug: %s(\"%s\"): %s", call, name, why);
        name = "(reserved)";
    }
    if (!c->ps) {
        ctx_misuse(c, "plugin bug: %s(\"%s\") outside a sweep point", call, name);
        if (!sink_hdr.counts)
            hdr_init_bhost(&sink_hdr);
        return &sink;
    }
    char *full = xasprintf("%s%s", c->prefix, name);
    struct bhost_hist *h = point_histogram(c->ps, full, cfg);
    free(full);
    if (cfg && strcmp(h->cfg.unit, cfg->unit) != 0)
        ctx_misuse(c, "plugin bug: %s(\"%s\"): the histogram was made with unit \"%s\", not \"%s\"",
                   call, name, h->cfg.unit, cfg->unit);
    else if (cfg && (h->cfg.lowest != cfg->lowest || h->cfg.highest != cfg->highest ||
                     h->cfg.digits != cfg->digits))
        ctx_misuse(c, "plugin bug: %s(\"%s\"): the histogram was made with another range", call,
                   name);
    return h;
}

static bhost_hist *api_histogram(bhost_ctx *ctx, const char *name)
{
    return histogram(host(ctx), name, NULL, "bhost_histogram");
}

/* No ctx to report a NULL handle through: it records nothing. */
static void api_record(bhost_hist *h, int64_t ns)
{
    if (h)
        hdr_record(h->current[h == &sink ? 0 : this_thread], ns);
}

static void api_record_n(bhost_hist *h, int64_t ns, int64_t count)
{
    if (!h)
        return;
    struct hdr *cur = h->current[h == &sink ? 0 : this_thread];
    /* Saturate rather than overflow the histogram's int64 total. */
    int64_t room = INT64_MAX - cur->total_count;
    if (count > 0)
        hdr_record_n(cur, ns, count < room ? count : room);
}


static void api_counter_add(bhost_ctx *ctx, const char *name, double delta)
{
    struct metric *m = ctx_metric(host(ctx), name, METRIC_COUNTER);
    if (m && m->kind == METRIC_COUNTER)
        m->value += delta;
}

static void api_gauge_set(bhost_ctx *ctx, const char *name, double value)
{
    struct metric *m = ctx_metric(host(ctx), name, METRIC_GAUGE);
    if (m && m->kind == METRIC_GAUGE) {
        m->value = value;
        m->set_at = host(ctx)->nthreads > 1 ? point_clock_tick() : 0;
    }
}

static int api_failv(bhost_ctx *ctx, const char *fmt, va_list ap)
{
    struct host_ctx *c = host(ctx);
    free(c->fail_reason);
    c->fail_reason = utf8_sanitize(xvasprintf(fmt ? fmt : "failed", ap));
    return BHOST_FAIL;
}

static void api_logv(bhost_ctx *ctx, int level, const char *fmt, va_list ap)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (!fmt) { /* a bug whether or not the line would show */
        ctx_misuse(host(ctx), "plugin bug: bhost_log() needs a format");
        return;
    }
    if (level < 0 || level > BHOST_LOG_DEBUG) /* before the filter: -q hides it too */
        level = BHOST_LOG_INFO;
    if (level > host_log_level)
        return;
    char *text = xvasprintf(fmt, ap);
    fprintf(stderr, "%s: %s: %s\n", host(ctx)->log_label, names[level], text);
    free(text);
}

static uint64_t api_seed(bhost_ctx *ctx)
{
    return host(ctx)->seed;
}

/* Made when first asked for: a directory costs milliseconds to make and
 * remove here, and most points never use one. */
static const char *api_scratch_dir(bhost_ctx *ctx)
{
    struct host_ctx *c = host(ctx);
    struct point_state *ps = c->ps;
    if (!ps || !ps->scratch_dir)
        return NULL;
    if (!ps->scratch_made) {
        if (mkdir_p(ps->scratch_dir, 0755) != 0) {
            ctx_misuse(c, "cannot create the scratch directory %s: %s", ps->scratch_dir,
                       strerror(errno));
            return NULL;
        }
        ps->scratch_made = 1;
    }
    return ps->scratch_dir;
}

static const char *api_point_id(bhost_ctx *ctx)
{
    struct host_ctx *c = host(ctx);
    return c->ps ? c->ps->point_id : NULL;
}

/* ---- ABI 1.1 ------------------------------------------------------------ */

static void api_failedv(bhost_ctx *ctx, uint64_t count, const char *fmt, va_list ap)
{
    struct host_ctx *c = host(ctx);
    if (!c->in_loop || !c->fails) {
        ctx_misuse(c, "plugin bug: bhost_failed() counts failed iterations: call it from "
                   "iterate() or iterate_batch()");
        return;
    }
    uint64_t left = c->call_n - c->call_failed;
    if (count > left) {
        ctx_misuse(c, "plugin bug: bhost_failed(%llu): the call runs %llu iteration%s, of which "
                   "%llu had failed already", (unsigned long long)count,
                   (unsigned long long)c->call_n, c->call_n == 1 ? "" : "s",
                   (unsigned long long)c->call_failed);
        count = left;
    }
    if (count == 0)
        return;
    c->call_failed += count;
    failures_add(c->fails, utf8_sanitize(xvasprintf(fmt ? fmt : "failed", ap)), count);
}

static void api_set_iteration_time(bhost_ctx *ctx, int64_t ns)
{
    struct host_ctx *c = host(ctx);
    if (!(c->plugin->desc.flags & BHOST_MANUAL_TIME))
        ctx_misuse(c, "plugin bug: bhost_set_iteration_time() needs BHOST_MANUAL_TIME in the "
                   "descriptor's .flags");
    else if (!c->in_loop)
        ctx_misuse(c, "plugin bug: bhost_set_iteration_time() outside iterate()/iterate_batch()");
    else if (ns < 0)
        ctx_misuse(c, "plugin bug: bhost_set_iteration_time(%lld): a duration is not negative",
                   (long long)ns);
    else
        c->manual_ns = ns;
}

static int may_pause(struct host_ctx *c, const char *call)
{
    if (!(c->plugin->desc.flags & BHOST_PAUSES_TIMING))
        ctx_misuse(c, "plugin bug: %s() needs BHOST_PAUSES_TIMING in the descriptor's .flags",
                   call);
    else if (!c->in_loop)
        ctx_misuse(c, "plugin bug: %s() outside iterate()/iterate_batch()", call);
    else
        return 1;
    return 0;
}

static void api_pause_timing(bhost_ctx *ctx)
{
    struct host_ctx *c = host(ctx);
    if (!may_pause(c, "bhost_pause_timing"))
        return;
    if (c->paused) {
        ctx_misuse(c, "plugin bug: bhost_pause_timing() while paused");
        return;
    }
    c->paused = 1;
    c->paused_at = timer_now(c->timer->use_tsc);
}

static void api_resume_timing(bhost_ctx *ctx)
{
    struct host_ctx *c = host(ctx);
    if (!may_pause(c, "bhost_resume_timing"))
        return;
    if (!c->paused) {
        ctx_misuse(c, "plugin bug: bhost_resume_timing() while not paused");
        return;
    }
    c->paused = 0;
    c->paused_for += timer_now(c->timer->use_tsc) - c->paused_at;
}

/* A unit: [a-z][a-z0-9_/]*, at most 31 characters. */
static int valid_unit(const char *u)
{
    size_t n = strlen(u);
    if (n == 0 || n > 31 || !(*u >= 'a' && *u <= 'z'))
        return 0;
    return strspn(u, "abcdefghijklmnopqrstuvwxyz0123456789_/") == n;
}

static bhost_hist *api_histogram_with(bhost_ctx *ctx, const char *name,
                                      const struct bhost_hist_options *o)
{
    struct host_ctx *c = host(ctx);
    struct bhost_hist_options opt = {0};
    if (o) /* a plugin built against a later minor may pass a larger struct: read what we know */
        memcpy(&opt, o, o->size < sizeof opt ? o->size : sizeof opt);
    const char *unit = opt.unit && *opt.unit ? opt.unit : "ns";
    int time = strcmp(unit, "ns") == 0;
    struct hist_config cfg = {.lowest = opt.lowest ? opt.lowest : 1,
                              .highest = opt.highest ? opt.highest
                                         : time ? HDR_BHOST_HIGHEST : INT64_C(1) << 40,
                              .digits = opt.digits ? (int32_t)opt.digits : 3};
    if (o && o->size < offsetof(struct bhost_hist_options, unit) + sizeof(const char *)) {
        ctx_misuse(c, "plugin bug: bhost_histogram_with(): options of %u bytes; fill them with "
                   "BHOST_HIST_OPTIONS", (unsigned)o->size);
    } else if (!valid_unit(unit)) {
        ctx_misuse(c, "plugin bug: bhost_histogram_with(): unit \"%s\" is not [a-z][a-z0-9_/]*, "
                   "at most 31 characters", utf8_valid(unit) ? unit : "?");
    } else if (cfg.lowest < 1 || cfg.highest < 2 * cfg.lowest || cfg.digits < 1 ||
               cfg.digits > 5) {
        ctx_misuse(c, "plugin bug: bhost_histogram_with(): range %lld to %lld at %d digits: "
                   "lowest >= 1, highest >= 2 x lowest, digits 1 to 5", (long long)cfg.lowest,
                   (long long)cfg.highest, (int)cfg.digits);
    } else {
        snprintf(cfg.unit, sizeof cfg.unit, "%s", unit);
        return histogram(c, name, &cfg, "bhost_histogram_with");
    }
    return histogram(c, name, NULL, "bhost_histogram_with");
}

static void api_items_processed(bhost_ctx *ctx, double items)
{
    api_counter_add(ctx, "items_processed", items);
}

static void api_bytes_processed(bhost_ctx *ctx, double bytes)
{
    api_counter_add(ctx, "bytes_processed", bytes);
}

static uint32_t api_thread_index(bhost_ctx *ctx)
{
    return host(ctx)->thread;
}

static uint32_t api_thread_count(bhost_ctx *ctx)
{
    return host(ctx)->nthreads;
}

/* [A-Za-z0-9._-], not starting with '.', at most 128 characters. */
static int valid_file_name(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= 128 && *s != '.' &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static const char *api_artifact_path(bhost_ctx *ctx, const char *name, const char *media_type)
{
    struct host_ctx *c = host(ctx);
    if (!name || !valid_file_name(name)) {
        ctx_misuse(c, "plugin bug: bhost_artifact_path(\"%s\"): a name is [A-Za-z0-9._-], not "
                   "starting with '.', at most 128 characters",
                   name && utf8_valid(name) ? name : "?");
        return NULL;
    }
    if (!media_type || !*media_type || strchr(media_type, '/') == NULL ||
        !utf8_valid(media_type) || strlen(media_type) > 127) {
        ctx_misuse(c, "plugin bug: bhost_artifact_path(\"%s\", ...): give a media type, "
                   "\"type/subtype\"", name);
        return NULL;
    }
    if (!c->artifact_dir || !c->artifacts) {
        ctx_misuse(c, "plugin bug: bhost_artifact_path(\"%s\") where there is no run to keep it",
                   name);
        return NULL;
    }
    char *full = xasprintf("%s%s", c->prefix, name);
    const char *path = NULL;
    if (c->ps)
        pthread_mutex_lock(&c->ps->lock);
    struct artifacts *a = c->artifacts;
    for (size_t i = 0; i < a->n && !path; i++)
        if (strcmp(a->v[i].name, full) == 0)
            path = a->v[i].path;
    if (!path && mkdir_p(c->artifact_dir, 0755) != 0) {
        bhost_log(ctx, BHOST_LOG_ERROR, "cannot create %s: %s", c->artifact_dir,
                  strerror(errno));
    } else if (!path) {
        grow(&a->v, &a->cap, a->n, sizeof *a->v);
        char *abs = xasprintf("%s/%s", c->artifact_dir, full);
        const char *rel = c->ps && c->ps->run_dir ? strstr(abs, "/artifacts/") : NULL;
        a->v[a->n] = (struct artifact){.name = xstrdup(full), .media_type = xstrdup(media_type),
                                       .path = abs, .rel = xstrdup(rel ? rel + 1 : abs)};
        path = a->v[a->n++].path;
    }
    if (c->ps)
        pthread_mutex_unlock(&c->ps->lock);
    free(full);
    return path;
}

const struct bhost_api host_api = {
    .size = sizeof(struct bhost_api),
    .abi_major = BHOST_ABI_MAJOR,
    .abi_minor = BHOST_ABI_MINOR,
    .param_int = api_param_int,
    .param_float = api_param_float,
    .param_bool = api_param_bool,
    .param_str = api_param_str,
    .param_choice = api_param_choice,
    .histogram = api_histogram,
    .record = api_record,
    .record_n = api_record_n,
    .counter_add = api_counter_add,
    .gauge_set = api_gauge_set,
    .failv = api_failv,
    .logv = api_logv,
    .seed = api_seed,
    .scratch_dir = api_scratch_dir,
    .point_id = api_point_id,
    .now_ns = host_now_ns,
    .failedv = api_failedv,
    .set_iteration_time = api_set_iteration_time,
    .pause_timing = api_pause_timing,
    .resume_timing = api_resume_timing,
    .histogram_with = api_histogram_with,
    .items_processed = api_items_processed,
    .bytes_processed = api_bytes_processed,
    .thread_index = api_thread_index,
    .thread_count = api_thread_count,
    .artifact_path = api_artifact_path,
    .unavailablev = api_unavailablev,
    .notev = api_notev,
    .table_get = api_table_get,
    .table_row = api_table_row,
    .point_label = api_point_label,
    .param_extra = api_param_extra,
};

void ctx_init(struct host_ctx *c, const struct plugin *p, const struct pvalue *values,
              struct point_state *ps, struct metrics *m, const char *prefix, uint64_t seed,
              const char *log_label)
{
    *c = (struct host_ctx){.pub = {.api = &host_api}, .plugin = p, .defs = p->params,
                           .ndefs = p->nparams, .values = values, .ps = ps,
                           .metrics = m, .prefix = prefix, .seed = seed,
                           .log_label = log_label, .nthreads = ps ? ps->nthreads : 1,
                           .fails = ps ? &ps->lanes[0].fails : NULL,
                           .artifacts = ps ? &ps->artifacts : NULL,
                           .tables = ps ? &ps->tables : NULL, .notes = ps ? &ps->notes : NULL,
                           .manual_ns = -1};
}

void ctx_for_thread(struct host_ctx *dst, const struct host_ctx *c, uint32_t t)
{
    *dst = *c;
    dst->fail_reason = dst->misuse = NULL;
    dst->thread = t;
    if (c->ps) {
        dst->metrics = &c->ps->lanes[t].metrics;
        dst->fails = &c->ps->lanes[t].fails;
    }
    this_thread = t;
}
