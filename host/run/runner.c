/* runner.c — see runner.h. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "run/runner.h"
#include "run/loops.h"
#include "run/point_json.h"
#include "run/schedule.h"
#include "run/services.h"
#include "util/clock.h"
#include "util/files.h"
#include "util/mem.h"
#include "util/text.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the run's instruments ----------------------------------------------- */

static void instrument_ctx(struct runner *r, struct instrument_run *ir, struct host_ctx *c)
{
    const struct bhost_plugin *d = &ir->si->plugin->desc;
    ctx_init(c, ir->si->plugin, ir->si->values, NULL, &ir->metrics, "", ir->exp->seed, d->name);
    c->timer = r->timer;
    c->artifacts = &ir->artifacts;
    c->tables = &ir->tables;
    c->notes = &ir->notes;
    c->artifact_dir = ir->artifact_dir;
}

void runner_start(struct runner *r, const struct spec *s, const struct sweep *w,
                  const char *run_dir, const char *scratch_root, const struct timer *timer)
{
    *r = (struct runner){.spec = s, .scratch_root = scratch_root, .run_dir = run_dir,
                         .timer = timer};
    for (size_t e = 0; e < s->nexperiments; e++) {
        const struct spec_experiment *exp = &s->experiments[e];
        size_t i = 0;
        while (i < w->npoints && w->points[i].exp != exp)
            i++;
        if (i == w->npoints)
            continue;
        r->insts = xrealloc(r->insts, (r->ninsts + exp->ninstruments) * sizeof *r->insts);
        for (size_t k = 0; k < exp->ninstruments; k++) {
            struct instrument_run *ir = &r->insts[r->ninsts++];
            *ir = (struct instrument_run){.exp = exp, .si = &exp->instruments[k]};
            const struct bhost_plugin *d = &ir->si->plugin->desc;
            ir->artifact_dir = run_dir ? xasprintf("%s/artifacts/run/%s", run_dir, exp->name)
                                       : NULL;
            ir->started = 1;
            if (!d->run_start)
                continue;
            struct host_ctx c;
            instrument_ctx(r, ir, &c);
            int rc = d->run_start(&c.pub, &ir->state);
            if (rc != BHOST_OK || c.misuse) {
                ir->error = c.misuse ? xstrdup(c.misuse) : ctx_take_reason(&c, rc);
                ir->started = 0;
            }
            ctx_fini(&c);
        }
    }
}

json_t *runner_finish(struct runner *r)
{
    json_t *out = json_array();
    for (size_t i = 0; i < r->ninsts; i++) {
        struct instrument_run *ir = &r->insts[i];
        const struct bhost_plugin *d = &ir->si->plugin->desc;
        if (ir->started && d->run_end) {
            struct host_ctx c;
            instrument_ctx(r, ir, &c);
            d->run_end(&c.pub, ir->state);
            if (c.misuse && !ir->error)
                ir->error = xstrdup(c.misuse);
            ctx_fini(&c);
        }
        json_array_append_new(out, instrument_json(ir));
        metrics_fini(&ir->metrics);
        artifacts_fini(&ir->artifacts);
        tables_fini(&ir->tables);
        notes_fini(&ir->notes);
        free(ir->artifact_dir);
        free(ir->error);
    }
    free(r->insts);
    r->insts = NULL;
    r->ninsts = 0;
    return out;
}

/* ---- one point ------------------------------------------------------------- */

/* Everything the threads of one point share. */
struct point_run_ctx {
    struct runner *r;
    const struct point *pt;
    struct point_state *ps;
    struct point_run *pr;
    struct host_ctx *main;      /* thread 0's context, setup's and teardown's */
    void *state;                /* the experiment's, from setup() */
    pthread_barrier_t barrier;
    pthread_mutex_t error_lock;
    atomic_int stop;            /* a hook failed: the rest of the point is skipped */
    uint64_t *thread_wall_ns;   /* per thread: its loop's wall time in this repetition */
    uint64_t *thread_iterations;
};

static void together(struct point_run_ctx *x)
{
    if (x->ps->nthreads > 1)
        pthread_barrier_wait(&x->barrier);
}

