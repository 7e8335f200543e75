/* guard.c — see guard.h. */
#define _GNU_SOURCE /* close_range */
#include "util/guard.h"
#include "util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Says, across the host's execve of itself, that the last token is this pid's own. */
#define TOKEN_OWNER_VAR "BHOST_RUN_TOKEN_PID"
#define TOKEN_HEX 32
/* Scans after the host's death: each kills what the one before missed (forked meanwhile). */
#define SWEEP_ROUNDS 100
#define SWEEP_PAUSE_NS 10000000L
/* An environment entry longer than this is not looked into past it (30 nested runs' tokens). */
#define ENTRY_MAX 1024
#define ANCESTORS_MAX 64

static char token[TOKEN_HEX + 1];
static int done_fd = -1; /* the host's end of the pipe to the guard: no child holds it */
static int atfork_set;

/* ---- recognising the token ---- */

/* 1 if `entry` (len bytes, no NUL) is NAME=VALUE with `tok` among VALUE's ':'-separated parts. */
static int entry_carries(const char *entry, size_t len, const char *tok)
{
    static const char name[] = GUARD_TOKEN_VAR "=";
    size_t nlen = sizeof name - 1, tlen = strlen(tok);
    if (len < nlen || memcmp(entry, name, nlen) != 0)
        return 0;
    for (size_t at = nlen; at <= len;) {
        const char *colon = memchr(entry + at, ':', len - at);
        size_t end = colon ? (size_t)(colon - entry) : len;
        if (end - at == tlen && memcmp(entry + at, tok, tlen) == 0)
            return 1;
        at = end + 1;
    }
    return 0;
}

int guard_env_carries(const char *env, size_t len, const char *tok)
{
    for (size_t at = 0; at < len;) {
        const char *nul = memchr(env + at, '\0', len - at);
        size_t end = nul ? (size_t)(nul - env) : len;
        if (entry_carries(env + at, end - at, tok))
            return 1;
        at = end + 1;
    }
    return 0;
}

/* 1 if /proc/<pid>/environ carries the token; read in pieces, any length. */
static int process_carries(int proc, const char *pid, const char *tok)
{
    char path[64], buf[4096], entry[ENTRY_MAX];
    snprintf(path, sizeof path, "%s/environ", pid);
    int fd = openat(proc, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    size_t len = 0;
    int found = 0;
    ssize_t n;
    while (!found && ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))) {
        for (ssize_t i = 0; i < n && !found; i++) {
            if (buf[i] == '\0') {
                found = entry_carries(entry, len, tok);
                len = 0;
            } else if (len < sizeof entry) {
                entry[len++] = buf[i];
            }
        }
    }
    if (!found && len) /* a last entry without its NUL */
        found = entry_carries(entry, len, tok);
    close(fd);
    return found;
}

/* ---- the guard process ---- */

static int pidfd_of(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

/* 1 once the process behind a pidfd has ended. */
static int ended(int pidfd)
{
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    return poll(&p, 1, 0) > 0;
}

static void kill_process(int pidfd, pid_t pid)
{
#ifdef SYS_pidfd_send_signal
    if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) == 0)
        return;
#endif
    (void)pidfd;
    kill(pid, SIGKILL);
}

static int spared(pid_t pid, const pid_t *spare, size_t nspare)
{
    for (size_t i = 0; i < nspare; i++)
        if (spare[i] == pid)
            return 1;
    return 0;
}

/* One scan of /proc: SIGKILLs every process of ours carrying the token. How many it found. */
static size_t sweep_once(const pid_t *spare, size_t nspare)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    int proc = dirfd(d);
    uid_t me = geteuid();
    pid_t self = getpid();
    size_t found = 0;
    for (struct dirent *e; (e = readdir(d));) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        struct stat st;
        if (*end || pid <= 0 || pid == self || spared((pid_t)pid, spare, nspare) ||
            fstatat(proc, e->d_name, &st, 0) != 0 || st.st_uid != me)
            continue;
        /* Held before the environment is read: the pid cannot then be another process's by
         * the time it is signalled (unless it has ended, which is checked). */
        int pidfd = pidfd_of((pid_t)pid);
        if (pidfd < 0 && errno == ESRCH)
            continue;
        if (process_carries(proc, e->d_name, token) && (pidfd < 0 || !ended(pidfd))) {
            kill_process(pidfd, (pid_t)pid);
            found++;
        }
        if (pidfd >= 0)
            close(pidfd);
    }
    closedir(d);
    return found;
}

