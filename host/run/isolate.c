/* isolate.c — see isolate.h and docs/reliability.md. */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET */
#include "run/isolate.h"
#include "hdr/hdr.h"
#include "hdr/hdr_v2.h"
#include "run/point_json.h"
#include "util/reaper.h"
#include "util/clock.h"
#include "util/files.h"
#include "util/mem.h"
#include "util/text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* pipe2(O_CLOEXEC) is GNU; this is POSIX. */
static int pipe_cloexec(int fds[2])
{
    if (pipe(fds) != 0)
        return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
}

static void write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        len -= (size_t)w;
    }
}

/* What a child sent back, and how it ended. */
struct child {
    pid_t pid;                 /* 0: the slot is free */
    const struct point *pt;
    char *scratch;             /* the point's scratch directory, removed when it ends */
    double timeout_s;
    uint64_t start_ns, deadline_ns;
    int results_fd, output_fd; /* -1 once at end of file */
    int pidfd;                 /* readable once the child has exited; -1 if unavailable */
    char *results;
    size_t results_len, results_cap;
    char tail[ISOLATE_TAIL_BYTES];
    size_t tail_len;
    char *line;                /* with jobs > 1: the unfinished line of output */
    size_t line_len, line_cap;
    int timed_out, stopped, killed, status;
    int suspended;             /* the signal that stopped the child's process, or 0 */
};

/* After each repetition: its record, one line on the results pipe. */
static void send_repetition(void *arg, struct point_state *ps, const struct point_run *pr,
                            uint32_t rep)
{
    json_t *record = point_json_repetition(ps, pr, rep);
    char *text = json_dumps(record, JSON_COMPACT);
    json_decref(record);
    if (!text)
        return;
    write_all(*(int *)arg, text, strlen(text));
    write_all(*(int *)arg, "\n", 1);
    free(text);
}

static _Noreturn void run_child(struct isolate_pool *p, size_t slot, struct runner *r,
                                const struct point *pt, int results_fd, int output_fd)
{
    /* Dies with the host, even by SIGKILL: a resumed run must not race an orphan. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != p->host)
        _exit(3);
    /* Its own process group: a terminal's Ctrl-C reaches the host, which decides. */
    setpgid(0, 0);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    for (size_t k = 0; k < p->jobs; k++) /* the other points' pipes are not this one's */
        if (k != slot && p->slots[k].pid) {
            close(p->slots[k].results_fd);
            close(p->slots[k].output_fd);
            close(p->slots[k].pidfd);
        }
    if (p->cpus) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(p->cpus[slot], &set);
        sched_setaffinity(0, sizeof set, &set);
    }
    dup2(output_fd, STDOUT_FILENO);
    dup2(output_fd, STDERR_FILENO);
    close(output_fd);
    reaper_adopt(); /* what the plugin starts stays ours, even after setsid() */
    r->live = &p->lives[slot * p->lives_per_slot];
    r->repetition_done = send_repetition;
    r->repetition_done_arg = &results_fd;
    json_t *point = runner_point(r, pt);
    size_t left = reaper_kill_children(NULL, 0, REAPER_GRACE_MS);
    if (point)
        point_json_left(point, left);
    if (point && p->cpus)
        json_object_set_new(point, "cpu", json_integer(p->cpus[slot]));
    char *text = point ? json_dumps(point, JSON_COMPACT) : NULL;
    if (text) {
        write_all(results_fd, text, strlen(text));
        write_all(results_fd, "\n", 1);
    }
    fflush(NULL);
    /* _exit: the parent's atexit handlers and buffers are not the child's to run. */
    _exit(text ? 0 : 3);
}

static void keep_tail(struct child *c, const char *buf, size_t n)
{
    if (n >= sizeof c->tail) {
        memcpy(c->tail, buf + n - sizeof c->tail, sizeof c->tail);
        c->tail_len = sizeof c->tail;
        return;
    }
    size_t keep = c->tail_len + n > sizeof c->tail ? sizeof c->tail - n : c->tail_len;
    memmove(c->tail, c->tail + c->tail_len - keep, keep);
    memcpy(c->tail + keep, buf, n);
    c->tail_len = keep + n;
}

