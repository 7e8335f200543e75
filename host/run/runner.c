/* runner.c — see runner.h. */
#include "run/runner.h"
#include "run/point_json.h"
#include "run/schedule.h"
#include "run/services.h"
#include "util/clock.h"
#include "util/files.h"
#include "util/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void runner_start(struct runner *r, const struct spec *s, const struct sweep *w,
                  const char *scratch_root)
{
    *r = (struct runner){.spec = s, .scratch_root = scratch_root};
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
            ir->started = 1;
            if (!d->run_start)
                continue;
            struct host_ctx c;
            ctx_init(&c, ir->si->plugin, ir->si->values, NULL, &ir->metrics, "", exp->seed,
                     d->name);
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
            ctx_init(&c, ir->si->plugin, ir->si->values, NULL, &ir->metrics, "", ir->exp->seed,
                     d->name);
            d->run_end(&c.pub, ir->state);
            if (c.misuse && !ir->error)
                ir->error = xstrdup(c.misuse);
            ctx_fini(&c);
        }
        json_array_append_new(out, instrument_json(ir));
        metrics_fini(&ir->metrics);
        free(ir->error);
    }
    free(r->insts);
    r->insts = NULL;
    r->ninsts = 0;
    return out;
}

/* Ends a hook's call: its failure or API misuse fails the point. The first error wins. */
static int hook_ok(struct host_ctx *c, int rc, const char *hook, struct point_run *pr)
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
    if (pr->error)
        free(error);
    else
        pr->error = error;
    return 0;
}

/* `n` iterations failed: one, or a whole batch (whose timing is then lost). */
static void count_failure(struct host_ctx *c, int rc, uint64_t n)
{
    point_add_failure(c->ps, ctx_take_reason(c, rc), n);
}

/* Bins the first n pending timings into h, in a loop the CPU can pipeline, and says so. */
static void flush_timings(struct hdr *h, struct point_live *live, size_t n)
{
    struct hdr_recorder rec = hdr_recorder_begin(h);
    for (size_t i = 0; i < n; i++)
        hdr_recorder_record(&rec, live->pending[i]);
    hdr_recorder_end(&rec, h);
    live->binned += n;
    memset(live->pending, 0xff, n * sizeof *live->pending);
}

/*
 * The measured loop for iterate(): runs until at least `target` iterations
 * and `min_ns` have passed. Per iteration it reads the clock once and stores
 * one delta. Binning waits until the buffer is full and happens between
 * iterations, with the clock read again after it: the clock read is ordered
 * (kvm-clock's vDSO fences), so work between reads cannot overlap with it,
 * and binning inline would add its whole latency to every iteration.
 */
static uint64_t loop_single(struct host_ctx *c, void *state, struct hdr *h,
                            struct point_live *live, uint64_t target, uint64_t min_ns,
                            uint64_t *wall_ns)
{
    int (*iterate)(bhost_ctx *, void *) = c->plugin->desc.iterate;
    bhost_ctx *pub = &c->pub;
    int64_t *buf = live->pending;
    size_t k = 0;
    uint64_t n = 0, start = clock_now_ns(), t0 = start, t1;
    for (;;) {
        int rc = iterate(pub, state);
        t1 = clock_now_ns();
        if (__builtin_expect(rc == BHOST_OK, 1)) {
            buf[k++] = (int64_t)(t1 - t0);
        } else {
            count_failure(c, rc, 1);
            live->failed++;
            t1 = clock_now_ns();
        }
        if ((++n >= target && t1 - start >= min_ns) || n >= POINT_MAX_ITERATIONS)
            break;
        if (__builtin_expect(k == POINT_TIMING_BUFFER, 0)) {
            flush_timings(h, live, k);
            k = 0;
            t1 = clock_now_ns();
        }
        t0 = t1;
    }
    flush_timings(h, live, k);
    *wall_ns = clock_now_ns() - start;
    return n;
}

/* The same for iterate_batch(): each call of `batch` iterations is timed as a whole. */
static uint64_t loop_batch(struct host_ctx *c, void *state, struct hdr *h,
                           struct point_live *live, uint64_t batch, uint64_t target,
                           uint64_t min_ns, uint64_t *wall_ns)
{
    int (*iterate_batch)(bhost_ctx *, void *, uint64_t) = c->plugin->desc.iterate_batch;
    uint64_t n = 0, start = clock_now_ns(), t0 = start, t1;
    for (;;) {
        uint64_t k = n < target && target - n < batch ? target - n : batch;
        int rc = iterate_batch(&c->pub, state, k);
        t1 = clock_now_ns();
        if (rc == BHOST_OK) {
            hdr_record_n(h, (int64_t)((t1 - t0 + k / 2) / k), (int64_t)k);
            live->binned += k;
        } else {
            count_failure(c, rc, k);
            live->failed += k;
            t1 = clock_now_ns();
        }
        t0 = t1;
        n += k;
        if ((n >= target && t1 - start >= min_ns) || n >= POINT_MAX_ITERATIONS)
            break;
    }
    *wall_ns = t1 - start;
    return n;
}