/* The point's first error wins; later ones are dropped. */
static void set_error(struct point_run_ctx *x, char *error)
{
    pthread_mutex_lock(&x->error_lock);
    if (!x->pr->error)
        x->pr->error = error;
    else
        free(error);
    pthread_mutex_unlock(&x->error_lock);
    atomic_store(&x->stop, 1);
}

/* Ends a hook's call: its failure or API misuse fails the point. */
static int hook_ok(struct point_run_ctx *x, struct host_ctx *c, int rc, const char *hook)
{
    char *error = NULL;
    if (c->misuse) {
        error = xasprintf("%s: %s", hook, c->misuse);
    } else if (rc != BHOST_OK) {
        char *why = ctx_take_reason(c, rc);
        error = xasprintf("%s failed: %s", hook, why);
        free(why);
    }
    if (!error)
        return 1;
    set_error(x, error);
    return 0;
}

enum instrument_hook { POINT_START, POINT_END, THREAD_START, THREAD_END, PAUSE, RESUME };

/* One hook of each instrument of the point's experiment, on the calling thread `t`. */
static void instruments_hook(struct point_run_ctx *x, enum instrument_hook which, uint32_t t)
{
    static const char *const names[] = {"point_start", "point_end", "thread_start",
                                        "thread_end", "pause", "resume"};
    /* Nested: the hooks that open a measured stretch run last to first, those that close it
     * first to last, so the first instrument listed is the innermost and measures none of
     * the others' hooks (list the sampler first). */
    int opening = which == POINT_START || which == THREAD_START || which == RESUME;
    for (size_t n = 0; n < x->r->ninsts; n++) {
        size_t i = opening ? x->r->ninsts - 1 - n : n;
        struct instrument_run *ir = &x->r->insts[i];
        /* By name: a repetition run on its own has a copy of its experiment (plan.h). */
        if (ir->exp != x->pt->exp && strcmp(ir->exp->name, x->pt->exp->name) != 0)
            continue;
        const struct bhost_plugin *d = &ir->si->plugin->desc;
        if (which == POINT_START && !ir->started) {
            set_error(x, xasprintf("instrument '%s' did not start: %s", d->name,
                                   ir->error ? ir->error : "unknown reason"));
            return;
        }
        if (which != POINT_START && !ir->in_point)
            continue;
        int (*hook)(bhost_ctx *, void *) = which == POINT_START    ? d->point_start
                                           : which == POINT_END    ? d->point_end
                                           : which == THREAD_START ? d->thread_start
                                           : which == THREAD_END   ? d->thread_end
                                           : which == PAUSE        ? d->pause
                                                                   : d->resume;
        if (which == POINT_END)
            ir->in_point = 0;
        if (!hook) {
            ir->in_point |= which == POINT_START;
            continue;
        }
        char *prefix = xasprintf("%s.", d->name);
        char *what = which >= THREAD_START && x->ps->nthreads > 1
                         ? xasprintf("instrument '%s' %s on thread %u", d->name, names[which], t)
                         : xasprintf("instrument '%s' %s", d->name, names[which]);
        struct host_ctx base, c;
        ctx_init(&base, ir->si->plugin, ir->si->values, x->ps, &x->ps->lanes[0].metrics, prefix,
                 x->pt->seed, d->name);
        base.timer = x->r->timer;
        base.artifact_dir = x->main->artifact_dir;
        ctx_for_thread(&c, &base, t);
        int ok = hook_ok(x, &c, hook(&c.pub, ir->state), what);
        ir->in_point |= which == POINT_START && ok;
        ctx_fini(&c);
        free(what);
        free(prefix);
        if (!ok && which == POINT_START)
            return;
    }
}

/* A lane's counters, to forget what a phase (warm-up, calibration) added to them. */
static double *save_counters(const struct lane *lane, size_t *n)
{
    *n = lane->metrics.n;
    double *v = xcalloc(*n + 1, sizeof *v);
    for (size_t i = 0; i < *n; i++)
        v[i] = lane->metrics.v[i].value;
    return v;
}

