/*
 * source_perf.c — samples from perf_event_open(2): a software clock event
 * (task-clock) per thread and CPU, inherited by the threads each one starts,
 * every CPU's events writing into one ring buffer, which the collector
 * reads. The kernel takes the sample on its timer interrupt: the sampled
 * thread runs no code for it and gets no signal. As perf record does.
 */
#define _GNU_SOURCE

#include "source.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* One CPU's ring buffer, shared by the events of every sampled thread on that CPU. */
struct ring {
    int fd;                       /* the event the buffer is mapped from */
    struct perf_event_mmap_page *meta;
    uint8_t *data;
    uint64_t size;                /* bytes of data: a power of two */
};

struct perf_source {
    struct source_config cfg;
    int *fds;                     /* every event: threads x CPUs */
    size_t nfds;
    struct ring *rings;           /* one per CPU that has events */
    size_t nrings;
    struct pollfd *polls;
    struct source_losses losses;
    int kernel_too;               /* samples also in kernel mode (privileged) */
    uint8_t *record;              /* one record, unwrapped from the ring */
    char description[160];
};

static int perf_event_open(struct perf_event_attr *attr, pid_t tid, int cpu)
{
    return (int)syscall(SYS_perf_event_open, attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static void fill_attr(struct perf_event_attr *a, const struct source_config *cfg,
                      int kernel_too, uint32_t watermark)
{
    memset(a, 0, sizeof *a);
    a->size = sizeof *a;
    a->type = PERF_TYPE_SOFTWARE;
    a->config = PERF_COUNT_SW_TASK_CLOCK; /* ns of the thread's CPU time */
    a->sample_period = 1000000000u / cfg->rate_hz;
    a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
                     PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
    a->sample_regs_user = SAMPLE_REGS_MASK;
    a->sample_stack_user = cfg->stack_bytes;
    a->disabled = 1;
    a->inherit = 1;
    a->exclude_kernel = !kernel_too;
    a->exclude_hv = 1;
    a->use_clockid = 1;
    a->clockid = CLOCK_MONOTONIC;
    a->watermark = 1;
    a->wakeup_watermark = watermark;
}

/* Data pages for a ring that holds at least 64 samples: a power of two. */
static size_t ring_pages(uint32_t stack_bytes)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), want = 64 * ((size_t)stack_bytes + 512);
    size_t pages = 8;
    while (pages * page < want)
        pages *= 2;
    return pages;
}

static int map_ring(struct ring *r, int fd, size_t pages)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    /* Without privileges the kernel caps what a user may lock (perf_event_mlock_kb). */
    for (; pages >= 8; pages /= 2) {
        void *m = mmap(NULL, (pages + 1) * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m != MAP_FAILED) {
            *r = (struct ring){.fd = fd, .meta = m, .data = (uint8_t *)m + page,
                               .size = pages * page};
            return 0;
        }
        if (errno != EPERM && errno != ENOMEM)
            break;
    }
    return -1;
}

static const char *open_refusal(int err)
{
    switch (err) {
    case EACCES:
    case EPERM:
        return "not permitted (kernel.perf_event_paranoid, or a seccomp filter)";
    case ENOSYS:
        return "this kernel has no perf_event_open";
    case ENOENT:
    case EOPNOTSUPP:
        return "this kernel cannot sample on task-clock with stacks";
    default:
        return strerror(err);
    }
}

static void close_all(struct perf_source *p)
{
    for (size_t i = 0; i < p->nrings; i++)
        munmap(p->rings[i].meta, p->rings[i].size + (size_t)sysconf(_SC_PAGESIZE));
    for (size_t i = 0; i < p->nfds; i++)
        close(p->fds[i]);
    free(p->fds);
    free(p->rings);
    free(p->polls);
    free(p->record);
    free(p);
}

