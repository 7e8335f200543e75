/*
 * perf — hardware and software counters of the measured threads, from
 * perf_event_open(2): cycles, instructions, branches, caches; task clock,
 * page faults, context switches, migrations.
 *
 * Each measured thread opens its own counters in thread_start() (they count
 * that thread only), one group per type where the kernel takes it, starts
 * them, and stops and reads them in thread_end(); point_end() adds the
 * threads up. What they count between repetitions (pause() to resume()),
 * the host's work, is left out. A counter this machine cannot give (no PMU in a VM, a kernel
 * that refuses) is unavailable with the kernel's reason, never zero, and
 * the point goes on.
 */
#include <bhost/bhost.h>

#include "perf_events.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum events_choice { EVENTS_ALL, EVENTS_SOFTWARE, EVENTS_HARDWARE };
enum kernel_choice { KERNEL_AUTO, KERNEL_INCLUDE, KERNEL_EXCLUDE };

#define HARDWARE_EVENTS 0x03fu /* perf_events[0..5] */
#define SOFTWARE_EVENTS 0x3c0u /* perf_events[6..9] */

struct perf {
    uint32_t wanted;        /* events to report, bit i: perf_events[i] */
    uint32_t opened;        /* of those, the ones each thread tries to open */
    int exclude_kernel;
    char mode[200];         /* what is counted, for the note */
    char why[PERF_NEVENTS][320]; /* why an event not opened is unavailable */
    uint32_t nthreads;      /* of the point under way */
    struct perf_thread *threads;
};

static int paranoid_level(void)
{
    int level = -99;
    FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
    if (f) {
        if (fscanf(f, "%d", &level) != 1)
            level = -99;
        fclose(f);
    }
    return level;
}

/* The kernel's reason for `error`, and what it likely means here. */
static void explain(char *out, size_t size, const char *call, int error, int hardware)
{
    const char *hint = "";
    char more[96] = "";
    if (error == ENOENT && hardware)
        hint = ": no hardware counters on this machine (a VM without a virtual PMU?)";
    else if (error == EOPNOTSUPP || (error == ENOENT && !hardware))
        hint = ": this kernel or CPU cannot count it";
    else if (error == EACCES || error == EPERM) {
        snprintf(more, sizeof more, ": not allowed (kernel.perf_event_paranoid is %d; root or "
                                    "CAP_PERFMON may)", paranoid_level());
        hint = more;
    } else if (error == ENOSYS)
        hint = ": no perf events in this kernel, or a seccomp filter refuses the call";
    else if (error == EMFILE)
        hint = ": out of file descriptors";
    snprintf(out, size, "%s: %s%s", call, strerror(error), hint);
}

/* perf_event_open(): errno, or 0. */
static int probe_one(int i, int exclude_kernel)
{
    int fd = perf_hold(&perf_events[i], exclude_kernel);
    if (fd < 0)
        return errno;
    close(fd);
    return 0;
}

/*
 * Tries one event of each type once, in the host, to decide what the threads will open:
 * without a PMU there is no point in asking again on every thread. With kernel: auto,
 * a refusal of kernel-mode counting falls back to user mode only.
 */