/* Everything but the two descriptors it needs (moved above stdio) closed, stdio on /dev/null.
 * -1 stands for no descriptor. */
static void keep_only(int *a, int *b)
{
    int keep[2] = {fcntl(*a, F_DUPFD, 10), *b >= 0 ? fcntl(*b, F_DUPFD, 10) : -1};
    *a = keep[0];
    *b = keep[1];
    int null = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3 && null >= 0; fd++)
        if (fd != null)
            dup2(null, fd);
    if (keep[1] >= 0 && keep[1] < keep[0]) {
        int t = keep[0];
        keep[0] = keep[1];
        keep[1] = t;
    }
    unsigned from = 3;
    for (int k = 0; k < 2; k++) {
        if (keep[k] < 0)
            continue;
        if ((unsigned)keep[k] > from)
            close_range(from, (unsigned)keep[k] - 1, 0);
        from = (unsigned)keep[k] + 1;
    }
    close_range(from, ~0u, 0);
}

/*
 * The guard: waits for the host to say it is done (a byte on the pipe) or to
 * end (the pipe's EOF, or its pidfd readable where pidfd_open works: that one
 * holds even should a process keep a copy of the pipe's write end).
 */
static _Noreturn void guard_main(int done_read, int host_pidfd, const pid_t *spare,
                                 size_t nspare)
{
    setsid();
    prctl(PR_SET_NAME, GUARD_NAME);
    int ignored = chdir("/"); /* keeps no directory of the run's busy */
    (void)ignored;
    keep_only(&done_read, &host_pidfd);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    struct pollfd p[2] = {{.fd = done_read, .events = POLLIN},
                          {.fd = host_pidfd, .events = POLLIN}};
    for (;;) {
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[0].revents) {
            char c;
            ssize_t n = read(done_read, &c, 1);
            if (n < 0 && errno == EINTR)
                continue;
            if (n == 1)
                _exit(GUARD_EXIT_DONE);
            p[0].fd = -1; /* EOF: gone, or only the pipe closed (then the pidfd decides) */
            if (host_pidfd < 0)
                break;
        }
        if (p[1].revents) { /* ended: it said "done" first if it was */
            char c;
            int flags = fcntl(done_read, F_GETFL);
            fcntl(done_read, F_SETFL, flags | O_NONBLOCK);
            if (p[0].fd >= 0 && read(done_read, &c, 1) == 1)
                _exit(GUARD_EXIT_DONE);
            break;
        }
    }
    for (int round = 0; round < SWEEP_ROUNDS && sweep_once(spare, nspare) > 0; round++)
        nanosleep(&(struct timespec){.tv_nsec = SWEEP_PAUSE_NS}, NULL);
    _exit(GUARD_EXIT_SWEPT);
}

/* ---- the host's side ---- */

/* The parent of `pid` from /proc/<pid>/stat, or 0. */
static pid_t parent_of(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    const char *paren = strrchr(buf, ')'); /* the name in () may hold anything */
    int ppid;
    return paren && sscanf(paren + 1, " %*c %d", &ppid) == 1 ? (pid_t)ppid : 0;
}

/* The host's ancestors, which the guard never touches. */
static size_t ancestors(pid_t *out, size_t max)
{
    size_t n = 0;
    for (pid_t p = getppid(); p > 1 && n < max; p = parent_of(p))
        out[n++] = p;
    return n;
}

/* Forked children (a point's process, what a plugin forks) never hold the write end:
 * only the host's own end of the pipe, or its death, speaks to the guard. */
static void forget_in_child(void)
{
    if (done_fd >= 0)
        close(done_fd);
    done_fd = -1;
}

static int new_token(char *out)
{
    unsigned char raw[TOKEN_HEX / 2];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
        if (n < 0 && errno != EINTR)
            return -1;
        got += n > 0 ? (size_t)n : 0;
    }
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

static int starts_with(const char *s, const char *name)
{
    size_t n = strlen(name);
    return strncmp(s, name, n) == 0 && s[n] == '=';
}