static void *perf_open(const struct source_config *cfg, const int64_t *tids, size_t ntids,
                       char *why, size_t whylen)
{
    if (cfg->wall) {
        snprintf(why, whylen, "perf_event_open samples CPU time only; wall-clock time needs "
                              "the signal method");
        return NULL;
    }
    if (SAMPLE_NREGS == 0) {
        snprintf(why, whylen, "no stack unwinding on this architecture");
        return NULL;
    }
    long ncpus = sysconf(_SC_NPROCESSORS_CONF);
    struct perf_source *p = calloc(1, sizeof *p);
    if (!p || ncpus < 1)
        goto oom;
    p->cfg = *cfg;
    p->fds = calloc(ntids * (size_t)ncpus + 1, sizeof *p->fds);
    p->rings = calloc((size_t)ncpus, sizeof *p->rings);
    p->polls = calloc((size_t)ncpus, sizeof *p->polls);
    p->record = malloc(65536); /* a record's size is 16 bits */
    if (!p->fds || !p->rings || !p->polls || !p->record)
        goto oom;
    size_t pages = ring_pages(cfg->stack_bytes);
    struct perf_event_attr attr;
    p->kernel_too = 1;
    for (long cpu = 0; cpu < ncpus; cpu++) {
        int leader = -1;
        for (size_t t = 0; t < ntids; t++) {
            uint32_t watermark = (uint32_t)(pages * (size_t)sysconf(_SC_PAGESIZE) / 4);
            fill_attr(&attr, cfg, p->kernel_too, watermark);
            int fd = perf_event_open(&attr, (pid_t)tids[t], (int)cpu);
            if (fd < 0 && p->kernel_too && (errno == EACCES || errno == EPERM)) {
                p->kernel_too = 0; /* user mode only, as unprivileged users may */
                fill_attr(&attr, cfg, 0, watermark);
                fd = perf_event_open(&attr, (pid_t)tids[t], (int)cpu);
            }
            if (fd < 0 && errno == ESRCH)
                continue; /* the thread ended meanwhile */
            if (fd < 0 && (errno == ENODEV || errno == ENXIO || errno == EINVAL) && t == 0 &&
                cpu > 0)
                break;    /* an offline CPU */
            if (fd < 0) {
                snprintf(why, whylen, "perf_event_open: %s", open_refusal(errno));
                close_all(p);
                return NULL;
            }
            p->fds[p->nfds++] = fd;
            if (leader < 0) {
                struct ring *r = &p->rings[p->nrings];
                if (map_ring(r, fd, pages) != 0) {
                    snprintf(why, whylen, "perf_event_open: cannot map its buffer: %s",
                             strerror(errno));
                    close_all(p);
                    return NULL;
                }
                p->polls[p->nrings] = (struct pollfd){.fd = fd, .events = POLLIN};
                p->nrings++;
                leader = fd;
            } else if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, leader) != 0) {
                snprintf(why, whylen, "perf_event_open: cannot share a buffer: %s",
                         strerror(errno));
                close_all(p);
                return NULL;
            }
        }
    }
    if (p->nfds == 0) {
        snprintf(why, whylen, "perf_event_open: no thread to sample");
        close_all(p);
        return NULL;
    }
    char period[32];
    source_period_text(cfg->rate_hz, period, sizeof period);
    snprintf(p->description, sizeof p->description,
             "perf_event: task-clock every %s of each thread's CPU time (%u Hz), %s, "
             "%u bytes of stack", period, (unsigned)cfg->rate_hz,
             p->kernel_too ? "user and kernel mode" : "user mode only",
             (unsigned)cfg->stack_bytes);
    return p;
oom:
    snprintf(why, whylen, "out of memory");
    if (p)
        close_all(p);
    return NULL;
}

static int perf_add_thread(void *src, int64_t tid)
{
    (void)src;
    (void)tid;
    return 0; /* inherited from the thread that started it */
}

static void perf_start(void *src)
{
    struct perf_source *p = src;
    for (size_t i = 0; i < p->nfds; i++)
        ioctl(p->fds[i], PERF_EVENT_IOC_ENABLE, 0);
}

static void perf_stop(void *src)
{
    struct perf_source *p = src;
    for (size_t i = 0; i < p->nfds; i++)
        ioctl(p->fds[i], PERF_EVENT_IOC_DISABLE, 0); /* and the events inherited from it */
}

