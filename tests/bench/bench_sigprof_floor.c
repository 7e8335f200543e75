/*
 * bench_sigprof_floor — the floor under any signal-based sampler, for
 * scripts/bench-sampler.sh: the same per-thread timers as the sampler's
 * signal method (each thread's CPU clock, SIGPROF at rate_hz) with a
 * handler that does nothing. What a sampled iteration costs over this is
 * what sampling itself costs; this is what delivering the signals costs.
 */
#define _GNU_SOURCE

#include <bhost/bhost.h>

#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_TIMERS 64

struct floor_state {
    timer_t timers[MAX_TIMERS];
    int n;
};

static void nothing(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)si;
    (void)uc;
}

static int point_start(bhost_ctx *ctx, void *state)
{
    struct floor_state *f = state;
    long period = 1000000000L / (long)bhost_param_int(ctx, "rate_hz");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = nothing;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGPROF, &sa, NULL);
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    f->n = 0;
    while (d && (e = readdir(d)) && f->n < MAX_TIMERS) {
        int tid = atoi(e->d_name);
        if (tid <= 0)
            continue;
        struct sigevent ev;
        memset(&ev, 0, sizeof ev);
        ev.sigev_notify = SIGEV_THREAD_ID;
        ev.sigev_signo = SIGPROF;
        ev._sigev_un._tid = tid;
        clockid_t clock = (clockid_t)((~(unsigned)tid << 3) | 6u); /* the thread's CPU clock */
        if (timer_create(clock, &ev, &f->timers[f->n]) != 0)
            continue;
        struct itimerspec its = {{period / 1000000000L, period % 1000000000L},
                                 {period / 1000000000L, period % 1000000000L}};
        timer_settime(f->timers[f->n++], 0, &its, NULL);
    }
    if (d)
        closedir(d);
    return BHOST_OK;
}

static int point_end(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    struct floor_state *f = state;
    for (int i = 0; i < f->n; i++)
        timer_delete(f->timers[i]);
    signal(SIGPROF, SIG_IGN);
    return BHOST_OK;
}

static int run_start(bhost_ctx *ctx, void **state)
{
    *state = calloc(1, sizeof(struct floor_state));
    return *state ? BHOST_OK : bhost_fail(ctx, "out of memory");
}

static void run_end(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    free(state);
}

static const struct bhost_param params[] = {
    {.name = "rate_hz", .type = BHOST_INT, .def = "997", .min = "1", .max = "100000",
     .unit = "Hz", .doc = "signals per second of each thread's CPU time"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_INSTRUMENT),
    .name = "bench_sigprof_floor",
    .version = "1.0",
    .summary = "benchmark plugin: per-thread CPU-clock timers and a SIGPROF handler that "
               "does nothing",
    BHOST_PARAMS(params),
    .run_start = run_start,
    .point_start = point_start,
    .point_end = point_end,
    .run_end = run_end,
};