/* Counters back as saved (made since: 0), failures forgotten; gauges keep their last value:
 * they describe state, not work done. */
static void forget_phase(struct lane *lane, double *saved, size_t n)
{
    failures_clear(&lane->fails);
    for (size_t i = 0; i < lane->metrics.n; i++)
        if (lane->metrics.v[i].kind == METRIC_COUNTER)
            lane->metrics.v[i].value = i < n ? saved[i] : 0;
    free(saved);
}

/*
 * Warm-up leaves nothing behind: not its timings, failures or counts. Each
 * thread restores its own lane; the histograms are reset once all threads
 * are done.
 */
static void warm_up(struct point_run_ctx *x, struct host_ctx *c, struct point_live *live)
{
    struct lane *lane = &x->ps->lanes[c->thread];
    size_t n;
    double *saved = save_counters(lane, &n);
    uint64_t wall, warmup = x->pt->exp->warmup;
    point_live_begin(live, 0);
    uint64_t done = warmup ? loop_measure(c, x->state, x->pr, live, 0, warmup, 0, &wall) : 0;
    if (c->thread == 0)
        x->pr->warmup_done = done;
    forget_phase(lane, saved, n);
}

/* The time of day, for results that place repetitions in time (run.hlog). */
static uint64_t wall_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A thread's misuse of the API, noticed once its calls are over. */
static void check_misuse(struct point_run_ctx *x, struct host_ctx *c, const char *where)
{
    if (c->misuse && !atomic_load(&x->stop))
        set_error(x, xasprintf("%s: %s", where, c->misuse));
}

/* How many iterations a timed batch runs, found on thread 0 alone, the others waiting.
 * Calibration is warm-up too: what it counts is forgotten. */
static void calibrate_batch(struct point_run_ctx *x, struct host_ctx *c, struct point_live *live)
{
    size_t n;
    double *saved = save_counters(&x->ps->lanes[0], &n);
    x->pr->batch = loop_calibrate_batch(c, x->state, live);
    forget_phase(&x->ps->lanes[0], saved, n);
    check_misuse(x, c, "iterate_batch");
}

/* What every thread does, thread 0 on the point's own thread; the rest in lockstep. */
static void run_thread(struct point_run_ctx *x, uint32_t t)
{
    struct host_ctx c;
    ctx_for_thread(&c, x->main, t);
    const struct bhost_plugin *d = &x->pt->exp->plugin->desc;
    const struct spec_experiment *e = x->pt->exp;
    struct point_live *live = &x->pr->live[t];
    int batched = d->iterate_batch && !(x->pr->open && d->iterate);
    const char *iterate_name = batched ? "iterate_batch" : "iterate";
    int started = 1; /* thread_end() runs unless thread_start() failed */
    /* With several threads, a failing thread hook says which thread it ran on. */
    char *start_hook = x->ps->nthreads > 1 ? xasprintf("thread_start on thread %u", t)
                                           : xstrdup("thread_start");
    char *end_hook = x->ps->nthreads > 1 ? xasprintf("thread_end on thread %u", t)
                                         : xstrdup("thread_end");
    if (d->thread_start)
        started = hook_ok(x, &c, d->thread_start(&c.pub, x->state), start_hook);
    together(x);
    /* A schedule calls one iteration at a time: batches would bunch arrivals. */
    if (t == 0 && d->iterate_batch && !x->pr->open && !atomic_load(&x->stop))
        calibrate_batch(x, &c, live);
    together(x);
    if (!atomic_load(&x->stop))
        warm_up(x, &c, live);
    check_misuse(x, &c, iterate_name);
    together(x);
    if (t == 0 && !atomic_load(&x->stop)) {
        point_reset_rep(x->ps, 0);
        instruments_hook(x, POINT_START, 0);
    }
    together(x);
    if (!atomic_load(&x->stop))
        instruments_hook(x, THREAD_START, t);
    together(x);
    uint64_t min_ns = (uint64_t)(e->min_time * 1e9);
    for (uint32_t rep = 0; rep < e->repetitions && !atomic_load(&x->stop); rep++) {
        if (t == 0) {
            point_select_rep(x->ps, rep);
            x->pr->rep_started_ns[rep] = wall_clock_ns();
        }
        point_live_begin(live, 1 + (uint64_t)rep);
        together(x);
        if (rep > 0)
            instruments_hook(x, RESUME, t);
        x->thread_iterations[t] = loop_measure(&c, x->state, x->pr, live, 1 + (uint64_t)rep,
                                               e->measured, min_ns, &x->thread_wall_ns[t]);
        instruments_hook(x, PAUSE, t);
        check_misuse(x, &c, iterate_name);
        together(x);
        if (t == 0) {
            /* The repetition is all threads': their counts added, the slowest one's time. */
            uint64_t n = 0, wall = 0;
            for (uint32_t k = 0; k < x->ps->nthreads; k++) {
                n += x->thread_iterations[k];
                wall = x->thread_wall_ns[k] > wall ? x->thread_wall_ns[k] : wall;
            }
            x->pr->rep_iterations[rep] = n;
            x->pr->rep_wall_ns[rep] = wall;
            point_merge_threads(x->ps, rep);
            if (x->r->repetition_done && !atomic_load(&x->stop))
                x->r->repetition_done(x->r->repetition_done_arg, x->ps, x->pr, rep);
        }
        together(x);
        live->phase = 0;
    }
    instruments_hook(x, THREAD_END, t);
    together(x);
    if (t == 0)
        instruments_hook(x, POINT_END, 0);
    together(x);
    if (started && d->thread_end)
        hook_ok(x, &c, d->thread_end(&c.pub, x->state), end_hook);
    free(start_hook);
    free(end_hook);
    ctx_fini(&c);
}

