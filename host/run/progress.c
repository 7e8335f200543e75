/* progress.c — see progress.h. */
#include "run/progress.h"
#include "results/table.h"

#include <string.h>
#include <unistd.h>

void report_begin(struct report *r, FILE *out, int quiet, size_t npoints)
{
    *r = (struct report){.out = out, .tty = isatty(fileno(out)), .quiet = quiet,
                         .total = npoints};
}

void report_point_start(struct report *r, const char *label)
{
    if (r->tty && !r->quiet) {
        fprintf(r->out, "\r\033[K[%zu/%zu] %s ...", r->done + 1, r->total, label);
        fflush(r->out);
        r->progress_shown = 1;
    }
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
        fprintf(r->quiet ? stderr : r->out, "[%zu/%zu] %s PARTIAL: %s (%lld of %lld "
                "repetitions kept)\n", r->done, r->total, label,
                json_string_value(json_object_get(point, "error")),
                (long long)json_integer_value(json_object_get(partial, "repetitions_kept")),
                (long long)json_integer_value(json_object_get(partial, "repetitions_planned")));
    } else if (!ok) {
        /* A failure is news even with -q: on stderr there. */
        fprintf(r->quiet ? stderr : r->out, "[%zu/%zu] %s %s: %s\n", r->done, r->total, label,
                skipped ? "SKIPPED" : "FAILED",
                json_string_value(json_object_get(point, "error")));
    } else if (!r->tty && !r->quiet) {
        json_t *it = json_object_get(json_object_get(point, "histograms"), "iteration");
        char p50[32];
        format_ns(p50, sizeof p50, json_number_value(json_object_get(it, "p50")));
        fprintf(r->out, "[%zu/%zu] %s ok (p50 %s, %.2f s)\n", r->done, r->total, label, p50,
                json_number_value(json_object_get(point, "wall_s")));
    }
    fflush(r->out);
}

void report_point_earlier(struct report *r, const json_t *point)
{
    r->done++;
    const char *status = json_string_value(json_object_get(point, "status"));
    r->failed += !status || strcmp(status, "ok") != 0;
    if (!r->quiet && !r->tty)
        fprintf(r->out, "[%zu/%zu] %s: done before the resume (%s)\n", r->done, r->total,
                json_string_value(json_object_get(point, "label")), status ? status : "?");
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
}