/*
 * Doubles the batch until a call takes RUNNER_BATCH_TARGET_NS, judged by the
 * fastest of three calls: the first calls are cold (page faults, first
 * allocations) and would stop the growth early. Counts as warm-up.
 */
static uint64_t calibrate_batch(struct host_ctx *c, void *state, struct hdr *h,
                                struct point_live *live)
{
    uint64_t batch = 1;
    for (;;) {
        uint64_t fastest = UINT64_MAX, wall;
        for (int i = 0; i < 3; i++) {
            loop_batch(c, state, h, live, batch, batch, 0, &wall);
            fastest = wall < fastest ? wall : fastest;
        }
        if (fastest >= RUNNER_BATCH_TARGET_NS || batch >= (UINT64_C(1) << 30))
            return batch;
        batch *= 2;
    }
}

/* One phase's measured loop; `phase` is 0 for the warm-up, 1 + r for repetition r. */
static uint64_t measure(struct host_ctx *c, void *state, struct point_run *pr, uint64_t phase,
                        uint64_t target, uint64_t min_ns, uint64_t *wall_ns)
{
    struct hdr *h = c->ps->hists[0]->current;
    if (pr->open) {
        struct open_loop_lag lag;
        uint64_t n = open_loop_run(c, state, pr->open, pr->live, phase, target, min_ns,
                                   wall_ns, &lag);
        if (phase > 0) {
            pr->late += lag.late;
            pr->max_lag_ns = lag.max_lag_ns > pr->max_lag_ns ? lag.max_lag_ns : pr->max_lag_ns;
        }
        return n;
    }
    if (c->plugin->desc.iterate_batch)
        return loop_batch(c, state, h, pr->live, pr->batch, target, min_ns, wall_ns);
    return loop_single(c, state, h, pr->live, target, min_ns, wall_ns);
}

/* Calls the point hook of each instrument of the point's experiment. */
static int instrument_hook(struct instrument_run *ir, const struct point *pt,
                           struct point_state *ps, int start, struct point_run *pr)
{
    const struct bhost_plugin *d = &ir->si->plugin->desc;
    int (*hook)(bhost_ctx *, void *) = start ? d->point_start : d->point_end;
    if (!hook)
        return 1;
    char *prefix = xasprintf("%s.", d->name);
    char *what = xasprintf("instrument '%s' %s", d->name, start ? "point_start" : "point_end");
    struct host_ctx c;
    ctx_init(&c, ir->si->plugin, ir->si->values, ps, &ps->metrics, prefix, pt->seed, d->name);
    int ok = hook_ok(&c, hook(&c.pub, ir->state), what, pr);
    ctx_fini(&c);
    free(what);
    free(prefix);
    return ok;
}

/* point_start of every instrument, until one fails (which fails the point). */
static int instruments_start(struct runner *r, const struct point *pt, struct point_state *ps,
                             struct point_run *pr)
{
    for (size_t i = 0; i < r->ninsts; i++) {
        struct instrument_run *ir = &r->insts[i];
        if (ir->exp != pt->exp)
            continue;
        if (!ir->started) {
            pr->error = xasprintf("instrument '%s' did not start: %s",
                                  ir->si->plugin->desc.name,
                                  ir->error ? ir->error : "unknown reason");
            return 0;
        }
        if (!instrument_hook(ir, pt, ps, 1, pr))
            return 0;
        ir->in_point = 1;
    }
    return 1;
}

/* point_end of every instrument whose point_start succeeded. */
static void instruments_end(struct runner *r, const struct point *pt, struct point_state *ps,
                            struct point_run *pr)
{
    for (size_t i = 0; i < r->ninsts; i++) {
        struct instrument_run *ir = &r->insts[i];
        if (ir->exp != pt->exp || !ir->in_point)
            continue;
        ir->in_point = 0;
        instrument_hook(ir, pt, ps, 0, pr);
    }
}

/*
 * Warm-up leaves nothing behind: not its timings, failures or counts.
 * Gauges keep their last value: they describe state, not work done.
 */
static void warm_up(struct host_ctx *c, void *state, struct point_run *pr, uint64_t warmup)
{
    struct point_state *ps = c->ps;
    size_t ncounters = ps->metrics.n;
    double *counters = xcalloc(ncounters + 1, sizeof *counters);
    for (size_t i = 0; i < ncounters; i++)
        counters[i] = ps->metrics.v[i].value;
    uint64_t wall;
    /* A schedule calls one iteration at a time: batches would bunch arrivals. */
    if (c->plugin->desc.iterate_batch && !pr->open)
        pr->batch = calibrate_batch(c, state, ps->hists[0]->current, pr->live);
    point_live_begin(pr->live, 0);
    if (warmup > 0)
        pr->warmup_done = measure(c, state, pr, 0, warmup, 0, &wall);
    point_reset_rep(ps, 0);
    ps->failures = 0;
    for (size_t i = 0; i < ps->nreasons; i++)
        free(ps->reasons[i].text);
    ps->nreasons = 0;
    for (size_t i = 0; i < ps->metrics.n; i++)
        if (ps->metrics.v[i].kind == METRIC_COUNTER)
            ps->metrics.v[i].value = i < ncounters ? counters[i] : 0;
    free(counters);
}