static void probe(struct perf *s, int kernel)
{
    static const int first[2] = {0, 6}; /* cycles, task_clock_ns */
    char user_only[160] = "";            /* why kernel mode is left out, if it is */
    s->exclude_kernel = kernel == KERNEL_EXCLUDE;
    if (s->exclude_kernel)
        snprintf(user_only, sizeof user_only, "the spec sets kernel: exclude");
    for (int type = 0; type < 2; type++) {
        uint32_t mask = type == 0 ? HARDWARE_EVENTS : SOFTWARE_EVENTS;
        if (!(s->wanted & mask))
            continue;
        int error = probe_one(first[type], s->exclude_kernel);
        if ((error == EACCES || error == EPERM) && kernel == KERNEL_AUTO && !s->exclude_kernel) {
            int again = probe_one(first[type], 1);
            if (again != EACCES && again != EPERM) {
                s->exclude_kernel = 1;
                snprintf(user_only, sizeof user_only, "kernel.perf_event_paranoid is %d and "
                         "this process may not count in kernel mode", paranoid_level());
            }
            error = again;
        }
        if (error == 0) {
            s->opened |= s->wanted & mask;
            continue;
        }
        char why[320];
        explain(why, sizeof why, "perf_event_open", error, type == 0);
        for (int i = 0; i < PERF_NEVENTS; i++)
            if (mask & (1u << i))
                snprintf(s->why[i], sizeof s->why[i], "%s", why);
    }
    if (user_only[0])
        snprintf(s->mode, sizeof s->mode, "user mode only: %s", user_only);
    else
        snprintf(s->mode, sizeof s->mode, "user and kernel mode");
    /* These two happen in the kernel: counted in user mode only they would read 0. */
    for (int i = 0; i < PERF_NEVENTS; i++)
        if (s->exclude_kernel && perf_events[i].kernel_only && (s->opened & (1u << i))) {
            s->opened &= ~(1u << i);
            snprintf(s->why[i], sizeof s->why[i], "counted in kernel mode only, which is left "
                     "out here: %s", user_only);
        }
}

/*
 * The kernel sets up what a kind of event needs when the first one opens and tears it down
 * when the last one closes (per-CPU lists of software events, the scheduler's hooks): some
 * 0.1 to 0.5 ms each time on the development VM. One disabled event of each kind, held by
 * the host for the run, keeps that in place, and a point's threads open and close theirs
 * in tens of microseconds. Held events stay disabled, so never count; a point's process
 * inherits their descriptors, not the events. One set serves every perf instrument of the
 * run (the plugin is loaded once).
 */
static struct {
    unsigned users;
    uint32_t held; /* bit i: fd[i] is open */
    int fd[PERF_NEVENTS];
} holders;

static void hold_events(const struct perf *s)
{
    holders.users++;
    for (int i = 0; i < PERF_NEVENTS; i++)
        if ((s->opened & ~holders.held & (1u << i)) &&
            (holders.fd[i] = perf_hold(&perf_events[i], s->exclude_kernel)) >= 0)
            holders.held |= 1u << i;
}

static void release_events(void)
{
    if (--holders.users > 0)
        return;
    for (int i = 0; i < PERF_NEVENTS; i++)
        if (holders.held & (1u << i))
            close(holders.fd[i]);
    holders.held = 0;
}

static int perf_run_start(bhost_ctx *ctx, void **state)
{
    struct perf *s = calloc(1, sizeof *s);
    if (!s)
        return bhost_fail(ctx, "out of memory");
    int events = bhost_param_choice(ctx, "events");
    s->wanted = events == EVENTS_SOFTWARE ? SOFTWARE_EVENTS
                : events == EVENTS_HARDWARE ? HARDWARE_EVENTS
                                            : HARDWARE_EVENTS | SOFTWARE_EVENTS;
    probe(s, bhost_param_choice(ctx, "kernel"));
    hold_events(s);
    *state = s;
    return BHOST_OK;
}

static int perf_point_start(bhost_ctx *ctx, void *state)
{
    struct perf *s = state;
    s->nthreads = bhost_thread_count(ctx);
    s->threads = calloc(s->nthreads, sizeof *s->threads);
    if (!s->threads)
        return bhost_fail(ctx, "out of memory");
    for (uint32_t t = 0; t < s->nthreads; t++)
        for (int i = 0; i < PERF_NEVENTS; i++)
            s->threads[t].fd[i] = -1;
    return BHOST_OK;
}

static int perf_thread_start_hook(bhost_ctx *ctx, void *state)
{
    struct perf *s = state;
    uint32_t t = bhost_thread_index(ctx);
    if (!s->threads || t >= s->nthreads || !s->opened)
        return BHOST_OK;
    perf_thread_open(&s->threads[t], s->opened, s->exclude_kernel);
    perf_thread_start(&s->threads[t]);
    return BHOST_OK;
}

