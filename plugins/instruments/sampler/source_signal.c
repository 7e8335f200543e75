/*
 * source_signal.c — samples from POSIX timers: one per thread, on that
 * thread's CPU clock (or CLOCK_MONOTONIC for wall-clock time), sending it
 * SIGPROF. The handler does only what is async-signal-safe: it copies the
 * interrupted registers and, with one process_vm_readv(2) (which fails
 * where memory is not mapped instead of faulting), the top of the stack
 * into the next record of that thread's ring, preallocated and prefaulted.
 * A full ring counts the sample as lost. No allocation, lock or stdio.
 *
 * The kernel checks CPU-time timers on its scheduler tick (CONFIG_HZ, often
 * 250 Hz): at a higher rate, several periods expire at once and one signal
 * comes, with the others in si_overrun. That sample then stands for all of
 * them (its weight), so the profile still counts CPU time, in coarser steps.
 */
#define _GNU_SOURCE

#include "source.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

/* A record: this header, then the stack copy. */
struct record {
    uint64_t time_ns;
    uint64_t periods;     /* expirations the signal stands for: 1 + its overrun */
    uint64_t stack_size;
    uint64_t regs[SAMPLE_NREGS ? SAMPLE_NREGS : 1];
};

/* One sampled thread: its timer and its ring of records. */
struct slot {
    int64_t tid;
    timer_t timer;
    int has_timer;
    uint8_t *ring;
    size_t ring_bytes;
    uint32_t nrecords, record_size;
    _Atomic uint64_t head;          /* the handler's */
    _Atomic uint64_t tail;          /* the collector's */
    _Atomic uint64_t lost;
};

struct signal_source {
    struct source_config cfg;
    struct slot **slots;
    size_t nslots, cap;
    struct sigaction previous;
    int running;                    /* timers armed: a thread added now is armed too */
    char description[200];
};

static pid_t self_pid;

