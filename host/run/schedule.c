/* schedule.c — see schedule.h. */
#include "run/schedule.h"
#include "run/point_state.h"
#include "util/clock.h"
#include "util/hash.h"

#include <errno.h>
#include <math.h>
#include <sys/prctl.h>
#include <time.h>

/* Keeps the arrival stream apart from a plugin seeding SplitMix64 with bhost_seed(). */
#define SCHEDULE_SEED_SALT UINT64_C(0x6f70656e2d6c6f6f) /* "open-loo" */
#define SPLITMIX64_GAMMA UINT64_C(0x9e3779b97f4a7c15)

void schedule_start(struct schedule *s, const struct open_loop *ol, uint64_t phase,
                    uint64_t t0)
{
    *s = (struct schedule){.t0 = t0, .gap_ns = 1e9 / ol->rate, .poisson = ol->poisson,
                           .rng = mix64(mix64(ol->seed ^ SCHEDULE_SEED_SALT) ^ phase)};
}

/* A uniform double in [0, 1) from the top 53 bits of a SplitMix64 draw. */
static double next_uniform(struct schedule *s)
{
    s->rng += SPLITMIX64_GAMMA;
    return (double)(mix64(s->rng) >> 11) * 0x1p-53;
}

/* t0 + offset, saturating: a rate of one per century must not wrap around. */
static uint64_t at_offset(uint64_t t0, double offset_ns)
{
    if (!(offset_ns < 0x1p62))
        return UINT64_MAX;
    return t0 + (uint64_t)llround(offset_ns);
}

uint64_t schedule_next(struct schedule *s)
{
    uint64_t i = s->next_index++;
    if (!s->poisson) /* i * gap rather than a running sum: no drift over millions */
        return at_offset(s->t0, (double)i * s->gap_ns);
    if (i > 0) /* inverse transform: -ln(1 - u) is exponential with mean 1 */
        s->offset_ns += -log1p(-next_uniform(s)) * s->gap_ns;
    return at_offset(s->t0, s->offset_ns);
}

/* Waits until the clock reaches `due`; returns the clock then (or now, if past). */
static uint64_t wait_until(uint64_t due)
{
    uint64_t now = clock_now_ns();
    if (now < due && due - now > SCHEDULE_SPIN_NS) {
        uint64_t wake = due - SCHEDULE_SPIN_NS;
        struct timespec ts = {.tv_sec = (time_t)(wake / 1000000000u),
                              .tv_nsec = (long)(wake % 1000000000u)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
            continue;
        now = clock_now_ns();
    }
    while (now < due)
        now = clock_now_ns();
    return now;
}

uint64_t open_loop_run(struct host_ctx *c, void *state, const struct open_loop *ol,
                       struct point_live *live, uint64_t phase, uint64_t target,
                       uint64_t min_ns, uint64_t *wall_ns, struct open_loop_lag *lag)
{
    int (*iterate)(bhost_ctx *, void *) = c->plugin->desc.iterate;
    int (*iterate_batch)(bhost_ctx *, void *, uint64_t) = c->plugin->desc.iterate_batch;
    struct hdr *service = c->ps->hists[0]->current[c->thread];
    struct hdr *response = ol->response->current[c->thread];
    int controlled = (c->plugin->desc.flags & (BHOST_MANUAL_TIME | BHOST_PAUSES_TIMING)) != 0;
    uint64_t n = 0, start = clock_now_ns(), end;
    /* On several threads, each keeps its share of the rate on a schedule of its own. */
    struct open_loop mine = *ol;
    mine.rate = ol->rate / c->nthreads;
    mine.seed = ol->seed + c->thread * UINT64_C(0x9e3779b97f4a7c15);
    struct schedule s;
    schedule_start(&s, &mine, phase, start);
    *lag = (struct open_loop_lag){0};
    /* Linux delays a sleeper's wake-up by up to its timer slack (50 µs by default). */
    int slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    c->call_n = 1;
    for (;;) {
        uint64_t due = schedule_next(&s), begin = wait_until(due);
        int rc = iterate ? iterate(&c->pub, state) : iterate_batch(&c->pub, state, 1);
        end = clock_now_ns();
        uint64_t behind = begin - due;
        lag->late += behind > SCHEDULE_LATE_NS;
        if (behind > lag->max_lag_ns)
            lag->max_lag_ns = behind;
        /* Time the plugin paused, or its own figure, count for the service time. */
        int64_t paused = 0, took = (int64_t)(end - begin);
        if (controlled) {
            if (c->paused) {
                c->paused_for += timer_now(c->timer->use_tsc) - c->paused_at;
                c->paused = 0;
            }
            paused = timer_ns(c->timer, c->paused_for);
            took = c->manual_ns >= 0 ? c->manual_ns : took - paused;
            c->manual_ns = -1;
            c->paused_for = 0;
        }
        uint64_t bad = c->call_failed; /* bhost_failed() counted it already */
        c->call_failed = 0;
        if (rc == BHOST_OK && bad == 0) {
            hdr_record(service, took);
            hdr_record(response, (int64_t)(end - due) - paused);
            live->binned++;
        } else {
            if (bad == 0)
                failures_add(c->fails, ctx_take_reason(c, rc), 1);
            else
                ctx_drop_reason(c);
            live->failed++;
        }
        if ((++n >= target && end - start >= min_ns) || n >= POINT_MAX_ITERATIONS)
            break;
    }
    if (slack > 0)
        prctl(PR_SET_TIMERSLACK, (unsigned long)slack, 0, 0, 0);
    *wall_ns = end - start;
    return n;
}
