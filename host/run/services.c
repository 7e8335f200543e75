/*
 * services.c — the services plugins call through struct bhost_api.
 *
 * A plugin that asks for something it did not declare is told nothing at
 * once (it gets a zero value) but its point fails afterwards with the exact
 * call, which is kinder than a crash and impossible to miss.
 */
#include "run/services.h"
#include "spec/spec.h"
#include "util/clock.h"
#include "util/files.h"
#include "util/mem.h"
#include "util/text.h"

#include <errno.h>
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

__attribute__((format(printf, 2, 3)))
static void misuse(struct host_ctx *c, const char *fmt, ...)
{
    if (c->misuse)
        return;
    va_list ap;
    va_start(ap, fmt);
    c->misuse = xvasprintf(fmt, ap);
    va_end(ap);
}

static const struct pvalue *param(bhost_ctx *ctx, const char *name, uint32_t type,
                                  const char *call)
{
    static const struct pvalue zero = {0};
    struct host_ctx *c = host(ctx);
    int i = name ? pdef_find(c->plugin->params, c->plugin->nparams, name) : -1;
    if (i < 0) {
        misuse(c, "plugin bug: %s(\"%s\"): '%s' declares no such parameter", call,
               name ? name : "(null)", c->plugin->desc.name);
        return &zero;
    }
    uint32_t actual = c->plugin->params[i].type;
    int ok = actual == type || (type == BHOST_STRING && actual == BHOST_ENUM);
    if (!ok) {
        misuse(c, "plugin bug: %s(\"%s\"): the parameter is %s %s", call, name,
               actual == BHOST_INT || actual == BHOST_ENUM ? "an" : "a", type_name(actual));
        return &zero;
    }
    return &c->values[i];
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

/*
 * Whether an experiment's name falls in an attached instrument's space
 * ("rusage.user_cpu_s"): there it would add to the instrument's figures.
 */
static int in_instrument_space(const struct host_ctx *c, const char *name)
{
    if (*c->prefix || !c->ps || !c->ps->exp)
        return 0;
    for (size_t i = 0; i < c->ps->exp->ninstruments; i++) {
        const char *inst = c->ps->exp->instruments[i].plugin->desc.name;
        size_t n = strlen(inst);
        if (strncmp(name, inst, n) == 0 && name[n] == '.')
            return 1;
    }
    return 0;
}

/* Where histograms asked for outside a sweep point write: nowhere useful. */
static struct hdr sink_hdr;
static struct bhost_hist sink = {.name = "(none)", .current = &sink_hdr};

static bhost_hist *api_histogram(bhost_ctx *ctx, const char *name)
{
    struct host_ctx *c = host(ctx);
    if (!name || !*name || !utf8_valid(name)) {
        misuse(c, "plugin bug: bhost_histogram() needs a UTF-8 name");
        name = "(unnamed)";
    } else if (!*c->prefix && strcmp(name, "iteration") == 0) {
        /* (An instrument's names are prefixed with its own: "rusage.iteration" is not.) */
        /* The host's own timings: a plugin writing there would corrupt them. */
        misuse(c, "plugin bug: bhost_histogram(\"%s\"): that name is the host's own", name);
        name = "(reserved)";
    } else if (in_instrument_space(c, name)) {
        misuse(c, "plugin bug: bhost_histogram(\"%s\"): that name belongs to an attached "
               "instrument", name);
        name = "(reserved)";
    } else if (!*c->prefix && strcmp(name, "response") == 0 && c->ps && c->ps->open_loop) {
        /* Only on a schedule: closed-loop plugins had the name before there were schedules. */
        misuse(c, "plugin bug: bhost_histogram(\"response\"): that name is the host's own on "
               "a schedule (rate:)");
        name = "(reserved)";
    }
    if (!c->ps) {
        misuse(c, "plugin bug: bhost_histogram(\"%s\") outside a sweep point", name);
        if (!sink_hdr.counts)
            hdr_init_bhost(&sink_hdr);
        return &sink;
    }
    char *full = xasprintf("%s%s", c->prefix, name);
    struct bhost_hist *h = point_histogram(c->ps, full);
    free(full);
    return h;
}

/* No ctx to report a NULL handle through: it records nothing. */
static void api_record(bhost_hist *h, int64_t ns)
{
    if (h)
        hdr_record(h->current, ns);
}

static void api_record_n(bhost_hist *h, int64_t ns, int64_t count)
{
    if (!h)
        return;
    /* Saturate rather than overflow the histogram's int64 total. */
    int64_t room = INT64_MAX - h->current->total_count;
    if (count > 0)
        hdr_record_n(h->current, ns, count < room ? count : room);
}

static struct metric *metric(struct host_ctx *c, const char *name, enum metric_kind kind)
{
    if (!name || !*name || !utf8_valid(name)) {
        misuse(c, "plugin bug: a counter or gauge needs a UTF-8 name");
        return NULL;
    }
    if (in_instrument_space(c, name)) {
        misuse(c, "plugin bug: '%s' belongs to an attached instrument; name it otherwise",
               name);
        return NULL;
    }
    struct metrics *m = c->metrics;
    size_t plen = strlen(c->prefix);
    for (size_t i = 0; i < m->n; i++) {
        const char *have = m->v[i].name;
        if (strncmp(have, c->prefix, plen) != 0 || strcmp(have + plen, name) != 0)
            continue;
        if (m->v[i].kind != kind)
            misuse(c, "plugin bug: '%s' is used both as a counter and as a gauge", name);
        return &m->v[i];
    }
    grow(&m->v, &m->cap, m->n, sizeof *m->v);
    m->v[m->n] = (struct metric){.name = xasprintf("%s%s", c->prefix, name), .kind = kind};
    return &m->v[m->n++];
}

static void api_counter_add(bhost_ctx *ctx, const char *name, double delta)
{
    struct metric *m = metric(host(ctx), name, METRIC_COUNTER);
    if (m)
        m->value += delta;
}

static void api_gauge_set(bhost_ctx *ctx, const char *name, double value)
{
    struct metric *m = metric(host(ctx), name, METRIC_GAUGE);
    if (m)
        m->value = value;
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
        misuse(host(ctx), "plugin bug: bhost_log() needs a format");
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
            misuse(c, "cannot create the scratch directory %s: %s", ps->scratch_dir,
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
};

void ctx_init(struct host_ctx *c, const struct plugin *p, const struct pvalue *values,
              struct point_state *ps, struct metrics *m, const char *prefix, uint64_t seed,
              const char *log_label)
{
    *c = (struct host_ctx){.pub = {.api = &host_api}, .plugin = p, .values = values, .ps = ps,
                           .metrics = m, .prefix = prefix, .seed = seed,
                           .log_label = log_label};
}

void ctx_fini(struct host_ctx *c)
{
    free(c->fail_reason);
    free(c->misuse);
    c->fail_reason = c->misuse = NULL;
}

char *ctx_take_reason(struct host_ctx *c, int rc)
{
    char *r = c->fail_reason;
    c->fail_reason = NULL;
    return r ? r : xasprintf("returned %d without a reason", rc);
}

