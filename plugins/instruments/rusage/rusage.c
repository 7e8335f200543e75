/*
 * rusage — what the kernel accounted to the benchmark: CPU time in user and
 * kernel mode, context switches and page faults, from getrusage(2).
 *
 * It explains timings the clock alone cannot: a point that spends its time
 * in the kernel, is preempted (involuntary switches), blocks (voluntary
 * switches) or faults its memory in shows it here. Each sweep point reports
 * the change over the point; the run reports the change over the run, of the
 * host and of every process it waited for: the points' own processes, which
 * did the work when points are isolated (RUSAGE_SELF + RUSAGE_CHILDREN).
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */

#include <bhost/bhost.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

enum rusage_scope { SCOPE_PROCESS = 0, SCOPE_THREAD = 1 };

struct rusage_state {
    int who; /* RUSAGE_SELF or RUSAGE_THREAD */
    struct rusage run_start;
    struct rusage run_start_children; /* RUSAGE_CHILDREN, with scope=process */
    struct rusage point_start;
};

static double seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* Adds what changed from `a` to `b` to the counters, and sets the gauge. */
static void report(bhost_ctx *ctx, const struct rusage *a, const struct rusage *b)
{
    /* Counters, like the other changes: merged runs and points add them up. */
    bhost_counter_add(ctx, "user_cpu_s", seconds(b->ru_utime) - seconds(a->ru_utime));
    bhost_counter_add(ctx, "sys_cpu_s", seconds(b->ru_stime) - seconds(a->ru_stime));
    bhost_counter_add(ctx, "voluntary_ctx_switches", (double)(b->ru_nvcsw - a->ru_nvcsw));
    bhost_counter_add(ctx, "involuntary_ctx_switches",
                      (double)(b->ru_nivcsw - a->ru_nivcsw));
    bhost_counter_add(ctx, "minor_faults", (double)(b->ru_minflt - a->ru_minflt));
    bhost_counter_add(ctx, "major_faults", (double)(b->ru_majflt - a->ru_majflt));
    /* A high-water mark, not a delta: Linux reports the process's peak
     * even for RUSAGE_THREAD. */
    bhost_gauge_set(ctx, "max_rss_kib", (double)b->ru_maxrss);
}

static int rusage_run_start(bhost_ctx *ctx, void **state)
{
    struct rusage_state *s = calloc(1, sizeof(*s));
    if (!s)
        return bhost_fail(ctx, "out of memory");
    s->who = bhost_param_choice(ctx, "scope") == SCOPE_THREAD ? RUSAGE_THREAD
                                                               : RUSAGE_SELF;
    if (getrusage(s->who, &s->run_start) != 0 ||
        (s->who == RUSAGE_SELF && getrusage(RUSAGE_CHILDREN, &s->run_start_children) != 0)) {
        int err = errno;
        free(s);
        return bhost_fail(ctx, "getrusage: %s", strerror(err));
    }
    *state = s;
    return BHOST_OK;
}

static int rusage_point_start(bhost_ctx *ctx, void *state)
{
    struct rusage_state *s = state;
    if (getrusage(s->who, &s->point_start) != 0)
        return bhost_fail(ctx, "getrusage: %s", strerror(errno));
    return BHOST_OK;
}

static int rusage_point_end(bhost_ctx *ctx, void *state)
{
    struct rusage_state *s = state;
    struct rusage now;
    if (getrusage(s->who, &now) != 0)
        return bhost_fail(ctx, "getrusage: %s", strerror(errno));
    report(ctx, &s->point_start, &now);
    return BHOST_OK;
}

static void rusage_run_end(bhost_ctx *ctx, void *state)
{
    struct rusage_state *s = state;
    struct rusage now, children;
    if (getrusage(s->who, &now) != 0) {
        bhost_log(ctx, BHOST_LOG_WARN, "getrusage: %s", strerror(errno));
    } else if (s->who == RUSAGE_THREAD) {
        report(ctx, &s->run_start, &now);
    } else if (getrusage(RUSAGE_CHILDREN, &children) == 0) {
        /* The host's share and its points' processes' share, added; the peak of either. */
        report(ctx, &s->run_start, &now);
        report(ctx, &s->run_start_children, &children);
        bhost_gauge_set(ctx, "max_rss_kib", (double)(now.ru_maxrss > children.ru_maxrss
                                                         ? now.ru_maxrss : children.ru_maxrss));
    }
    free(s);
}

static const char *const scopes[] = { "process", "thread", NULL };

static const struct bhost_param params[] = {
    { .name = "scope", .type = BHOST_ENUM, .def = "process", .choices = scopes,
      .doc = "process: the whole process (RUSAGE_SELF); thread: the calling "
             "thread (RUSAGE_THREAD)" },
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_INSTRUMENT),
    .name = "rusage",
    .version = "1.0",
    .summary = "CPU time, context switches and page faults from getrusage(2); "
               "max_rss_kib is the process peak so far",
    .doc = "Per sweep point and for the whole run: counters user_cpu_s and "
           "sys_cpu_s (CPU seconds spent), voluntary_ctx_switches, "
           "involuntary_ctx_switches, minor_faults and major_faults (changes "
           "over the point or run), and gauge max_rss_kib, which is not a "
           "change but the process's peak resident set so far, in KiB (also "
           "with scope=thread). A point's figures are its own process's (the "
           "point's child process when isolated). The run's figures add the "
           "host's and those of every process it waited for, which includes "
           "every isolated point's process (RUSAGE_SELF + RUSAGE_CHILDREN), and "
           "max_rss_kib is the largest of any of them; with scope=thread they "
           "are those of the thread that called run_start/run_end.",
    BHOST_PARAMS(params),
    .run_start = rusage_run_start,
    .point_start = rusage_point_start,
    .point_end = rusage_point_end,
    .run_end = rusage_run_end,
};