/* The registers of the interrupted thread, in sample.h's order. */
static void copy_regs(uint64_t *regs, const ucontext_t *uc)
{
#if defined(__x86_64__)
    static const int greg_of[SAMPLE_NREGS] = {
        REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_RBP, REG_RSP,
        REG_RIP, REG_EFL, -1, -1, -1, -1, -1, -1,
        REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
    for (int i = 0; i < SAMPLE_NREGS; i++)
        regs[i] = greg_of[i] >= 0 ? (uint64_t)uc->uc_mcontext.gregs[greg_of[i]] : 0;
#elif defined(__aarch64__)
    for (int i = 0; i < 31; i++)
        regs[i] = uc->uc_mcontext.regs[i];
    regs[SAMPLE_REG_SP] = uc->uc_mcontext.sp;
    regs[SAMPLE_REG_IP] = uc->uc_mcontext.pc;
#else
    (void)regs;
    (void)uc;
#endif
}

/* Up to `len` bytes from `from` on: as far as memory is mapped, a page at a time. */
static uint64_t copy_stack(uint8_t *to, uint64_t from, uint64_t len)
{
    enum { MAX_PIECES = 17 }; /* 64 KiB in 4 KiB pages, and a first partial one */
    struct iovec local = {to, len}, remote[MAX_PIECES];
    int n = 0;
    uint64_t at = from, end = from + len;
    while (at < end && n < MAX_PIECES) {
        uint64_t next = (at | 4095) + 1;
        remote[n++] = (struct iovec){(void *)(uintptr_t)at, (next < end ? next : end) - at};
        at = next;
    }
    local.iov_len = at < end ? at - from : len;
    ssize_t got = process_vm_readv(self_pid, &local, 1, remote, (unsigned long)n, 0);
    return got > 0 ? (uint64_t)got : 0;
}

static void on_sigprof(int sig, siginfo_t *si, void *context)
{
    (void)sig;
    int saved_errno = errno;
    struct slot *s = si->si_code == SI_TIMER ? si->si_value.sival_ptr : NULL;
    if (s) {
        uint64_t head = atomic_load_explicit(&s->head, memory_order_relaxed);
        uint64_t tail = atomic_load_explicit(&s->tail, memory_order_acquire);
        if (head - tail >= s->nrecords) {
            atomic_fetch_add_explicit(&s->lost, 1 + (uint64_t)(si->si_overrun > 0 ? si->si_overrun : 0),
                                      memory_order_relaxed);
        } else {
            uint8_t *at = s->ring + (head % s->nrecords) * s->record_size;
            struct record *r = (struct record *)(void *)at;
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            r->time_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
            r->periods = 1 + (uint64_t)(si->si_overrun > 0 ? si->si_overrun : 0);
            copy_regs(r->regs, context);
            r->stack_size = copy_stack(at + sizeof *r, r->regs[SAMPLE_REG_SP],
                                       s->record_size - sizeof *r);
            atomic_store_explicit(&s->head, head + 1, memory_order_release);
        }
    }
    errno = saved_errno;
}

/* The CPU-time clock of any thread of this process, by the kernel's encoding
 * (glibc's pthread_getcpuclockid() makes the same): only a pthread_t has a
 * library call for it, and threads are known here by id. */
static clockid_t thread_cpu_clock(int64_t tid)
{
    return (clockid_t)((~(unsigned)tid << 3) | 6u); /* CPUCLOCK_SCHED | CPUCLOCK_PERTHREAD */
}

static void arm(const struct signal_source *p, struct slot *s, int on)
{
    long period = 1000000000L / (long)p->cfg.rate_hz;
    struct timespec every = {period / 1000000000L, period % 1000000000L}, off = {0, 0};
    struct itimerspec its = {.it_interval = on ? every : off, .it_value = on ? every : off};
    timer_settime(s->timer, 0, &its, NULL);
}

static void free_slot(struct slot *s)
{
    if (s->has_timer)
        timer_delete(s->timer);
    if (s->ring)
        munmap(s->ring, s->ring_bytes);
    free(s);
}

static int signal_add_thread(void *src, int64_t tid)
{
    struct signal_source *p = src;
    struct slot *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->tid = tid;
    s->record_size = (uint32_t)(sizeof(struct record) + p->cfg.stack_bytes);
    /* 25 ms of samples: the collector empties rings every 5. */
    s->nrecords = p->cfg.rate_hz / 40 > 32 ? p->cfg.rate_hz / 40 : 32;
    s->ring_bytes = (size_t)s->nrecords * s->record_size;
    /* Prefaulted: a first touch in the handler would cost a page fault per page. */
    s->ring = mmap(NULL, s->ring_bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (s->ring == MAP_FAILED) {
        s->ring = NULL;
        free_slot(s);
        return -1;
    }
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGPROF;
    ev.sigev_value.sival_ptr = s;
    ev._sigev_un._tid = (pid_t)tid;
    clockid_t clock = p->cfg.wall ? CLOCK_MONOTONIC : thread_cpu_clock(tid);
    if (timer_create(clock, &ev, &s->timer) != 0) {
        free_slot(s);
        return errno == EINVAL || errno == ESRCH ? 0 : -1; /* a thread that ended: no matter */
    }
    s->has_timer = 1;
    if (p->nslots == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 8;
        struct slot **v = realloc(p->slots, cap * sizeof *v);
        if (!v) {
            free_slot(s);
            return -1;
        }
        p->slots = v;
        p->cap = cap;
    }
    p->slots[p->nslots++] = s;
    if (p->running)
        arm(p, s, 1);
    return 0;
}

static void signal_close(void *src);

static void *signal_open(const struct source_config *cfg, const int64_t *tids, size_t ntids,
                         char *why, size_t whylen)
{
    if (SAMPLE_NREGS == 0) {
        snprintf(why, whylen, "no stack unwinding on this architecture");
        return NULL;
    }
    struct signal_source *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
    p->cfg = *cfg;
    self_pid = getpid();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigprof;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGPROF, &sa, &p->previous) != 0) {
        snprintf(why, whylen, "cannot handle SIGPROF: %s", strerror(errno));
        free(p);
        return NULL;
    }
    for (size_t i = 0; i < ntids; i++)
        if (signal_add_thread(p, tids[i]) != 0) {
            snprintf(why, whylen, "timer_create: %s", strerror(errno));
            signal_close(p);
            return NULL;
        }
    char period[32];
    source_period_text(cfg->rate_hz, period, sizeof period);
    snprintf(p->description, sizeof p->description,
             "timer signals: SIGPROF every %s of each thread's %s (%u Hz), %u bytes of "
             "stack", period, cfg->wall ? "wall-clock time" : "CPU time",
             (unsigned)cfg->rate_hz, (unsigned)cfg->stack_bytes);
    return p;
}

