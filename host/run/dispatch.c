/* dispatch.c — see dispatch.h and docs/reliability.md. */
#include "run/dispatch.h"
#include "results/journal.h"
#include "results/merge_points.h"
#include "run/isolate.h"
#include "run/plan.h"
#include "run/point_json.h"
#include "util/reaper.h"
#include "util/clock.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* Where each point of a side stands. */
struct slot {
    json_t **parts;        /* run repetition by repetition: each repetition's result */
    uint32_t nparts, planned;
    uint32_t started;      /* repetition tasks started */
    int settled;           /* decided before running: done earlier, or skipped */
};

struct state {
    struct dispatch *d;
    struct slot **slots;   /* per side, per point */
    uint64_t start;
};

/* A point's result arrives: journaled first, so a kill right after loses nothing. */
static void arrived(struct state *st, size_t side, size_t point, json_t *result)
{
    struct dispatch_side *ds = &st->d->sides[side];
    uint64_t offset;
    size_t len;
    int journaled = ds->journal && journal_append(ds->journal, result, &offset, &len) == 0;
    st->d->rep->side = ds->tag;
    report_point_done(st->d->rep, result);
    if (journaled) { /* dropped: the journal has it */
        point_store_put_journaled(ds->store, point, result, offset, len);
        json_decref(result);
    } else {
        point_store_put(ds->store, point, result);
    }
}

/* A point the time budget left out, made again when the results are written. */
static json_t *make_skipped(void *arg, size_t point)
{
    const struct dispatch_side *ds = arg;
    char *why = xasprintf("not run: the --time-budget of %g s was used up", ds->time_budget_s);
    json_t *out = point_json_skipped(&ds->w->points[point], why);
    free(why);
    return out;
}

/* After each task: a TSC that drifts from CLOCK_MONOTONIC is no clock; the next use the other. */
static void check_clock(struct dispatch *d)
{
    if (d->timer && timer_check(d->timer, &d->drift_ppm_max) != 0) {
        report_clear_progress(d->rep);
        fprintf(stderr, "bhost: warning: %s\n", d->timer->fallback);
    }
}

/* The point's repetitions as one result; on a merge error, the first part says so. */
static json_t *merged_parts(struct state *st, size_t side, struct slot *s)
{
    char err[1024];
    json_t *out = merge_point_parts(s->parts, s->nparts, st->d->sides[side].run_dir, err,
                                    sizeof err);
    if (!out) {
        out = json_deep_copy(s->parts[0]);
        json_object_set_new(out, "status", json_string("failed"));
        json_object_set_new(out, "error", json_string(err));
    }
    for (uint32_t i = 0; i < s->nparts; i++)
        json_decref(s->parts[i]);
    free(s->parts);
    s->parts = NULL;
    return out;
}

/* A task's result: a whole point's, or one repetition of a point run repetition by one. */
static void task_done(struct state *st, const struct task *t, json_t *result)
{
    check_clock(st->d);
    struct slot *s = &st->slots[t->side][t->point];
    if (!t->pt.repetition) {
        arrived(st, t->side, t->point, result);
        return;
    }
    if (!s->parts)
        s->parts = xcalloc(s->planned, sizeof *s->parts);
    s->parts[s->nparts++] = result;
    if (s->nparts == s->planned)
        arrived(st, t->side, t->point, merged_parts(st, t->side, s));
}

/*
 * Whether a task is to run. A point the journal has, or one the time budget leaves out
 * before it began, is settled for good (its result set, its other tasks skipped).
 */
static int to_run(struct state *st, const struct task *t)
{
    struct dispatch *d = st->d;
    struct slot *s = &st->slots[t->side][t->point];
    if (s->settled)
        return 0;
    const struct point *pt = &d->sides[t->side].w->points[t->point];
    d->rep->side = d->sides[t->side].tag;
    struct point_store *store = d->sides[t->side].store;
    const char *status = s->started == 0 ? point_store_status(store, t->point) : NULL;
    if (status && strcmp(status, "partial") != 0) {
        report_point_earlier(d->rep, pt->label, status);
        s->settled = 1;
        return 0;
    }
    if (status) /* a partial one runs again */
        point_store_clear(store, t->point);
    uint64_t budget_ns = (uint64_t)(d->time_budget_s * 1e9);
    if (budget_ns && clock_now_ns() - st->start >= budget_ns) {
        if (s->started)
            return 0; /* it keeps the repetitions it ran: see finish_partial() */
        json_t *skipped = make_skipped(&d->sides[t->side], t->point);
        report_point_done(d->rep, skipped); /* not journaled: a resume runs it */
        json_decref(skipped);
        point_store_put_made(store, t->point, "skipped");
        s->settled = 1;
        return 0;
    }
    if (s->started++ == 0 || t->pt.repetition)
        report_point_start(d->rep, pt->label);
    return 1;
}