static int perf_pause_hook(bhost_ctx *ctx, void *state)
{
    struct perf *s = state;
    uint32_t t = bhost_thread_index(ctx);
    if (s->threads && t < s->nthreads)
        perf_thread_pause(&s->threads[t]);
    return BHOST_OK;
}

static int perf_resume_hook(bhost_ctx *ctx, void *state)
{
    struct perf *s = state;
    uint32_t t = bhost_thread_index(ctx);
    if (s->threads && t < s->nthreads)
        perf_thread_resume(&s->threads[t]);
    return BHOST_OK;
}

static int perf_thread_end_hook(bhost_ctx *ctx, void *state)
{
    struct perf *s = state;
    uint32_t t = bhost_thread_index(ctx);
    if (s->threads && t < s->nthreads)
        perf_thread_stop(&s->threads[t]);
    return BHOST_OK;
}

/* Why event i of thread t gave no count, or NULL if it did. */
static const char *failure(const struct perf *s, uint32_t t, int i, char *buf, size_t size)
{
    const struct perf_thread *th = &s->threads[t];
    if (!th->opened) {
        snprintf(buf, size, "not counted: the point stopped before thread %u started", t);
        return buf;
    }
    if (th->error[i]) {
        explain(buf, size, th->call[i], th->error[i], perf_events[i].type == PERF_TYPE_HARDWARE);
        return buf;
    }
    if (th->running[i] == 0) {
        snprintf(buf, size, "never counted: the PMU had no room for its group (counters held by "
                            "the NMI watchdog or another profiler?)");
        return buf;
    }
    return NULL;
}

/* The sum over threads of each event, or unavailable with the first thread's reason.
 * Returns the events counted on every thread. */
static uint32_t report_counts(bhost_ctx *ctx, const struct perf *s, double *sum)
{
    uint32_t counted = 0;
    for (int i = 0; i < PERF_NEVENTS; i++) {
        if (!(s->wanted & (1u << i)))
            continue;
        if (!(s->opened & (1u << i))) {
            bhost_unavailable(ctx, perf_events[i].name, "%s", s->why[i]);
            continue;
        }
        char buf[320];
        const char *why = NULL;
        sum[i] = 0;
        for (uint32_t t = 0; t < s->nthreads && !why; t++) {
            why = failure(s, t, i, buf, sizeof buf);
            sum[i] += s->threads[t].value[i];
        }
        if (why) {
            bhost_unavailable(ctx, perf_events[i].name, "%s", why);
            continue;
        }
        bhost_counter_add(ctx, perf_events[i].name, sum[i]);
        counted |= 1u << i;
    }
    return counted;
}

/* A ratio of two counted events as a gauge; unavailable for the reason one of them is. */
static void ratio(bhost_ctx *ctx, const struct perf *s, const double *sum, uint32_t counted,
                  const char *name, int num, int den, double scale)
{
    if (!(s->wanted & (1u << num)))
        return;
    if (!(counted & (1u << num)) || !(counted & (1u << den))) {
        int missing = !(counted & (1u << num)) ? num : den;
        char buf[320];
        const char *why = (s->opened & (1u << missing)) ? NULL : s->why[missing];
        for (uint32_t t = 0; t < s->nthreads && !why; t++)
            why = failure(s, t, missing, buf, sizeof buf);
        bhost_unavailable(ctx, name, "%s", why ? why : "not counted");
        return;
    }
    if (sum[den] > 0)
        bhost_gauge_set(ctx, name, scale * sum[num] / sum[den]);
}

/* The share of the time the hardware groups were on the PMU, over every thread. */
static void report_multiplexing(bhost_ctx *ctx, const struct perf *s, uint32_t counted)
{
    double enabled = 0, running = 0;
    for (uint32_t t = 0; t < s->nthreads; t++)
        for (int i = 0; i < PERF_NEVENTS; i++)
            if ((counted & HARDWARE_EVENTS & (1u << i)) && s->threads[t].leader[i] == i) {
                enabled += (double)s->threads[t].enabled[i];
                running += (double)s->threads[t].running[i];
            }
    if (enabled > 0) {
        bhost_gauge_set(ctx, "hardware_running_pct", 100.0 * running / enabled);
        return;
    }
    /* Hardware events asked for and none counted: say why, as for each of them. */
    for (int i = 0; i < PERF_NEVENTS; i++)
        if (s->wanted & HARDWARE_EVENTS & (1u << i)) {
            bhost_unavailable(ctx, "hardware_running_pct", "%s",
                              !(s->opened & (1u << i)) && *s->why[i] ? s->why[i]
                                                                     : "no hardware event counted");
            return;
        }
}