struct worker {
    struct point_run_ctx *x;
    uint32_t t;
    pthread_t id;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    char name[16]; /* what profiles and `top -H` show it as */
    snprintf(name, sizeof name, "point-t%u", w->t);
    pthread_setname_np(pthread_self(), name);
    run_thread(w->x, w->t);
    return NULL;
}

/* Threads 1.. of the point started, thread 0 run on this one, and all of them joined. */
static void run_threads(struct point_run_ctx *x)
{
    uint32_t n = x->ps->nthreads;
    if (n == 1) {
        run_thread(x, 0);
        return;
    }
    pthread_barrier_init(&x->barrier, NULL, n);
    struct worker *w = xcalloc(n, sizeof *w);
    for (uint32_t t = 1; t < n; t++) {
        w[t] = (struct worker){.x = x, .t = t};
        if (pthread_create(&w[t].id, NULL, worker_main, &w[t]) != 0) {
            fprintf(stderr, "bhost: cannot start thread %u of %u: %s\n", t, n, strerror(errno));
            exit(3); /* the barrier waits for them all: a missing thread would hang it */
        }
    }
    run_thread(x, 0);
    for (uint32_t t = 1; t < n; t++)
        pthread_join(w[t].id, NULL);
    free(w);
    pthread_barrier_destroy(&x->barrier);
}

/* The point's error when no iteration succeeded: the count, and the most frequent reason, which
 * is what a person needs to see first (results keep every reason). */
static char *all_failed(const struct failures *f, uint64_t measured)
{
    const struct reason *top = NULL;
    for (size_t i = 0; i < f->n; i++)
        if (!top || f->v[i].count > top->count)
            top = &f->v[i];
    if (!top)
        return xasprintf("every one of the %llu measured iterations failed",
                         (unsigned long long)measured);
    int cut = (int)utf8_prefix(top->text, 300);
    if (f->n == 1)
        return xasprintf("every one of the %llu measured iterations failed: %.*s",
                         (unsigned long long)measured, cut, top->text);
    return xasprintf("every one of the %llu measured iterations failed: %.*s (%llu of them; "
                     "%zu other reasons)", (unsigned long long)measured, cut, top->text,
                     (unsigned long long)top->count, f->n - 1);
}