/* The time of day, for results that place repetitions in time (run.hlog). */
static uint64_t wall_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void run_phases(struct runner *r, const struct point *pt, struct point_state *ps,
                       struct host_ctx *c, struct point_run *pr)
{
    const struct spec_experiment *e = pt->exp;
    const struct bhost_plugin *d = &e->plugin->desc;
    /* The hook the loops call: an open loop prefers iterate() (schedule.h). */
    int batched = d->iterate_batch && !(pr->open && d->iterate);
    const char *iterate_name = batched ? "iterate_batch" : "iterate";
    void *state = NULL;
    if (d->setup) {
        int rc = d->setup(&c->pub, &state);
        if (!hook_ok(c, rc, "setup", pr) && rc != BHOST_OK)
            return; /* a failed setup owns no state: no teardown */
    }
    if (!pr->error) {
        warm_up(c, state, pr, e->warmup);
        if (!c->misuse && instruments_start(r, pt, ps, pr)) {
            uint64_t min_ns = (uint64_t)(e->min_time * 1e9);
            for (uint32_t rep = 0; rep < e->repetitions && !c->misuse; rep++) {
                point_select_rep(ps, rep);
                point_live_begin(pr->live, 1 + (uint64_t)rep);
                pr->rep_started_ns[rep] = wall_clock_ns();
                pr->rep_iterations[rep] = measure(c, state, pr, 1 + (uint64_t)rep, e->measured,
                                                  min_ns, &pr->rep_wall_ns[rep]);
                if (r->repetition_done && !c->misuse)
                    r->repetition_done(r->repetition_done_arg, ps, pr, rep);
                pr->live->phase = 0;
            }
        }
        instruments_end(r, pt, ps, pr);
        if (c->misuse && !pr->error)
            pr->error = xasprintf("%s: %s", iterate_name, c->misuse);
        uint64_t measured = 0;
        for (uint32_t rep = 0; rep < e->repetitions; rep++)
            measured += pr->rep_iterations[rep];
        /* Nothing timed means nothing to report: zeros would pass for figures. */
        if (!pr->error && measured > 0 && ps->failures == measured)
            pr->error = xasprintf("every one of the %llu measured iterations failed",
                                  (unsigned long long)measured);
    }
    if (d->teardown) {
        d->teardown(&c->pub, state);
        if (c->misuse && !pr->error)
            pr->error = xasprintf("teardown: %s", c->misuse);
    }
}

json_t *runner_point(struct runner *r, const struct point *pt)
{
    const struct spec_experiment *e = pt->exp;
    struct point_live *own = r->live ? NULL : xmalloc(sizeof *own);
    struct point_run pr = {.batch = 1, .live = r->live ? r->live : own};
    pr.rep_iterations = xcalloc(e->repetitions, sizeof *pr.rep_iterations);
    pr.rep_wall_ns = xcalloc(e->repetitions, sizeof *pr.rep_wall_ns);
    pr.rep_started_ns = xcalloc(e->repetitions, sizeof *pr.rep_started_ns);
    char *scratch = xasprintf("%s/%s", r->scratch_root, pt->id);
    struct point_state ps;
    point_state_init(&ps, e->repetitions, pt->id, scratch);
    struct open_loop schedule;
    ps.open_loop = e->rate > 0;
    ps.exp = e;
    if (e->rate > 0) {
        schedule = (struct open_loop){.rate = e->rate, .seed = pt->seed,
                                  .poisson = e->arrival == SPEC_ARRIVAL_POISSON,
                                  .response = point_histogram(&ps, "response")};
        pr.open = &schedule;
    }
    uint64_t start = clock_now_ns();
    struct host_ctx c;
    ctx_init(&c, e->plugin, pt->values, &ps, &ps.metrics, "", pt->seed, pt->label);
    run_phases(r, pt, &ps, &c, &pr);
    ctx_fini(&c);
    if (ps.scratch_made)
        remove_tree(scratch);
    pr.wall_ns = clock_now_ns() - start;
    json_t *out = point_json(pt, &ps, &pr);
    point_state_fini(&ps);
    free(pr.error);
    free(pr.rep_iterations);
    free(pr.rep_wall_ns);
    free(pr.rep_started_ns);
    free(scratch);
    free(own);
    return out;
}
