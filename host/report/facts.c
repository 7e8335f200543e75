/* facts.c — see facts.h. */
#include "report/facts.h"
#include "report/units.h"
#include "util/mem.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 4, 5)))
static void add(struct facts *f, int warning, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    grow(&f->items, &f->cap, f->n, sizeof *f->items);
    f->items[f->n++] = (struct fact){.name = xstrdup(name), .text = xvasprintf(fmt, ap),
                                     .warning = warning};
    va_end(ap);
}

/* As add(), for a point: a text another point already gave gets this label beside its own. */
__attribute__((format(printf, 4, 5)))
static void add_for_point(struct facts *f, int warning, const char *label, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    for (size_t k = 0; k < f->n; k++) {
        struct fact *same = &f->items[k];
        if (same->points && same->warning == warning && strcmp(same->text, text) == 0) {
            if (++same->points <= 3) {
                char *name = xasprintf("%s, %s", same->name, label);
                free(same->name);
                same->name = name;
            }
            free(text);
            return;
        }
    }
    add(f, warning, label, "%s", text);
    f->items[f->n - 1].points = 1;
    free(text);
}

/* "a, b, c and 5 more points" for notes that more than three points gave. */
static void name_the_rest(struct facts *f)
{
    for (size_t k = 0; k < f->n; k++)
        if (f->items[k].points > 3) {
            char *name = xasprintf("%s and %zu more points", f->items[k].name,
                                   f->items[k].points - 3);
            free(f->items[k].name);
            f->items[k].name = name;
        }
}

void facts_add(struct facts *f, int warning, const char *name, const char *text)
{
    add(f, warning, name, "%s", text);
}

void facts_free(struct facts *f)
{
    for (size_t k = 0; k < f->n; k++) {
        free(f->items[k].name);
        free(f->items[k].text);
    }
    free(f->items);
    *f = (struct facts){0};
}

static const char *text_or(const json_t *o, const char *key, const char *otherwise)
{
    const char *s = view_text(o, key);
    return s ? s : otherwise;
}

void facts_environment(struct facts *out, const json_t *doc)
{
    const json_t *env = json_object_get(doc, "environment"), *run = json_object_get(doc, "run");
    const json_t *os = json_object_get(env, "os"), *cpu = json_object_get(env, "cpu");
    const json_t *build = json_object_get(env, "build"), *git = json_object_get(env, "git");
    const json_t *clock = json_object_get(env, "clock"), *timer = json_object_get(env, "timer");
    const json_t *bhost = json_object_get(doc, "bhost");
    char a[64], b[64];
    add(out, 0, "bhost", "%s (plugin ABI %s)", text_or(bhost, "version", "?"),
        text_or(bhost, "abi", "?"));
    if (view_text(env, "hostname"))
        add(out, 0, "host", "%s", view_text(env, "hostname"));
    if (view_text(os, "kernel"))
        add(out, 0, "OS", "Linux %s %s (%s)", view_text(os, "kernel"),
            text_or(os, "machine", ""), text_or(os, "version", ""));
    if (view_text(cpu, "model") || json_is_integer(json_object_get(cpu, "logical_count"))) {
        double mhz = view_number(cpu, "mhz");
        add(out, 0, "CPU", "%s, %lld logical CPUs%s%s%s", text_or(cpu, "model", "unknown model"),
            (long long)json_integer_value(json_object_get(cpu, "logical_count")),
            isfinite(mhz) ? ", " : "", isfinite(mhz) ? units_number(a, sizeof a, round(mhz)) : "",
            isfinite(mhz) ? " MHz" : "");
        if (view_text(cpu, "governor"))
            add(out, 0, "CPU governor", "%s", view_text(cpu, "governor"));
    }
    if (json_is_integer(json_object_get(env, "memory_kib")))
        add(out, 0, "memory", "%.1f GiB",
            (double)json_integer_value(json_object_get(env, "memory_kib")) / (1024.0 * 1024.0));
    if (build)
        add(out, 0, "build", "%s, %s%s, %s", text_or(build, "compiler", "?"),
            *text_or(build, "build_type", "") ? text_or(build, "build_type", "") : "no build type",
            json_is_true(json_object_get(build, "sanitized")) ? ", sanitized" : "",
            text_or(build, "allocator", "?"));
    if (view_text(git, "commit"))
        add(out, 0, "git", "%s%s", view_text(git, "commit"),
            json_is_true(json_object_get(git, "dirty")) ? " (uncommitted changes)" : "");
    if (clock) {
        double res = view_number(clock, "resolution_ns"), read = view_number(clock, "read_ns");
        add(out, 0, "clock", "%s, resolution %s, %s per read", text_or(clock, "source", "?"),
            units_time(a, sizeof a, res), units_time(b, sizeof b, read));
    }
    if (timer) {
        const json_t *tsc = json_object_get(timer, "tsc");
        double ghz = view_number(tsc, "ghz"), read = view_number(timer, "read_ns");
        double drift = view_number(timer, "drift_ppm_max");
        char extra[128] = "";
        if (isfinite(ghz))
            snprintf(extra, sizeof extra, ", TSC at %.3f GHz%s%.3g ppm drift at most", ghz,
                     isfinite(drift) ? ", " : "", isfinite(drift) ? drift : 0.0);
        add(out, 0, "timer", "%s, %.3g ns per read%s%s%s", text_or(timer, "source", "?"),
            isfinite(read) ? read : 0.0, isfinite(ghz) ? extra : "",
            view_text(timer, "fallback") ? "; fell back: " : "",
            text_or(timer, "fallback", ""));
    }
    const json_t *argv = json_object_get(run, "argv");
    if (json_array_size(argv)) {
        char *line = xstrdup("");
        size_t i;
        const json_t *arg;
        json_array_foreach(argv, i, arg) {
            char *next = xasprintf("%s%s%s", line, i ? " " : "",
                                   json_string_value(arg) ? json_string_value(arg) : "");
            free(line);
            line = next;
        }
        add(out, 0, "command", "%s", line);
        free(line);
    }
    if (view_text(json_object_get(doc, "spec"), "file"))
        add(out, 0, "spec file", "%s", view_text(json_object_get(doc, "spec"), "file"));
    if (view_text(run, "dir"))
        add(out, 0, "run directory", "%s", view_text(run, "dir"));
    add(out, 0, "started, finished", "%s, %s (UTC)", text_or(run, "started_utc", "?"),
        text_or(run, "finished_utc", "?"));
    if (json_is_integer(json_object_get(run, "jobs")))
        add(out, 0, "jobs", "%lld at once; pinning: %s",
            (long long)json_integer_value(json_object_get(run, "jobs")),
            text_or(run, "pinning", "?"));
}