/*
 * Copies a child's output to the host's stderr, PIPE_BUF bytes at a time and
 * only while stderr can take them: a stderr nobody reads (a paused pager)
 * must not stop the host from enforcing timeouts. What is dropped stays in
 * the point's tail.
 */
static void forward_output(const char *buf, size_t n)
{
    while (n > 0) {
        struct pollfd out = {.fd = STDERR_FILENO, .events = POLLOUT};
        int ready;
        do /* a signal is no reason to drop a point's output */
            ready = poll(&out, 1, 0);
        while (ready < 0 && errno == EINTR);
        if (ready != 1 || !(out.revents & POLLOUT))
            return;
        size_t chunk = n < PIPE_BUF ? n : PIPE_BUF;
        ssize_t w = write(STDERR_FILENO, buf, chunk);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        buf += w;
        n -= (size_t)w;
    }
}

/*
 * With several points running at once, their output is copied line by line,
 * each line prefixed with its point's label, so that interleaved lines can
 * be told apart. A line longer than the tail is passed on in pieces.
 */
static void forward_lines(struct child *c, const char *buf, size_t n, int flush)
{
    for (size_t i = 0; i < n; i++) {
        grow(&c->line, &c->line_cap, c->line_len, 1);
        c->line[c->line_len++] = buf[i];
        if (buf[i] != '\n' && c->line_len < ISOLATE_TAIL_BYTES)
            continue;
        /* Copied, not printed: a plugin's line may hold NUL bytes. */
        size_t label = strlen(c->pt->label), end = buf[i] != '\n';
        char *prefixed = xmalloc(label + 3 + c->line_len + end);
        prefixed[0] = '[';
        memcpy(prefixed + 1, c->pt->label, label);
        memcpy(prefixed + 1 + label, "] ", 2);
        memcpy(prefixed + 3 + label, c->line, c->line_len);
        if (end)
            prefixed[3 + label + c->line_len] = '\n';
        forward_output(prefixed, label + 3 + c->line_len + end);
        free(prefixed);
        c->line_len = 0;
    }
    if (flush && c->line_len > 0)
        forward_lines(c, "\n", 1, 0);
}

