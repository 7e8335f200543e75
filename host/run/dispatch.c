/* dispatch.c — see dispatch.h and docs/reliability.md. */
#include "run/dispatch.h"
#include "results/journal.h"
#include "run/isolate.h"
#include "run/point_json.h"
#include "util/reaper.h"
#include "util/clock.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* A point's result arrives: journaled first, so a kill right after loses nothing. */
static void arrived(struct dispatch *d, json_t **slots, const struct point *pt, json_t *result)
{
    if (d->journal)
        journal_append(d->journal, result);
    report_point_done(d->rep, result);
    slots[pt - d->w->points] = result;
    /* A TSC that drifts from CLOCK_MONOTONIC is no clock: the next points use the other. */
    if (d->timer && timer_check(d->timer, &d->drift_ppm_max) != 0) {
        report_clear_progress(d->rep);
        fprintf(stderr, "bhost: warning: %s\n", d->timer->fallback);
    }
}

/* A result the budget or the journal already settles, or NULL if `pt` must run. */
static json_t *settled(struct dispatch *d, const struct point *pt, uint64_t start)
{
    json_t *finished = json_object_get(d->done, pt->id);
    const char *status = json_string_value(json_object_get(finished, "status"));
    if (finished && status && strcmp(status, "partial") != 0) { /* a partial point runs again */
        report_point_earlier(d->rep, finished);
        return json_incref(finished);
    }
    uint64_t budget_ns = (uint64_t)(d->time_budget_s * 1e9);
    if (budget_ns && clock_now_ns() - start >= budget_ns) {
        char *why = xasprintf("not run: the --time-budget of %g s was used up",
                              d->time_budget_s);
        json_t *skipped = point_json_skipped(pt, why);
        free(why);
        report_point_done(d->rep, skipped); /* not journaled: a resume runs it */
        return skipped;
    }
    return NULL;
}

static void run_in_host(struct dispatch *d, json_t **slots, uint64_t start)
{
    reaper_adopt(); /* what a point starts is the host's to end, even after setsid() */
    for (size_t i = 0; i < d->w->npoints && !*d->stop; i++) {
        const struct point *pt = &d->w->points[i];
        if ((slots[pt - d->w->points] = settled(d, pt, start)))
            continue;
        report_point_start(d->rep, pt->label);
        json_t *result = runner_point(d->runner, pt);
        if (!result) {
            fprintf(stderr, "bhost: internal error: cannot build the results of %s\n", pt->label);
            exit(3);
        }
        point_json_left(result, reaper_kill_children(NULL, 0, REAPER_GRACE_MS));
        arrived(d, slots, pt, result);
    }
}

/* A point's output goes to the terminal too: not onto the end of the progress line. */
static void clear_progress(void *rep)
{
    report_clear_progress(rep);
}

static void run_in_children(struct dispatch *d, json_t **slots, uint64_t start)
{
    struct isolate_pool pool;
    uint32_t max_threads = 1;
    for (size_t i = 0; i < d->w->npoints; i++)
        max_threads = d->w->points[i].threads > max_threads ? d->w->points[i].threads : max_threads;
    isolate_pool_init(&pool, d->jobs, max_threads, d->pinning, sizeof d->pinning);
    pool.before_output = clear_progress;
    pool.before_output_arg = d->rep;
    size_t next = 0;
    for (;;) {
        while (pool.running < pool.jobs && next < d->w->npoints && !*d->stop) {
            const struct point *pt = &d->w->points[next++];
            if ((slots[pt - d->w->points] = settled(d, pt, start)))
                continue;
            report_point_start(d->rep, pt->label);
            json_t *failed = isolate_pool_start(&pool, d->runner, pt, pt->exp->timeout);
            if (failed)
                arrived(d, slots, pt, failed);
        }
        if (pool.running == 0)
            break;
        const struct point *pt;
        json_t *result = isolate_pool_wait(&pool, d->stop, &pt);
        if (result)
            arrived(d, slots, pt, result);
        /* else: stopped mid-point; it did not finish, so it is not reported */
    }
    isolate_pool_fini(&pool);
}

json_t *dispatch_points(struct dispatch *d)
{
    json_t **slots = xcalloc(d->w->npoints, sizeof *slots);
    uint64_t start = clock_now_ns();
    snprintf(d->pinning, sizeof d->pinning, "none: one job at a time");
    if (d->isolate)
        run_in_children(d, slots, start);
    else
        run_in_host(d, slots, start);
    json_t *points = json_array();
    for (size_t i = 0; i < d->w->npoints; i++)
        if (slots[i])
            json_array_append_new(points, slots[i]);
    free(slots);
    return points;
}