static void run_in_host(struct state *st, const struct plan *p)
{
    struct dispatch *d = st->d;
    reaper_adopt(); /* what a point starts is the host's to end, even after setsid() */
    for (size_t i = 0; i < p->ntasks && !*d->stop; i++) {
        const struct task *t = &p->tasks[i];
        if (!to_run(st, t))
            continue;
        json_t *result = runner_point(d->sides[t->side].runner, &t->pt);
        if (!result) {
            fprintf(stderr, "bhost: internal error: cannot build the results of %s\n",
                    t->pt.label);
            exit(3);
        }
        point_json_left(result, reaper_kill_children(NULL, 0, REAPER_GRACE_MS));
        task_done(st, t, result);
    }
}

/* A point's output goes to the terminal too: not onto the end of the progress line. */
static void clear_progress(void *rep)
{
    report_clear_progress(rep);
}

static void run_in_children(struct state *st, const struct plan *p)
{
    struct dispatch *d = st->d;
    struct isolate_pool pool;
    uint32_t max_threads = 1;
    for (size_t i = 0; i < p->ntasks; i++)
        max_threads = p->tasks[i].pt.threads > max_threads ? p->tasks[i].pt.threads
                                                           : max_threads;
    isolate_pool_init(&pool, d->jobs, max_threads, d->pinning, sizeof d->pinning);
    pool.before_output = clear_progress;
    pool.before_output_arg = d->rep;
    size_t next = 0;
    for (;;) {
        while (pool.running < pool.jobs && next < p->ntasks && !*d->stop) {
            const struct task *t = &p->tasks[next++];
            if (!to_run(st, t))
                continue;
            json_t *failed = isolate_pool_start(&pool, d->sides[t->side].runner, &t->pt,
                                                t->pt.exp->timeout);
            if (failed)
                task_done(st, t, failed);
        }
        if (pool.running == 0)
            break;
        const struct point *pt;
        json_t *result = isolate_pool_wait(&pool, d->stop, &pt);
        if (result)
            task_done(st, plan_task_of(pt), result);
        /* else: stopped mid-task; it did not finish, so it is not reported */
    }
    isolate_pool_fini(&pool);
}

/*
 * A point run repetition by repetition that did not get all of them (a stop, the time
 * budget): the repetitions it finished, as a partial point, not journaled.
 */
static void finish_partial(struct state *st, size_t side, size_t point, struct slot *s)
{
    uint32_t planned = s->planned;
    json_t *out = merged_parts(st, side, s);
    if (strcmp(json_string_value(json_object_get(out, "status")), "ok") == 0) {
        json_object_set_new(out, "status", json_string("partial"));
        json_object_set_new(out, "error",
                            json_sprintf("%u of its %u repetitions ran before the run stopped",
                                         s->nparts, planned));
        json_object_set_new(out, "partial",
                            json_pack("{s:i, s:i, s:i}", "repetitions_kept", (int)s->nparts,
                                      "repetitions_planned", (int)planned,
                                      "iterations_cut_short", 0));
    }
    st->d->rep->side = st->d->sides[side].tag;
    report_point_done(st->d->rep, out);
    point_store_put(st->d->sides[side].store, point, out);
}

void dispatch_run(struct dispatch *d)
{
    const struct sweep **sweeps = xcalloc(d->nsides, sizeof *sweeps);
    struct state st = {.d = d, .slots = xcalloc(d->nsides, sizeof *st.slots),
                       .start = clock_now_ns()};
    for (size_t s = 0; s < d->nsides; s++) {
        sweeps[s] = d->sides[s].w;
        d->sides[s].time_budget_s = d->time_budget_s;
        point_store_set_maker(d->sides[s].store, make_skipped, &d->sides[s]);
        st.slots[s] = xcalloc(sweeps[s]->npoints + 1, sizeof **st.slots);
        for (size_t i = 0; i < sweeps[s]->npoints; i++)
            st.slots[s][i].planned = sweeps[s]->points[i].exp->repetitions;
    }
    struct plan plan;
    plan_make(&plan, sweeps, d->nsides, d->interleave, d->seed);
    snprintf(d->pinning, sizeof d->pinning, "none: one job at a time");
    if (d->isolate)
        run_in_children(&st, &plan);
    else
        run_in_host(&st, &plan);
    for (size_t s = 0; s < d->nsides; s++) {
        for (size_t i = 0; i < sweeps[s]->npoints; i++) {
            struct slot *sl = &st.slots[s][i];
            if (sl->parts) /* repetitions that did not make a whole point */
                finish_partial(&st, s, i, sl);
            free(sl->parts);
        }
        free(st.slots[s]);
    }
    plan_free(&plan);
    free(st.slots);
    free(sweeps);
}