/* Starts this program again, with `fresh` added to the tokens. Returns only on failure. */
static void restart_with(char *const *argv, const char *fresh)
{
    size_t n = 0;
    while (environ && environ[n])
        n++;
    char **envp = xcalloc(n + 3, sizeof *envp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!starts_with(environ[i], GUARD_TOKEN_VAR) && !starts_with(environ[i], TOKEN_OWNER_VAR))
            envp[k++] = environ[i];
    const char *outer = getenv(GUARD_TOKEN_VAR);
    char *tokens = outer && *outer ? xasprintf(GUARD_TOKEN_VAR "=%s:%s", outer, fresh)
                                   : xasprintf(GUARD_TOKEN_VAR "=%s", fresh);
    char *owner = xasprintf(TOKEN_OWNER_VAR "=%ld", (long)getpid());
    envp[k++] = tokens;
    envp[k++] = owner;
    fflush(NULL);
    /* By its path, for the name ps and pgrep show (/proc/self/exe's would be "exe"). */
    char path[4096];
    ssize_t len = readlink("/proc/self/exe", path, sizeof path - 1);
    if (len > 0) {
        path[len] = '\0';
        execve(path, argv, envp);
    }
    execve("/proc/self/exe", argv, envp);
    int err = errno;
    free(tokens);
    free(owner);
    free(envp);
    errno = err;
}

/* The last of the ':'-separated tokens, if it was made for this very process. */
static int own_token(void)
{
    const char *owner = getenv(TOKEN_OWNER_VAR), *all = getenv(GUARD_TOKEN_VAR);
    if (!owner || !all || strtol(owner, NULL, 10) != (long)getpid())
        return 0;
    const char *last = strrchr(all, ':');
    last = last ? last + 1 : all;
    if (strlen(last) != TOKEN_HEX || strspn(last, "0123456789abcdef") != TOKEN_HEX)
        return 0;
    memcpy(token, last, TOKEN_HEX + 1);
    return 1;
}

static int fail(char *err, size_t errsize, const char *what)
{
    snprintf(err, errsize, "cannot start the run's guard: %s: %s", what, strerror(errno));
    token[0] = '\0';
    return -1;
}

int guard_start(char *const *argv, char *err, size_t errsize)
{
    if (done_fd >= 0)
        return 0;
    if (!own_token()) {
        char fresh[TOKEN_HEX + 1];
        if (new_token(fresh) != 0)
            return fail(err, errsize, "getrandom");
        restart_with(argv, fresh);
        return fail(err, errsize, "execve /proc/self/exe");
    }
    unsetenv(TOKEN_OWNER_VAR); /* this process's alone: what it starts must not take it */
    /* A pipe, as a socket pair: the host's "done" then cannot raise SIGPIPE should the
     * guard be gone (MSG_NOSIGNAL). */
    int pipefd[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pipefd) != 0)
        return fail(err, errsize, "socketpair");
    int self = pidfd_of(getpid()); /* may be -1: the pipe's EOF alone then */
    pid_t spare[ANCESTORS_MAX];
    size_t nspare = ancestors(spare, ANCESTORS_MAX);
    /* The guard is a grandchild whose parent exits: it must not come back to the host as
     * a child subreaper's orphan, or the host's own cleanup would kill it. */
    int subreaper = 0;
    prctl(PR_GET_CHILD_SUBREAPER, &subreaper);
    if (subreaper)
        prctl(PR_SET_CHILD_SUBREAPER, 0);
    fflush(NULL);
    pid_t mid = fork();
    if (mid == 0) {
        close(pipefd[1]);
        pid_t guard = fork();
        if (guard == 0)
            guard_main(pipefd[0], self, spare, nspare);
        _exit(guard < 0);
    }
    int saved = errno, status = 0;
    close(pipefd[0]);
    if (self >= 0)
        close(self);
    while (mid > 0 && waitpid(mid, &status, 0) < 0 && errno == EINTR)
        ;
    if (subreaper)
        prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (mid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        close(pipefd[1]);
        errno = mid < 0 ? saved : EAGAIN;
        return fail(err, errsize, "fork");
    }
    done_fd = pipefd[1];
    if (!atfork_set)
        atfork_set = pthread_atfork(NULL, NULL, forget_in_child) == 0;
    return 0;
}

void guard_done(void)
{
    if (done_fd < 0)
        return;
    ssize_t n;
    while ((n = send(done_fd, "d", 1, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    close(done_fd);
    done_fd = -1;
    token[0] = '\0';
}

const char *guard_token(void)
{
    return done_fd >= 0 ? token : NULL;
}