/* Run-level notes and warnings: how the run ended, its build, the spec's words. */
static void run_notes(struct facts *out, const json_t *doc)
{
    const json_t *run = json_object_get(doc, "run"), *spec = json_object_get(doc, "spec");
    const json_t *build = json_object_get(json_object_get(doc, "environment"), "build");
    const char *status = text_or(run, "status", "");
    if (strcmp(status, "interrupted") == 0)
        add(out, 1, "run", "the run was interrupted (SIGINT or SIGTERM): only the points that "
            "finished are here; bhost run --resume finishes it");
    long long skipped = json_integer_value(json_object_get(run, "points_skipped"));
    if (skipped)
        add(out, 1, "run", "%lld point%s skipped: the time budget was used up", skipped,
            skipped == 1 ? " was" : "s were");
    long long partial = json_integer_value(json_object_get(run, "points_partial"));
    if (partial)
        add(out, 1, "run", "%lld point%s partial: %s process died after measuring; %s the "
            "repetitions it finished", partial, partial == 1 ? " is" : "s are",
            partial == 1 ? "its" : "their", partial == 1 ? "it keeps" : "they keep");
    if (json_is_true(json_object_get(build, "sanitized")))
        add(out, 1, "build", "bhost was built with sanitizers: the timings are not "
            "representative");
    const char *type = text_or(build, "build_type", "");
    if (strcmp(type, "Debug") == 0 || (build && !*type))
        add(out, 1, "build", "bhost was built without optimisation (%s)",
            *type ? type : "no build type");
    const char *fallback = view_text(json_object_get(json_object_get(doc, "environment"), "timer"),
                                     "fallback");
    if (fallback)
        add(out, 1, "timer", "%s", fallback);
    if (view_text(run, "filter"))
        add(out, 0, "run", "only the points matching --filter '%s' ran (%lld of %lld)",
            view_text(run, "filter"), (long long)json_integer_value(json_object_get(run, "points_run")),
            (long long)json_integer_value(json_object_get(run, "points_total")));
    size_t merged = json_array_size(json_object_get(doc, "merged_from"));
    if (merged)
        add(out, 0, "run", "merged from %zu runs (bhost merge)", merged);
    if (view_text(spec, "notes"))
        add(out, 0, "spec", "%s", view_text(spec, "notes"));
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(spec, "experiments"), i, e)
        if (view_text(e, "notes"))
            add(out, 0, text_or(e, "name", "?"), "%s", view_text(e, "notes"));
}