static void signal_start(void *src)
{
    struct signal_source *p = src;
    p->running = 1;
    for (size_t i = 0; i < p->nslots; i++)
        arm(p, p->slots[i], 1);
}

static void signal_stop(void *src)
{
    struct signal_source *p = src;
    p->running = 0;
    for (size_t i = 0; i < p->nslots; i++)
        arm(p, p->slots[i], 0);
}

static size_t signal_drain(void *src, int timeout_ms, source_take_fn *take, void *arg)
{
    struct signal_source *p = src;
    if (timeout_ms > 0) {
        struct timespec ts = {0, (long)timeout_ms * 1000000L};
        nanosleep(&ts, NULL);
    }
    size_t n = 0;
    struct raw_sample s;
    for (size_t i = 0; i < p->nslots; i++) {
        struct slot *sl = p->slots[i];
        uint64_t head = atomic_load_explicit(&sl->head, memory_order_acquire);
        uint64_t tail = atomic_load_explicit(&sl->tail, memory_order_relaxed);
        for (; tail < head; tail++, n++) {
            const uint8_t *at = sl->ring + (tail % sl->nrecords) * sl->record_size;
            const struct record *r = (const struct record *)(const void *)at;
            memset(&s, 0, sizeof s);
            s.tid = sl->tid;
            s.time_ns = r->time_ns;
            s.weight = r->periods < UINT32_MAX ? (uint32_t)r->periods : UINT32_MAX;
            s.has_regs = 1;
            memcpy(s.regs, r->regs, sizeof s.regs);
            s.stack = at + sizeof *r;
            s.stack_size = r->stack_size;
            take(arg, &s);
            /* Each record is released as soon as it is used: the handler may reuse it. */
            atomic_store_explicit(&sl->tail, tail + 1, memory_order_release);
        }
    }
    return n;
}

static void signal_losses(void *src, struct source_losses *out)
{
    struct signal_source *p = src;
    *out = (struct source_losses){0};
    for (size_t i = 0; i < p->nslots; i++)
        out->lost += atomic_load(&p->slots[i]->lost);
}

static const char *signal_describe(void *src)
{
    return ((struct signal_source *)src)->description;
}

/*
 * Timers deleted first, then SIGPROF ignored (a signal already queued is
 * dropped), and only then the rings freed; the previous action comes back
 * unless it was the default, which would kill the process for a late one.
 */
static void signal_close(void *src)
{
    struct signal_source *p = src;
    for (size_t i = 0; i < p->nslots; i++)
        if (p->slots[i]->has_timer) {
            timer_delete(p->slots[i]->timer);
            p->slots[i]->has_timer = 0;
        }
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPROF, &ignore, NULL);
    for (size_t i = 0; i < p->nslots; i++)
        free_slot(p->slots[i]);
    if (p->previous.sa_handler != SIG_DFL || (p->previous.sa_flags & SA_SIGINFO))
        sigaction(SIGPROF, &p->previous, NULL);
    free(p->slots);
    free(p);
}

const struct source_ops source_signal = {
    .name = "signal",
    .open = signal_open,
    .add_thread = signal_add_thread,
    .start = signal_start,
    .stop = signal_stop,
    .drain = signal_drain,
    .losses = signal_losses,
    .describe = signal_describe,
    .close = signal_close,
};