/* Reads what is there from one of c's pipes; closes it at end of file. 0 when nothing is. */
static int drain(const struct isolate_pool *p, struct child *c, int *fd)
{
    char buf[8192];
    ssize_t n = read(*fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return errno == EINTR;
    if (n <= 0) {
        close(*fd);
        *fd = -1;
        return 0;
    }
    if (fd == &c->output_fd) {
        if (p->before_output)
            p->before_output(p->before_output_arg);
        if (p->jobs > 1)
            forward_lines(c, buf, (size_t)n, 0);
        else
            forward_output(buf, (size_t)n);
        keep_tail(c, buf, (size_t)n);
    } else {
        grow(&c->results, &c->results_cap, c->results_len + (size_t)n, 1);
        memcpy(c->results + c->results_len, buf, (size_t)n);
        c->results_len += (size_t)n;
    }
    return 1;
}

/*
 * After the child has exited, everything it wrote is in its pipes; what
 * the plugin started may still hold the write ends open, so read without
 * blocking until the pipes are empty, then close them.
 */
static void drain_rest(const struct isolate_pool *p, struct child *c)
{
    int *fds[] = {&c->results_fd, &c->output_fd};
    for (int k = 0; k < 2; k++) {
        if (*fds[k] < 0)
            continue;
        fcntl(*fds[k], F_SETFL, fcntl(*fds[k], F_GETFL) | O_NONBLOCK);
        while (*fds[k] >= 0 && drain(p, c, fds[k]))
            ;
        if (*fds[k] >= 0) {
            close(*fds[k]);
            *fds[k] = -1;
        }
    }
}

static void kill_child(struct child *c)
{
    if (c->killed)
        return;
    kill(-c->pid, SIGKILL); /* the point's whole group: what the plugin started too */
    kill(c->pid, SIGKILL);
    c->killed = 1;
}

/* Why a child that sent no usable result failed, in the words of the results. */
static char *failure_reason(const struct child *c)
{
    char buf[32];
    if (c->suspended)
        return xasprintf("its process was stopped by %s, so it could never finish; killed",
                         signal_name(c->suspended, buf, sizeof buf));
    if (c->timed_out)
        return xasprintf("timeout after %g s", c->timeout_s);
    if (WIFSIGNALED(c->status))
        return xasprintf("killed by %s (%s)", signal_name(WTERMSIG(c->status), buf, sizeof buf),
                         strsignal(WTERMSIG(c->status)));
    if (WIFEXITED(c->status) && WEXITSTATUS(c->status) != 0)
        return xasprintf("exited with status %d", WEXITSTATUS(c->status));
    return xstrdup("exited without reporting results");
}

/*
 * What a point's process left running when it died, adopted by the host (a
 * subreaper): killed, sparing the other points' processes. With several
 * points at once, a stray is counted against the point that ended first.
 */
static size_t kill_strays(const struct isolate_pool *p)
{
    pid_t *keep = xcalloc(p->jobs + 1, sizeof *keep);
    size_t n = 0;
    for (size_t k = 0; k < p->jobs; k++)
        if (p->slots[k].pid)
            keep[n++] = p->slots[k].pid;
    size_t killed = reaper_kill_children(keep, n, 0);
    free(keep);
    return killed;
}

/*
 * What the child sent, one JSON line each: its repetitions' records, kept in
 * `records`, and, if it exited by itself, its result, returned (else NULL).
 */
static json_t *read_results(struct child *c, int exited_ok, json_t *records)
{
    json_t *point = NULL;
    for (size_t at = 0; at < c->results_len;) {
        char *nl = memchr(c->results + at, '\n', c->results_len - at);
        size_t len = nl ? (size_t)(nl - (c->results + at)) : c->results_len - at;
        json_t *o = json_loadb(c->results + at, len, 0, NULL);
        at += len + 1;
        if (!json_is_object(o)) {
            json_decref(o);
        } else if (json_object_get(o, "repetition")) {
            json_array_append_new(records, o);
        } else if (exited_ok && json_object_get(o, "id") && !point) {
            point = o;
        } else {
            json_decref(o);
        }
    }
    return point;
}

/* The result of a child that has ended and been reaped; frees the slot. */
static json_t *finish(struct isolate_pool *p, struct child *c)
{
    /* Exited 0 on its own with a whole result: it finished, whatever the host had decided. */
    int exited_ok = WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0;
    json_t *records = json_array(), *point = read_results(c, exited_ok, records);
    if (!point && !c->stopped) {
        char *tail = xmalloc(c->tail_len + 1);
        for (size_t i = 0; i < c->tail_len; i++)
            tail[i] = c->tail[i] ? c->tail[i] : '?'; /* a plugin's NULs end no string of ours */
        tail[c->tail_len] = '\0';
        char *why = failure_reason(c);
        /* The repetition it was in when it died, if no record says it finished: every
         * thread's count of it. */
        const struct point_live *lives = &p->lives[(size_t)(c - p->slots) * p->lives_per_slot];
        uint64_t cut = 0;
        for (uint32_t t = 0; t < (c->pt->threads ? c->pt->threads : 1); t++)
            if (lives[t].phase >= 1 && lives[t].phase - 1 >= json_array_size(records))
                cut += point_live_iterations(&lives[t]);
        point = point_json_partial(c->pt, records, cut, why, utf8_sanitize(tail),
                                   clock_now_ns() - c->start_ns);
        /* It could not clean up after itself: what it left was adopted by the host. */
        point_json_left(point, kill_strays(p));
        if (p->cpus)
            json_object_set_new(point, "cpu", json_integer(p->cpus[c - p->slots]));
        free(why);
        free(tail);
    }
    json_decref(records);
    forward_lines(c, NULL, 0, 1);
    free(c->line);
    free(c->results);
    if (c->pidfd >= 0)
        close(c->pidfd);
    remove_tree(c->scratch); /* a point killed mid-way cannot clean up after itself */
    free(c->scratch);
    *c = (struct child){0};
    p->running--;
    return point;
}

static int cpus_allowed(int *cpus, size_t max)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 0;
    size_t n = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++)
        if (CPU_ISSET(cpu, &set))
            cpus[n++] = cpu;
    return (int)n;
}