static void point_notes(struct facts *out, const json_t *pt)
{
    const char *label = text_or(pt, "label", "?"), *key;
    const json_t *x;
    long long left = json_integer_value(json_object_get(pt, "processes_left"));
    if (left)
        add_for_point(out, 1, label, "%lld process%s it started %s still running when it ended "
            "(killed)", left, left == 1 ? "" : "es", left == 1 ? "was" : "were");
    if (json_is_true(json_object_get(json_object_get(pt, "iterations"), "capped")))
        add_for_point(out, 1, label, "a repetition stopped at the cap of 10^12 iterations before its "
            "min_time");
    json_object_foreach(json_object_get(pt, "metrics"), key, x)
        if (strcmp(text_or(x, "kind", ""), "unavailable") == 0)
            add_for_point(out, 0, label, "%s unavailable: %s", key, text_or(x, "reason", "no reason given"));
    json_object_foreach(json_object_get(pt, "notes"), key, x)
        if (json_is_string(x))
            add_for_point(out, 0, label, "%s: %s", key, json_string_value(x));
}

void facts_notes(struct facts *out, const json_t *doc)
{
    run_notes(out, doc);
    size_t i;
    const json_t *x, *n;
    json_array_foreach(json_object_get(doc, "instruments"), i, x) {
        char *name = xasprintf("%s (on %s)", text_or(x, "instrument", "?"),
                               text_or(x, "experiment", "?"));
        if (view_text(x, "error"))
            add(out, 1, name, "%s", view_text(x, "error"));
        const char *key;
        json_object_foreach(json_object_get(x, "notes"), key, n)
            if (json_is_string(n))
                add(out, 0, name, "%s: %s", key, json_string_value(n));
        free(name);
    }
    json_array_foreach(json_object_get(doc, "points"), i, x)
        point_notes(out, x);
    name_the_rest(out);
}

json_t *facts_gate_groups(const json_t *judgements)
{
    json_t *groups = json_array();
    size_t i, j;
    const json_t *g;
    json_t *h;
    json_array_foreach(judgements, i, g) {
        const json_t *gate = json_object_get(g, "gate"), *where = json_object_get(g, "where");
        json_t *found = NULL;
        json_array_foreach(groups, j, h)
            if (json_equal(json_object_get(h, "gate"), gate) &&
                json_equal(json_object_get(h, "where"), where))
                found = h;
        if (!found) {
            found = json_pack("{s:O?, s:O?, s:[iiii]}", "gate", gate, "where", where, "counts",
                              0, 0, 0, 0);
            json_array_append_new(groups, found);
        }
        json_t *counts = json_object_get(found, "counts");
        size_t s = (size_t)view_gate_state_of(g);
        json_array_set_new(counts, s, json_integer(json_integer_value(json_array_get(counts, s)) + 1));
    }
    return groups;
}

char *facts_tail(const char *tail, int lines)
{
    if (!tail || !*tail)
        return NULL;
    size_t len = strlen(tail);
    while (len && (tail[len - 1] == '\n' || tail[len - 1] == '\r'))
        len--;
    size_t start = len;
    for (int seen = 0; start > 0; start--)
        if (tail[start - 1] == '\n' && ++seen == lines)
            break;
    char *out = xmalloc(len - start + 1);
    size_t at = 0, col = 0;
    for (size_t k = start; k < len; k++) {
        col = tail[k] == '\n' ? 0 : col + 1;
        if (col <= 300 || tail[k] == '\n')
            out[at++] = tail[k];
    }
    out[at] = '\0';
    return out;
}

void facts_points_line(char *buf, size_t n, const struct view *v, const json_t *doc)
{
    long long total = json_integer_value(json_object_get(json_object_get(doc, "run"),
                                                         "points_total"));
    int used = snprintf(buf, n, "%zu point%s: %zu ok", v->npoints, v->npoints == 1 ? "" : "s",
                        v->ok);
    const struct {
        size_t count;
        const char *what;
    } others[] = {{v->failed, "failed"}, {v->partial, "partial"}, {v->skipped, "skipped"}};
    for (size_t k = 0; k < sizeof others / sizeof others[0]; k++)
        if (others[k].count && used > 0 && (size_t)used < n)
            used += snprintf(buf + used, n - (size_t)used, ", %zu %s", others[k].count,
                             others[k].what);
    if (total > (long long)v->npoints && used > 0 && (size_t)used < n)
        snprintf(buf + used, n - (size_t)used, " (of %lld in the sweep)", total);
}

void facts_gates_line(char *buf, size_t n, const struct view *v)
{
    if (!v->ngates) {
        snprintf(buf, n, "none in the spec");
        return;
    }
    int used = 0;
    buf[0] = '\0';
    for (int s = 0; s < GATE_STATES; s++)
        if (v->gates[s] && used >= 0 && (size_t)used < n)
            used += snprintf(buf + used, n - (size_t)used, "%s%zu %s", used ? ", " : "",
                             v->gates[s], view_gate_state_name((enum view_gate_state)s));
}
