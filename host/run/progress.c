/* progress.c — see progress.h. */
#include "run/progress.h"
#include "results/table.h"
#include "util/clock.h"
#include "util/mem.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void report_begin(struct report *r, FILE *out, int quiet, size_t npoints)
{
    *r = (struct report){.out = out, .tty = isatty(fileno(out)), .quiet = quiet,
                         .total = npoints, .start_ns = clock_now_ns()};
    r->brief = !r->tty && npoints > PROGRESS_BRIEF_ABOVE;
    r->last_line_ns = r->start_ns;
    if (r->brief && !quiet)
        fprintf(out, "running %zu points: a progress line at every tenth and every 10 s, and a "
                "line for each failure\n", npoints);
}

/* 75 s -> "1m15s": the coarsest units that still say it. */
static void format_duration(char *buf, size_t n, double s)
{
    unsigned long long t = s < 0 ? 0 : (unsigned long long)(s + 0.5);
    if (t < 60)
        snprintf(buf, n, "%llus", t);
    else if (t < 3600)
        snprintf(buf, n, "%llum%02llus", t / 60, t % 60);
    else
        snprintf(buf, n, "%lluh%02llum", t / 3600, t / 60 % 60);
}

/* "elapsed 1m15s, ~3m02s left": the estimate from the points this session ran so far. */
static void format_times(const struct report *r, char *buf, size_t n)
{
    double elapsed = (double)(clock_now_ns() - r->start_ns) / 1e9;
    char e[32], left[32];
    format_duration(e, sizeof e, elapsed);
    size_t ran = r->done - r->earlier;
    if (ran == 0 || r->done >= r->total) {
        snprintf(buf, n, "elapsed %s", e);
        return;
    }
    format_duration(left, sizeof left, elapsed / (double)ran * (double)(r->total - r->done));
    snprintf(buf, n, "elapsed %s, ~%s left", e, left);
}

/* A brief run's line, every PROGRESS_EVERY_NS or tenth of the run. */
static void maybe_progress_line(struct report *r)
{
    if (!r->brief || r->quiet)
        return;
    uint64_t now = clock_now_ns();
    size_t tenth = r->total ? r->done * 10 / r->total : 10;
    if (tenth == r->last_tenth && now - r->last_line_ns < PROGRESS_EVERY_NS)
        return;
    r->last_tenth = tenth;
    r->last_line_ns = now;
    char times[96];
    format_times(r, times, sizeof times);
    fprintf(r->out, "[%zu/%zu] %zu%% done, %zu failed", r->done, r->total,
            r->total ? r->done * 100 / r->total : 100, r->failed);
    if (r->skipped)
        fprintf(r->out, ", %zu skipped", r->skipped);
    fprintf(r->out, "; %s\n", times);
    fflush(r->out);
}

static const char *side(const struct report *r)
{
    return r->side ? r->side : "";
}

void report_point_start(struct report *r, const char *label)
{
    if (r->tty && !r->quiet) {
        char times[96];
        format_times(r, times, sizeof times);
        fprintf(r->out, "\r\033[K[%zu/%zu] %s%s ... (%s)", r->done + 1, r->total, side(r), label,
                times);
        fflush(r->out);
        r->progress_shown = 1;
    }
}

static int told(const struct report *r, const char *key)
{
    for (size_t i = 0; i < r->nunavailable; i++)
        if (strcmp(r->unavailable[i], key) == 0)
            return 1;
    return 0;
}

/*
 * "bhost: unavailable here: perf.cycles, perf.instructions (<reason>)", the
 * first time the run meets a reason: every point would give it again.
 */
static void tell_unavailable(struct report *r, const json_t *point)
{
    const char *name, *other;
    json_t *m, *n;
    json_t *metrics = json_object_get(point, "metrics");
    json_object_foreach(metrics, name, m) {
        const char *reason = json_string_value(json_object_get(m, "reason"));
        if (!reason || told(r, reason))
            continue;
        fprintf(stderr, "bhost: unavailable here: ");
        int first = 1;
        json_object_foreach(metrics, other, n) {
            const char *why = json_string_value(json_object_get(n, "reason"));
            if (why && strcmp(why, reason) == 0) {
                fprintf(stderr, "%s%s", first ? "" : ", ", other);
                first = 0;
            }
        }
        fprintf(stderr, " (%s)\n", reason);
        grow(&r->unavailable, &r->cap_unavailable, r->nunavailable, sizeof *r->unavailable);
        r->unavailable[r->nunavailable++] = xstrdup(reason);
    }
}