static uint64_t take_u64(const uint8_t **at)
{
    uint64_t v;
    memcpy(&v, *at, sizeof v);
    *at += sizeof v;
    return v;
}

/* One PERF_RECORD_SAMPLE at `rec`, laid out as sample_type asked (perf_event_open(2)). */
static void parse_sample(const uint8_t *rec, const struct perf_event_header *h,
                         source_take_fn *take, void *arg)
{
    const uint8_t *at = rec + sizeof *h, *end = rec + h->size;
    struct raw_sample s;
    memset(&s, 0, offsetof(struct raw_sample, regs));
    take_u64(&at); /* ip: the registers have it, in user mode */
    uint64_t pid_tid = take_u64(&at);
    s.tid = (int64_t)(pid_tid >> 32);
    s.weight = 1;
    s.time_ns = take_u64(&at);
    s.in_kernel = (h->misc & PERF_RECORD_MISC_CPUMODE_MASK) == PERF_RECORD_MISC_KERNEL;
    uint64_t abi = take_u64(&at);
    if (abi != PERF_SAMPLE_REGS_ABI_NONE) {
        for (int r = 0; r < SAMPLE_NREGS; r++)
            s.regs[r] = SAMPLE_REGS_MASK & (UINT64_C(1) << r) ? take_u64(&at) : 0;
        s.has_regs = 1;
    }
    uint64_t size = take_u64(&at);
    s.stack = at;
    if (size > 0 && at + size + sizeof(uint64_t) <= end) {
        uint64_t used;
        memcpy(&used, at + size, sizeof used);
        s.stack_size = used < size ? used : size;
    }
    take(arg, &s);
}

static size_t drain_ring(struct perf_source *p, struct ring *r, source_take_fn *take, void *arg)
{
    uint64_t head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
    uint64_t tail = r->meta->data_tail;
    size_t n = 0;
    while (tail < head) {
        struct perf_event_header h;
        for (size_t i = 0; i < sizeof h; i++)
            ((uint8_t *)&h)[i] = r->data[(tail + i) & (r->size - 1)];
        if (h.size < sizeof h)
            break; /* never from a sane kernel: stop rather than loop */
        /* Read in place; only a record that wraps round the ring's end is copied whole
         * (each sample is kilobytes of stack: copying them all would cost as much again). */
        size_t first = (size_t)(r->size - (tail & (r->size - 1)));
        const uint8_t *rec = r->data + (tail & (r->size - 1));
        if (h.size > first) {
            memcpy(p->record, rec, first);
            memcpy(p->record + first, r->data, h.size - first);
            rec = p->record;
        }
        if (h.type == PERF_RECORD_SAMPLE) {
            parse_sample(rec, &h, take, arg);
            n++;
        } else if (h.type == PERF_RECORD_LOST) {
            uint64_t lost;
            memcpy(&lost, rec + sizeof h + sizeof(uint64_t), sizeof lost);
            p->losses.lost += lost;
        } else if (h.type == PERF_RECORD_THROTTLE) {
            p->losses.throttled++;
        }
        tail += h.size;
    }
    __atomic_store_n(&r->meta->data_tail, tail, __ATOMIC_RELEASE);
    return n;
}

static size_t perf_drain(void *src, int timeout_ms, source_take_fn *take, void *arg)
{
    struct perf_source *p = src;
    if (timeout_ms > 0)
        poll(p->polls, p->nrings, timeout_ms);
    size_t n = 0;
    for (size_t i = 0; i < p->nrings; i++)
        n += drain_ring(p, &p->rings[i], take, arg);
    return n;
}

static void perf_losses(void *src, struct source_losses *out)
{
    *out = ((struct perf_source *)src)->losses;
}

static const char *perf_describe(void *src)
{
    return ((struct perf_source *)src)->description;
}

static void perf_close(void *src)
{
    close_all(src);
}

const struct source_ops source_perf = {
    .name = "perf",
    .open = perf_open,
    .add_thread = perf_add_thread,
    .start = perf_start,
    .stop = perf_stop,
    .drain = perf_drain,
    .losses = perf_losses,
    .describe = perf_describe,
    .close = perf_close,
};
