/* isolate.c — see isolate.h and docs/reliability.md. */
#include "isolate.h"
#include "clock.h"
#include "results.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *signal_name(int sig, char *buf, size_t n)
{
    static const struct {
        int sig;
        const char *name;
    } names[] = {{SIGSEGV, "SIGSEGV"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},
                 {SIGFPE, "SIGFPE"},   {SIGILL, "SIGILL"},   {SIGKILL, "SIGKILL"},
                 {SIGTERM, "SIGTERM"}, {SIGINT, "SIGINT"},   {SIGPIPE, "SIGPIPE"},
                 {SIGTRAP, "SIGTRAP"}, {SIGSYS, "SIGSYS"},   {SIGXCPU, "SIGXCPU"},
                 {SIGHUP, "SIGHUP"},   {SIGQUIT, "SIGQUIT"}, {SIGUSR1, "SIGUSR1"},
                 {SIGUSR2, "SIGUSR2"}, {SIGALRM, "SIGALRM"}, {SIGXFSZ, "SIGXFSZ"}};
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (names[i].sig == sig)
            return names[i].name;
    snprintf(buf, n, "signal %d", sig);
    return buf;
}

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

static _Noreturn void run_child(struct runner *r, const struct point *pt, int results_fd,
                                int output_fd)
{
    /* Its own process group: a terminal's Ctrl-C reaches the host, which decides. */
    setpgid(0, 0);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    dup2(output_fd, STDOUT_FILENO);
    dup2(output_fd, STDERR_FILENO);
    close(output_fd);
    json_t *point = runner_point(r, pt);
    char *text = point ? json_dumps(point, JSON_COMPACT) : NULL;
    if (text)
        write_all(results_fd, text, strlen(text));
    fflush(NULL);
    /* _exit: the parent's atexit handlers and buffers are not the child's to run. */
    _exit(text ? 0 : 3);
}

/* What a child sent back, and how it ended. */
struct child {
    pid_t pid;
    int results_fd, output_fd;
    char *results;
    size_t results_len, results_cap;
    char tail[ISOLATE_TAIL_BYTES];
    size_t tail_len;
    int timed_out, stopped, status;
};

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

/* Reads what is there; 0 at end of file. */
static int drain(struct child *c, int fd)
{
    char buf[8192];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 1 : 0;
    if (n == 0)
        return 0;
    if (fd == c->output_fd) {
        write_all(STDERR_FILENO, buf, (size_t)n);
        keep_tail(c, buf, (size_t)n);
    } else {
        grow(&c->results, &c->results_cap, c->results_len + (size_t)n, 1);
        memcpy(c->results + c->results_len, buf, (size_t)n);
        c->results_len += (size_t)n;
    }
    return 1;
}

static void collect(struct child *c, double timeout_s, const volatile sig_atomic_t *stop)
{
    uint64_t deadline = timeout_s > 0 ? clock_now_ns() + (uint64_t)(timeout_s * 1e9) : 0;
    int open_results = 1, open_output = 1, killed = 0;
    while (open_results || open_output) {
        struct pollfd fds[2] = {{.fd = open_results ? c->results_fd : -1, .events = POLLIN},
                                {.fd = open_output ? c->output_fd : -1, .events = POLLIN}};
        int wait_ms = 200;
        if (deadline && !killed) {
            uint64_t now = clock_now_ns();
            if (now >= deadline) {
                c->timed_out = 1;
            } else if ((deadline - now) / 1000000 < (uint64_t)wait_ms) {
                wait_ms = (int)((deadline - now) / 1000000) + 1;
            }
        }
        if (stop && *stop && !killed)
            c->stopped = 1;
        if ((c->timed_out || c->stopped) && !killed) {
            kill(-c->pid, SIGKILL);
            kill(c->pid, SIGKILL);
            killed = 1;
        }
        if (poll(fds, 2, wait_ms) < 0 && errno != EINTR)
            break;
        if (open_results && fds[0].revents)
            open_results = drain(c, c->results_fd);
        if (open_output && fds[1].revents)
            open_output = drain(c, c->output_fd);
    }
    while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
        ;
}

/* Why a child that sent no usable result failed, in the words of the results. */
static char *failure_reason(const struct child *c, double timeout_s)
{
    char buf[32];
    if (c->timed_out)
        return xasprintf("timeout after %g s", timeout_s);
    if (WIFSIGNALED(c->status))
        return xasprintf("killed by %s (%s)", signal_name(WTERMSIG(c->status), buf, sizeof buf),
                         strsignal(WTERMSIG(c->status)));
    if (WIFEXITED(c->status) && WEXITSTATUS(c->status) != 0)
        return xasprintf("exited with status %d", WEXITSTATUS(c->status));
    return xstrdup("exited without reporting results");
}

json_t *isolate_point(struct runner *r, const struct point *pt, double timeout_s,
                      const volatile sig_atomic_t *stop)
{
    int results[2], output[2];
    if (pipe_cloexec(results) != 0)
        return results_lost_point(pt, "cannot create a pipe", NULL, 0);
    if (pipe_cloexec(output) != 0) {
        close(results[0]);
        close(results[1]);
        return results_lost_point(pt, "cannot create a pipe", NULL, 0);
    }
    fflush(NULL);
    uint64_t start = clock_now_ns();
    struct child c = {.results_fd = results[0], .output_fd = output[0]};
    c.pid = fork();
    if (c.pid == 0) {
        close(results[0]);
        close(output[0]);
        run_child(r, pt, results[1], output[1]);
    }
    close(results[1]);
    close(output[1]);
    if (c.pid < 0) {
        close(results[0]);
        close(output[0]);
        return results_lost_point(pt, "cannot fork", NULL, 0);
    }
    setpgid(c.pid, c.pid); /* also here: whichever runs first, the group exists */
    collect(&c, timeout_s, stop);
    close(results[0]);
    close(output[0]);
    json_t *point = NULL;
    int exited_ok = WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0;
    if (c.stopped) {
        point = NULL;
    } else if (exited_ok && !c.timed_out && c.results_len > 0) {
        grow(&c.results, &c.results_cap, c.results_len, 1);
        c.results[c.results_len] = '\0';
        point = json_loads(c.results, 0, NULL);
    }
    if (!point && !c.stopped) {
        char *tail = xmalloc(c.tail_len + 1);
        for (size_t i = 0; i < c.tail_len; i++)
            tail[i] = c.tail[i] ? c.tail[i] : '?'; /* a plugin's NULs end no string of ours */
        tail[c.tail_len] = '\0';
        char *why = failure_reason(&c, timeout_s);
        point = results_lost_point(pt, why, utf8_sanitize(tail), clock_now_ns() - start);
        free(why);
        free(tail);
    }
    free(c.results);
    return point;
}