/* A point that ran with some iterations failed: how many, and the most frequent reason. */
static void tell_failed_iterations(struct report *r, const json_t *point, const char *label)
{
    json_t *f = json_object_get(point, "failures");
    json_int_t count = json_integer_value(json_object_get(f, "count"));
    if (count <= 0)
        return;
    const char *top = NULL;
    json_int_t top_count = 0;
    size_t i;
    json_t *reason;
    json_array_foreach(json_object_get(f, "reasons"), i, reason) {
        json_int_t n = json_integer_value(json_object_get(reason, "count"));
        if (!top || n > top_count) {
            top = json_string_value(json_object_get(reason, "reason"));
            top_count = n;
        }
    }
    json_int_t measured = json_integer_value(json_object_get(json_object_get(point,
                                                                             "iterations"),
                                                             "measured"));
    if (!top)
        top = "";
    fprintf(r->out, "[%zu/%zu] %s%s: %lld of %lld measured iterations failed%s%.*s\n",
            r->done, r->total, side(r), label, (long long)count, (long long)measured,
            *top ? ": " : "", (int)utf8_prefix(top, 300), top);
}

void report_point_done(struct report *r, const json_t *point)
{
    r->done++;
    const char *status = json_string_value(json_object_get(point, "status"));
    int ok = status && strcmp(status, "ok") == 0;
    int skipped = status && strcmp(status, "skipped") == 0;
    r->failed += !ok && !skipped;
    r->skipped += skipped;
    const char *label = json_string_value(json_object_get(point, "label"));
    if (r->tty && !r->quiet)
        fputs("\r\033[K", r->out);
    r->progress_shown = 0;
    json_t *partial = json_object_get(point, "partial");
    if (!ok && json_is_object(partial)) {
        fprintf(r->quiet ? stderr : r->out, "[%zu/%zu] %s%s PARTIAL: %s (%lld of %lld "
                "repetitions kept)\n", r->done, r->total, side(r), label,
                json_string_value(json_object_get(point, "error")),
                (long long)json_integer_value(json_object_get(partial, "repetitions_kept")),
                (long long)json_integer_value(json_object_get(partial, "repetitions_planned")));
    } else if (skipped && r->brief) {
        /* counted in the progress lines: a used-up budget skips many */
    } else if (!ok) {
        /* A failure is news even with -q: on stderr there. */
        fprintf(r->quiet ? stderr : r->out, "[%zu/%zu] %s%s %s: %s\n", r->done, r->total,
                side(r), label,
                skipped ? "SKIPPED" : "FAILED",
                json_string_value(json_object_get(point, "error")));
    } else if (!r->tty && !r->quiet && !r->brief) {
        json_t *it = json_object_get(json_object_get(point, "histograms"), "iteration");
        char p50[32];
        format_ns(p50, sizeof p50, json_number_value(json_object_get(it, "p50")));
        fprintf(r->out, "[%zu/%zu] %s%s ok (p50 %s, %.2f s)\n", r->done, r->total, side(r),
                label, p50,
                json_number_value(json_object_get(point, "wall_s")));
    }
    if (ok && !r->quiet)
        tell_failed_iterations(r, point, label);
    if (!r->quiet)
        tell_unavailable(r, point);
    maybe_progress_line(r);
    fflush(r->out);
}

void report_point_earlier(struct report *r, const char *label, const char *status)
{
    r->done++;
    r->earlier++;
    r->failed += strcmp(status, "ok") != 0;
    if (!r->quiet && !r->tty && !r->brief)
        fprintf(r->out, "[%zu/%zu] %s%s: done before the resume (%s)\n", r->done, r->total,
                side(r), label, status);
    /* Not progress of this session: the "resuming" line said how many; the tenths move on. */
    r->last_tenth = r->total ? r->done * 10 / r->total : 10;
}

void report_clear_progress(struct report *r)
{
    if (!r->progress_shown)
        return;
    fputs("\r\033[K", r->out);
    fflush(r->out);
    r->progress_shown = 0;
}

void report_end(struct report *r)
{
    if (r->tty && !r->quiet)
        fputs("\r\033[K", r->out);
    fflush(r->out);
    for (size_t i = 0; i < r->nunavailable; i++)
        free(r->unavailable[i]);
    free(r->unavailable);
    r->unavailable = NULL;
    r->nunavailable = r->cap_unavailable = 0;
}