/*
 * Does once in the host what every child would otherwise do first: bind the
 * library functions a point's results go through (lazily bound symbols are
 * written into pages each child would copy) and set up the deflate stream.
 */
static void prewarm(void)
{
    struct hdr h;
    if (hdr_init_bhost(&h) == 0) {
        hdr_record(&h, 1000);
        struct hdr_summary sum;
        hdr_summarize(&h, &sum);
        char *encoded = hdr_encode_v2_base64(&h);
        json_t *o = json_pack("{s:s?, s:I, s:f, s:b, s:n, s:[]}", "hdr", encoded, "count",
                              (json_int_t)sum.count, "mean", sum.mean, "ok", 1, "error", "list");
        free(json_dumps(o, JSON_COMPACT));
        json_decref(o);
        free(encoded);
        hdr_fini(&h);
    }
}

int isolate_pool_init(struct isolate_pool *p, size_t jobs, uint32_t max_threads, char *why,
                      size_t n)
{
    prewarm();
    reaper_adopt(); /* what a dying point's process leaves comes to the host */
    *p = (struct isolate_pool){.jobs = jobs, .slots = xcalloc(jobs, sizeof *p->slots),
                               .host = getpid(), .lives_per_slot = max_threads ? max_threads : 1};
    /* Shared, so that the host reads what a point's loops counted even after it died. */
    p->lives = mmap(NULL, jobs * p->lives_per_slot * sizeof *p->lives, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p->lives == MAP_FAILED) {
        fprintf(stderr, "bhost: cannot map memory to share with points: %s\n", strerror(errno));
        exit(3);
    }
    if (jobs == 1) {
        snprintf(why, n, "none: one job at a time");
        return 0;
    }
    int *cpus = xcalloc(CPU_SETSIZE, sizeof *cpus);
    int ncpus = cpus_allowed(cpus, CPU_SETSIZE);
    if ((size_t)ncpus < jobs) {
        snprintf(why, n, "none: %zu jobs, %d CPU%s to run on", jobs, ncpus, ncpus == 1 ? "" : "s");
        free(cpus);
        return 0;
    }
    snprintf(why, n, "one CPU per job");
    p->cpus = cpus;
    return 1;
}

void isolate_pool_fini(struct isolate_pool *p)
{
    munmap(p->lives, p->jobs * p->lives_per_slot * sizeof *p->lives);
    free(p->slots);
    free(p->cpus);
    *p = (struct isolate_pool){0};
}

json_t *isolate_pool_start(struct isolate_pool *p, struct runner *r, const struct point *pt,
                           double timeout_s)
{
    int results[2], output[2];
    if (pipe_cloexec(results) != 0)
        return point_json_lost(pt, "cannot create a pipe", NULL, 0);
    if (pipe_cloexec(output) != 0) {
        close(results[0]);
        close(results[1]);
        return point_json_lost(pt, "cannot create a pipe", NULL, 0);
    }
    size_t slot = 0;
    while (p->slots[slot].pid)
        slot++;
    for (uint32_t t = 0; t < (pt->threads ? pt->threads : 1); t++)
        point_live_begin(&p->lives[slot * p->lives_per_slot + t], 0);
    fflush(NULL);
    uint64_t start = clock_now_ns();
    pid_t pid = fork();
    if (pid == 0) {
        close(results[0]);
        close(output[0]);
        run_child(p, slot, r, pt, results[1], output[1]);
    }
    close(results[1]);
    close(output[1]);
    if (pid < 0) {
        close(results[0]);
        close(output[0]);
        return point_json_lost(pt, "cannot fork", NULL, 0);
    }
    setpgid(pid, pid); /* also here: whichever runs first, the group exists */
    int pidfd = pidfd_open(pid, 0); /* Linux >= 5.3; without it, a short poll instead */
    if (pidfd >= 0)
        fcntl(pidfd, F_SETFD, FD_CLOEXEC);
    p->slots[slot] = (struct child){
        .pid = pid, .pt = pt, .scratch = point_scratch_dir(r->scratch_root, pt),
        .timeout_s = timeout_s, .start_ns = start,
        .deadline_ns = timeout_s > 0 ? start + (uint64_t)(timeout_s * 1e9) : 0,
        .results_fd = results[0], .output_fd = output[0], .pidfd = pidfd};
    p->running++;
    return NULL;
}