/* How thread 0's events were grouped: "cycles+instructions | task_clock_ns+page_faults". */
static void note_groups(bhost_ctx *ctx, const struct perf *s)
{
    char text[512] = "";
    size_t len = 0;
    const struct perf_thread *th = &s->threads[0];
    for (int lead = 0; lead < PERF_NEVENTS; lead++) {
        if (th->leader[lead] != lead || th->error[lead] || th->running[lead] == 0)
            continue;
        for (int i = lead; i < PERF_NEVENTS; i++)
            if (th->leader[i] == lead && !th->error[i] && th->running[i] > 0)
                len += (size_t)snprintf(text + len, len < sizeof text ? sizeof text - len : 0,
                                        "%s%s", i == lead ? (len ? " | " : "") : "+",
                                        perf_events[i].name);
    }
    if (len)
        bhost_note(ctx, "groups", "%s", text);
}

static int perf_point_end(bhost_ctx *ctx, void *state)
{
    struct perf *s = state;
    if (!s->threads)
        return BHOST_OK;
    double sum[PERF_NEVENTS] = {0};
    uint32_t counted = report_counts(ctx, s, sum);
    ratio(ctx, s, sum, counted, "ipc", 1, 0, 1.0);
    ratio(ctx, s, sum, counted, "branch_miss_pct", 3, 2, 100.0);
    ratio(ctx, s, sum, counted, "cache_miss_pct", 5, 4, 100.0);
    report_multiplexing(ctx, s, counted);
    bhost_note(ctx, "mode", "%s", s->mode);
    note_groups(ctx, s);
    free(s->threads);
    s->threads = NULL;
    return BHOST_OK;
}

static void perf_run_end(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    release_events();
    free(state);
}

static const char *const events_choices[] = {"all", "software", "hardware", NULL};
static const char *const kernel_choices[] = {"auto", "include", "exclude", NULL};

static const struct bhost_param params[] = {
    {.name = "events", .type = BHOST_ENUM, .def = "all", .choices = events_choices,
     .doc = "which counters: all, software (task clock, page faults, context switches, "
            "migrations) or hardware (cycles, instructions, branches, caches)"},
    {.name = "kernel", .type = BHOST_ENUM, .def = "auto", .choices = kernel_choices,
     .doc = "count in kernel mode too: auto (where the kernel allows it, else user mode "
            "only), include, exclude (exclude_kernel and exclude_hv)"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_INSTRUMENT),
    .name = "perf",
    .version = "1.0",
    .summary = "cycles, instructions, branches, cache misses, task clock, page faults and "
               "context switches of the measured threads, from perf_event_open(2)",
    .doc = "Per point, counters summed over the measured threads (so also per iteration and "
           "per second): cycles, instructions, branches, branch_misses, cache_references, "
           "cache_misses, task_clock_ns (ns on the CPU), page_faults, context_switches, "
           "cpu_migrations; gauges ipc, branch_miss_pct, cache_miss_pct and "
           "hardware_running_pct (the share of the time the hardware counters were on the "
           "PMU: counts are scaled up for the rest). A counter this machine cannot give is "
           "unavailable with the kernel's reason; notes say the mode and the groups.",
    BHOST_PARAMS(params),
    .run_start = perf_run_start,
    .point_start = perf_point_start,
    .point_end = perf_point_end,
    .run_end = perf_run_end,
    .thread_start = perf_thread_start_hook,
    .thread_end = perf_thread_end_hook,
    .pause = perf_pause_hook,
    .resume = perf_resume_hook,
};
