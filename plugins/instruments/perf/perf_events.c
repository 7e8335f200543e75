/* perf_events.c — see perf_events.h. */
#include "perf_events.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

const struct perf_event_def perf_events[PERF_NEVENTS] = {
    {"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, 0},
    {"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, 0},
    {"branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 0},
    {"branch_misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES, 0},
    {"cache_references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES, 0},
    {"cache_misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, 0},
    {"task_clock_ns", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 0},
    {"page_faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, 0},
    {"context_switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, 1},
    {"cpu_migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS, 1},
};

/* The calling thread (pid 0), on any CPU (-1); a leader starts disabled. */
static int open_event(const struct perf_event_def *e, int group_fd, int exclude_kernel)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = e->type;
    attr.config = e->config;
    attr.disabled = group_fd < 0;
    attr.exclude_kernel = exclude_kernel != 0;
    attr.exclude_hv = exclude_kernel != 0;
    attr.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED |
                       PERF_FORMAT_TOTAL_TIME_RUNNING;
    return (int)syscall(SYS_perf_event_open, &attr, 0, -1, group_fd, PERF_FLAG_FD_CLOEXEC);
}

int perf_hold(const struct perf_event_def *e, int exclude_kernel)
{
    return open_event(e, -1, exclude_kernel);
}

static void fail(struct perf_thread *t, int i, const char *call, int error)
{
    t->error[i] = error;
    t->call[i] = call;
}

void perf_thread_open(struct perf_thread *t, uint32_t wanted, int exclude_kernel)
{
    for (int i = 0; i < PERF_NEVENTS; i++) {
        t->fd[i] = -1;
        t->leader[i] = i;
        t->error[i] = 0;
        t->call[i] = NULL;
        t->value[i] = 0;
        t->enabled[i] = t->running[i] = 0;
    }
    t->opened = 1;
    int group[2] = {-1, -1}; /* the leading event of each type's main group */
    for (int i = 0; i < PERF_NEVENTS; i++) {
        if (!(wanted & (1u << i)))
            continue;
        int *lead = &group[perf_events[i].type == PERF_TYPE_SOFTWARE];
        if (*lead >= 0) {
            t->fd[i] = open_event(&perf_events[i], t->fd[*lead], exclude_kernel);
            if (t->fd[i] >= 0) {
                t->leader[i] = *lead;
                continue;
            }
        }
        /* First of its type, or the group would not take it (too many for the PMU):
         * a group of its own. */
        t->fd[i] = open_event(&perf_events[i], -1, exclude_kernel);
        if (t->fd[i] < 0)
            fail(t, i, "perf_event_open", errno);
        else if (*lead < 0)
            *lead = i;
    }
}

void perf_thread_start(struct perf_thread *t)
{
    for (int i = 0; i < PERF_NEVENTS; i++)
        if (t->fd[i] >= 0 && t->leader[i] == i)
            ioctl(t->fd[i], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
}

/* Reads the group led by `lead` into `raw` (per event: count, enabled, running), in the
 * order its members were opened. 0, or the errno of a read that failed. */
static int read_raw(const struct perf_thread *t, int lead, uint64_t raw[][3])
{
    uint64_t buf[3 + PERF_NEVENTS];
    ssize_t n = read(t->fd[lead], buf, sizeof buf);
    if (n < (ssize_t)(3 * sizeof(uint64_t)))
        return n < 0 ? errno : EIO;
    size_t k = 0;
    for (int i = lead; i < PERF_NEVENTS; i++) {
        if (t->fd[i] < 0 || t->leader[i] != lead)
            continue;
        if (k >= buf[0] || (size_t)n < (3 + k + 1) * sizeof(uint64_t))
            return EIO;
        raw[i][0] = buf[3 + k++];
        raw[i][1] = buf[1];
        raw[i][2] = buf[2];
    }
    return 0;
}

void perf_thread_pause(struct perf_thread *t)
{
    for (int i = 0; i < PERF_NEVENTS; i++) {
        int error;
        if (t->fd[i] >= 0 && t->leader[i] == i && (error = read_raw(t, i, t->paused_at)) != 0)
            fail(t, i, "read", error);
    }
}

void perf_thread_resume(struct perf_thread *t)
{
    uint64_t now[PERF_NEVENTS][3];
    for (int i = 0; i < PERF_NEVENTS; i++) {
        if (t->fd[i] < 0 || t->leader[i] != i)
            continue;
        int error = read_raw(t, i, now);
        if (error) {
            fail(t, i, "read", error);
            continue;
        }
        for (int k = i; k < PERF_NEVENTS; k++)
            if (t->fd[k] >= 0 && t->leader[k] == i)
                for (int f = 0; f < 3; f++)
                    t->gap[k][f] += now[k][f] - t->paused_at[k][f];
    }
}

/* Reads the group led by `lead`, less what it counted while paused, scaled. */
static void read_group(struct perf_thread *t, int lead)
{
    uint64_t raw[PERF_NEVENTS][3];
    int error = read_raw(t, lead, raw);
    for (int i = lead; i < PERF_NEVENTS; i++) {
        if (t->fd[i] < 0 || t->leader[i] != lead)
            continue;
        if (error) {
            fail(t, i, "read", error);
            continue;
        }
        uint64_t count = raw[i][0] - t->gap[i][0];
        t->enabled[i] = raw[i][1] - t->gap[i][1];
        t->running[i] = raw[i][2] - t->gap[i][2];
        /* Multiplexed: the group counted only part of the time; scale to all of it. */
        double scale = t->running[i] > 0 && t->running[i] < t->enabled[i]
                           ? (double)t->enabled[i] / (double)t->running[i] : 1.0;
        t->value[i] = (double)count * scale;
    }
}

void perf_thread_stop(struct perf_thread *t)
{
    for (int i = 0; i < PERF_NEVENTS; i++)
        if (t->fd[i] >= 0 && t->leader[i] == i)
            ioctl(t->fd[i], PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
    for (int i = 0; i < PERF_NEVENTS; i++)
        if (t->fd[i] >= 0 && t->leader[i] == i)
            read_group(t, i);
    for (int i = 0; i < PERF_NEVENTS; i++)
        if (t->fd[i] >= 0) {
            close(t->fd[i]);
            t->fd[i] = -1;
        }
}
