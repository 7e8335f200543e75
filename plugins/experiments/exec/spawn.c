/*
 * spawn.c — posix_spawn(), then wait for the exit on a pidfd while draining
 * the command's stderr and protocol pipes, with an optional timeout.
 */
#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Our own descriptors sit above the ones the command gets (0 to 3). */
#define FD_FLOOR 10

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int lift(int fd)
{
    if (fd < 0 || fd >= FD_FLOOR)
        return fd;
    int high = fcntl(fd, F_DUPFD_CLOEXEC, FD_FLOOR);
    close(fd);
    return high;
}

static int open_pipe(int *r, int *w)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    *r = lift(fds[0]);
    *w = lift(fds[1]);
    if (*r < 0 || *w < 0 || fcntl(*r, F_SETFL, O_NONBLOCK) < 0)
        return -1;
    return 0;
}

int runner_open(struct runner *r, char *const *envp, const char *cwd, char *err, size_t errlen)
{
    *r = (struct runner){.null_fd = -1, .proto_r = -1, .proto_w = -1, .err_r = -1, .err_w = -1,
                         .envp = envp};
    r->null_fd = lift(open("/dev/null", O_RDWR | O_CLOEXEC));
    if (r->null_fd < 0 || open_pipe(&r->proto_r, &r->proto_w) < 0 ||
        open_pipe(&r->err_r, &r->err_w) < 0) {
        snprintf(err, errlen, "cannot make the command's descriptors: %s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_init(&r->actions);
    posix_spawnattr_init(&r->attr);
    r->ready = 1;
    posix_spawn_file_actions_adddup2(&r->actions, r->null_fd, 0);
    posix_spawn_file_actions_adddup2(&r->actions, r->null_fd, 1);
    posix_spawn_file_actions_adddup2(&r->actions, r->err_w, 2);
    posix_spawn_file_actions_adddup2(&r->actions, r->proto_w, SPAWN_PROTOCOL_FD);
    /* Nothing else of bhost's leaks into the command, even without O_CLOEXEC. */
    posix_spawn_file_actions_addclosefrom_np(&r->actions, SPAWN_PROTOCOL_FD + 1);
    if (cwd && *cwd)
        posix_spawn_file_actions_addchdir_np(&r->actions, cwd);

    /* A process group of its own (killed whole on a timeout), default signals, none blocked. */
    sigset_t none, all;
    sigemptyset(&none);
    sigemptyset(&all);
    for (int s = 1; s < SIGRTMIN; s++)
        if (s != SIGKILL && s != SIGSTOP)
            sigaddset(&all, s);
    posix_spawnattr_setpgroup(&r->attr, 0);
    posix_spawnattr_setsigmask(&r->attr, &none);
    posix_spawnattr_setsigdefault(&r->attr, &all);
    posix_spawnattr_setflags(&r->attr,
                             POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    return 0;
}

void runner_close(struct runner *r)
{
    int *fds[] = {&r->null_fd, &r->proto_r, &r->proto_w, &r->err_r, &r->err_w};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (*fds[i] >= 0) {
            close(*fds[i]);
            *fds[i] = -1;
        }
    if (r->ready) {
        posix_spawn_file_actions_destroy(&r->actions);
        posix_spawnattr_destroy(&r->attr);
        r->ready = 0;
    }
}

static void tail_add(struct runner *r, const char *data, size_t n)
{
    if (n >= SPAWN_TAIL_MAX) {
        memcpy(r->tail, data + n - SPAWN_TAIL_MAX, SPAWN_TAIL_MAX);
        r->tail_len = SPAWN_TAIL_MAX;
        return;
    }
    if (r->tail_len + n > SPAWN_TAIL_MAX) {
        size_t drop = r->tail_len + n - SPAWN_TAIL_MAX;
        memmove(r->tail, r->tail + drop, r->tail_len - drop);
        r->tail_len -= drop;
    }
    memcpy(r->tail + r->tail_len, data, n);
    r->tail_len += n;
}

/* Reads what the pipes hold now, without waiting for more. */
static void drain(struct runner *r, struct protocol *proto)
{
    char chunk[8192];
    ssize_t n;
    while ((n = read(r->proto_r, chunk, sizeof chunk)) > 0)
        protocol_feed(proto, chunk, (size_t)n);
    while ((n = read(r->err_r, chunk, sizeof chunk)) > 0)
        tail_add(r, chunk, (size_t)n);
}

/* Waits for the exit (pidfd readable) or the deadline; returns 1 on exit, 0 on the deadline. */
static int wait_exit(struct runner *r, pid_t pid, int pidfd, int64_t deadline,
                     struct protocol *proto)
{
    for (;;) {
        struct pollfd fds[3] = {{.fd = pidfd, .events = POLLIN},
                                {.fd = r->proto_r, .events = POLLIN},
                                {.fd = r->err_r, .events = POLLIN}};
        struct timespec left, *timeout = NULL;
        if (pidfd < 0) {
            /* No pidfd (a kernel before 5.3): look every millisecond. */
            left = (struct timespec){0, 1000000};
            timeout = &left;
        } else if (deadline > 0) {
            int64_t ns = deadline - now_ns();
            if (ns < 0)
                ns = 0;
            left = (struct timespec){ns / 1000000000, ns % 1000000000};
            timeout = &left;
        }
        int n = ppoll(fds, 3, timeout, NULL);
        if (n < 0 && errno != EINTR)
            return 1; /* cannot wait on it: reap it at once */
        if (pidfd >= 0 && n > 0 && (fds[0].revents & POLLIN))
            return 1;
        if (pidfd < 0) {
            siginfo_t si = {0};
            if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
                return 1;
        }
        if (n > 0)
            drain(r, proto);
        if (deadline > 0 && now_ns() >= deadline)
            return 0;
    }
}

char *path_resolve(const char *name)
{
    if (strchr(name, '/'))
        return strdup(name);
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *dir = path;; dir++) {
        size_t n = strcspn(dir, ":");
        char *full = NULL;
        struct stat st;
        /* An empty entry is the current directory. */
        if (asprintf(&full, "%.*s/%s", n ? (int)n : 1, n ? dir : ".", name) < 0)
            return NULL;
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0)
            return full;
        free(full);
        dir += n;
        if (!*dir)
            return NULL;
    }
}

void runner_run(struct runner *r, const char *path, char *const argv[], double timeout_s,
                int end_group, struct protocol *proto, struct outcome *out)
{
    *out = (struct outcome){0};
    r->tail_len = 0;
    pid_t pid;
    int64_t start = now_ns();
    int rc = posix_spawn(&pid, path, &r->actions, &r->attr, argv, r->envp);
    if (rc != 0) {
        out->spawn_error = rc;
        return;
    }
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int64_t deadline = timeout_s > 0 ? start + (int64_t)(timeout_s * 1e9) : 0;
    int exited = wait_exit(r, pid, pidfd, deadline, proto);
    out->ns = now_ns() - start;
    if (!exited)
        out->timed_out = 1;
    /* The command is a zombie now (or killed here), so its group id is still its own. */
    if (!exited || end_group)
        kill(-pid, SIGKILL);
    while (waitpid(pid, &out->status, 0) < 0 && errno == EINTR)
        ;
    if (pidfd >= 0)
        close(pidfd);
    drain(r, proto);
    protocol_end(proto);
}

const char *outcome_failure(const struct outcome *out, double timeout_s, char *buf, size_t n)
{
    if (out->spawn_error)
        snprintf(buf, n, "cannot run it: %s", strerror(out->spawn_error));
    else if (out->timed_out)
        snprintf(buf, n, "timed out after %g s (killed)", timeout_s);
    else if (WIFSIGNALED(out->status))
        snprintf(buf, n, "killed by signal %d (%s)", WTERMSIG(out->status),
                 strsignal(WTERMSIG(out->status)));
    else if (WIFEXITED(out->status) && WEXITSTATUS(out->status) != 0)
        snprintf(buf, n, "exit status %d", WEXITSTATUS(out->status));
    else
        return NULL;
    return buf;
}

const char *runner_tail(const struct runner *r, char *buf, size_t n)
{
    size_t len = r->tail_len;
    while (len > 0 && (r->tail[len - 1] == '\n' || r->tail[len - 1] == ' ' ||
                       r->tail[len - 1] == '\r' || r->tail[len - 1] == '\t'))
        len--;
    /* The last few hundred bytes, from the start of a line where one begins. */
    size_t from = len > 300 ? len - 300 : 0;
    if (from > 0) {
        const char *nl = memchr(r->tail + from, '\n', len - from);
        if (nl && (size_t)(nl - r->tail) + 1 < len)
            from = (size_t)(nl - r->tail) + 1;
    }
    size_t o = 0;
    for (size_t i = from; i < len && o + 4 < n; i++) {
        char c = r->tail[i];
        if (c == '\n') {
            buf[o++] = ' ';
            buf[o++] = '|';
            buf[o++] = ' ';
        } else {
            buf[o++] = (c >= 0x20 && c < 0x7f) ? c : '?';
        }
    }
    buf[o < n ? o : n - 1] = '\0';
    return buf;
}