static void run_phases(struct point_run_ctx *x)
{
    const struct spec_experiment *e = x->pt->exp;
    const struct bhost_plugin *d = &e->plugin->desc;
    struct host_ctx *c = x->main;
    if (d->setup) {
        int rc = d->setup(&c->pub, &x->state);
        if (!hook_ok(x, c, rc, "setup") && rc != BHOST_OK)
            return; /* a failed setup owns no state: no teardown */
    }
    if (!x->pr->error) {
        if (!atomic_load(&x->stop))
            run_threads(x);
        point_merge_threads(x->ps, UINT32_MAX);
        uint64_t measured = 0;
        for (uint32_t rep = 0; rep < e->repetitions; rep++)
            measured += x->pr->rep_iterations[rep];
        /* Nothing timed means nothing to report: zeros would pass for figures. */
        if (!x->pr->error && measured > 0 && x->ps->lanes[0].fails.count == measured)
            x->pr->error = all_failed(&x->ps->lanes[0].fails, measured);
    }
    if (d->teardown) {
        free(c->misuse);
        c->misuse = NULL;
        d->teardown(&c->pub, x->state);
        if (c->misuse && !x->pr->error)
            x->pr->error = xasprintf("teardown: %s", c->misuse);
    }
}

json_t *runner_point(struct runner *r, const struct point *pt)
{
    const struct spec_experiment *e = pt->exp;
    uint32_t threads = pt->threads ? pt->threads : 1;
    struct point_live *own = r->live ? NULL : xmalloc(threads * sizeof *own);
    struct point_run pr = {.batch = 1, .live = r->live ? r->live : own,
                           .clock = timer_name(r->timer)};
    pr.rep_iterations = xcalloc(e->repetitions, sizeof *pr.rep_iterations);
    pr.rep_wall_ns = xcalloc(e->repetitions, sizeof *pr.rep_wall_ns);
    pr.rep_started_ns = xcalloc(e->repetitions, sizeof *pr.rep_started_ns);
    char *scratch = point_scratch_dir(r->scratch_root, pt);
    /* A repetition run on its own keeps its files beside the other repetitions'. */
    char *artifacts = !r->run_dir        ? NULL
                      : pt->repetition ? xasprintf("%s/artifacts/%s/rep-%u", r->run_dir, pt->id,
                                                   pt->repetition)
                                       : xasprintf("%s/artifacts/%s", r->run_dir, pt->id);
    struct point_state ps;
    point_state_init(&ps, e->repetitions, threads, pt->id, scratch);
    ps.run_dir = r->run_dir;
    ps.label = pt->label;
    struct open_loop schedule;
    ps.open_loop = e->rate > 0;
    ps.exp = e;
    if (e->rate > 0) {
        schedule = (struct open_loop){.rate = e->rate, .seed = pt->seed,
                                      .poisson = e->arrival == SPEC_ARRIVAL_POISSON,
                                      .response = point_histogram(&ps, "response", NULL)};
        pr.open = &schedule;
    }
    uint64_t start = clock_now_ns();
    struct host_ctx c;
    ctx_init(&c, e->plugin, pt->values, &ps, &ps.lanes[0].metrics, "", pt->seed, pt->label);
    c.defs = e->defs;
    c.ndefs = e->ndefs;
    c.timer = r->timer;
    c.artifact_dir = artifacts;
    struct point_run_ctx x = {.r = r, .pt = pt, .ps = &ps, .pr = &pr, .main = &c};
    pthread_mutex_init(&x.error_lock, NULL);
    x.thread_wall_ns = xcalloc(threads, sizeof *x.thread_wall_ns);
    x.thread_iterations = xcalloc(threads, sizeof *x.thread_iterations);
    run_phases(&x);
    ctx_fini(&c);
    if (ps.scratch_made)
        remove_tree(scratch);
    pr.wall_ns = clock_now_ns() - start;
    json_t *out = point_json(pt, &ps, &pr);
    point_state_fini(&ps);
    pthread_mutex_destroy(&x.error_lock);
    free(x.thread_wall_ns);
    free(x.thread_iterations);
    free(pr.error);
    free(pr.rep_iterations);
    free(pr.rep_wall_ns);
    free(pr.rep_started_ns);
    free(artifacts);
    free(scratch);
    free(own);
    return out;
}