/* Kills what ran out of time or must stop; the poll timeout until the next deadline. */
static int enforce_limits(struct isolate_pool *p, const volatile sig_atomic_t *stop)
{
    uint64_t now = clock_now_ns();
    int wait_ms = 200;
    for (size_t k = 0; k < p->jobs; k++) {
        struct child *c = &p->slots[k];
        if (!c->pid || c->killed)
            continue;
        if (stop && *stop) {
            c->stopped = 1;
            kill_child(c);
        } else if (c->deadline_ns && now >= c->deadline_ns) {
            c->timed_out = 1;
            kill_child(c);
        } else if (c->deadline_ns && (c->deadline_ns - now) / 1000000 < (uint64_t)wait_ms) {
            wait_ms = (int)((c->deadline_ns - now) / 1000000) + 1;
        }
    }
    return wait_ms;
}

/*
 * Reaps c without waiting; 1 once it has exited. A child whose process was
 * stopped (SIGSTOP, or SIGTSTP, SIGTTIN, SIGTTOU) would never end: it is
 * killed at once, with that as its point's reason, rather than hang the run.
 */
static int reap(struct child *c)
{
    pid_t got;
    while ((got = waitpid(c->pid, &c->status, WNOHANG | WUNTRACED)) < 0 && errno == EINTR)
        ;
    if (got == c->pid && WIFSTOPPED(c->status)) {
        if (!c->suspended)
            c->suspended = WSTOPSIG(c->status);
        kill_child(c);
        return 0;
    }
    if (got < 0) /* not ours to wait for: cannot happen, but must not hang */
        c->status = 0;
    return got == c->pid || got < 0;
}

/*
 * A child that has exited, its pipes read to the end of what it wrote: the
 * point is over, even if a process it started lives on holding the pipes.
 * That process, if still in the point's group, is killed.
 */
static struct child *ended_child(struct isolate_pool *p)
{
    for (size_t k = 0; k < p->jobs; k++) {
        struct child *c = &p->slots[k];
        if (!c->pid || !reap(c))
            continue;
        drain_rest(p, c);
        kill(-c->pid, SIGKILL);
        return c;
    }
    return NULL;
}

json_t *isolate_pool_wait(struct isolate_pool *p, const volatile sig_atomic_t *stop,
                          const struct point **pt)
{
    *pt = NULL;
    if (p->running == 0)
        return NULL;
    struct pollfd *fds = xcalloc(3 * p->jobs, sizeof *fds);
    for (;;) {
        struct child *c = ended_child(p);
        if (c) {
            free(fds);
            *pt = c->pt;
            return finish(p, c);
        }
        int wait_ms = enforce_limits(p, stop), no_pidfd = 0;
        for (size_t k = 0; k < p->jobs; k++) {
            const struct child *ch = &p->slots[k];
            fds[3 * k] = (struct pollfd){.fd = ch->pid ? ch->results_fd : -1, .events = POLLIN};
            fds[3 * k + 1] = (struct pollfd){.fd = ch->pid ? ch->output_fd : -1,
                                             .events = POLLIN};
            fds[3 * k + 2] = (struct pollfd){.fd = ch->pid ? ch->pidfd : -1, .events = POLLIN};
            no_pidfd |= ch->pid && ch->pidfd < 0;
        }
        /* Without a pidfd (Linux < 5.3) an exit is noticed by asking often. */
        if (no_pidfd && wait_ms > 5)
            wait_ms = 5;
        if (poll(fds, 3 * p->jobs, wait_ms) < 0 && errno != EINTR) {
            fprintf(stderr, "bhost: internal error: poll: %s\n", strerror(errno));
            exit(3);
        }
        for (size_t k = 0; k < p->jobs; k++) {
            if (fds[3 * k].fd >= 0 && fds[3 * k].revents)
                drain(p, &p->slots[k], &p->slots[k].results_fd);
            if (fds[3 * k + 1].fd >= 0 && fds[3 * k + 1].revents)
                drain(p, &p->slots[k], &p->slots[k].output_fd);
        }
    }
}
