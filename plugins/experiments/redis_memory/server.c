/*
 * server.c — starting and stopping the point's own redis-server.
 *
 * The server is forked from the point's process and execs the binary with
 * no setsid(): it stays in the point's process group and is the point's
 * descendant, so the host's kill of a timed-out point, or its adoption of
 * strays after a crash (docs/reliability.md), ends it too.
 */
#include "server.h"

#include <hiredis/hiredis.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    if (path)
        snprintf(path, n, "%s/%s", dir, name);
    return path;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* The last non-empty line of the server's log, for a failure message. */
static void last_log_line(const char *path, char *out, size_t size)
{
    char buf[4096];
    snprintf(out, size, "(no log)");
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fseek(f, 0, SEEK_END) == 0) {
        long end = ftell(f);
        fseek(f, end > (long)sizeof buf - 1 ? end - (long)sizeof buf + 1 : 0, SEEK_SET);
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    buf[n] = '\0';
    const char *line = strrchr(buf, '\n');
    line = line ? line + 1 : buf;
    size_t len = strlen(line) < size - 1 ? strlen(line) : size - 1;
    memcpy(out, line, len);
    out[len] = '\0';
    if (len == 0)
        snprintf(out, size, "(nothing)");
}

static void describe_status(int status, char *out, size_t size)
{
    if (WIFEXITED(status))
        snprintf(out, size, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, size, "was killed by signal %d", WTERMSIG(status));
    else
        snprintf(out, size, "ended (status %#x)", (unsigned)status);
}

/* In the forked child: only async-signal-safe calls until exec. `parent`: the point's
 * process, whose death (the thread that forked, in fact: setup()'s) kills the server. */
static void exec_server(const char *const *argv, const char *log, const cpu_set_t *cpus,
                        int errfd, pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) /* it died before the line above: nobody will send the signal */
        _exit(127);
    if (cpus && sched_setaffinity(0, sizeof *cpus, cpus) != 0) {
        int err = errno;
        ssize_t ignored = write(errfd, &err, sizeof err);
        (void)ignored;
        _exit(127);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int in = open("/dev/null", O_RDONLY);
    int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in >= 0)
        dup2(in, 0);
    if (out >= 0) { /* what the server prints before it opens its log file */
        dup2(out, 1);
        dup2(out, 2);
    }
    /* Nothing of the point's (its result pipe above all) may stay open in the server. */
    if (errfd > 3)
        close_range(3, (unsigned)errfd - 1, 0);
    close_range((unsigned)errfd + 1, ~0u, 0);
    execv(argv[0], (char *const *)(uintptr_t)argv);
    int err = errno;
    ssize_t ignored = write(errfd, &err, sizeof err);
    (void)ignored;
    _exit(127);
}

/* 1 if the server answers PING on its socket. */
static int answers_ping(const char *socket_path)
{
    redisContext *c = redisConnectUnixWithTimeout(socket_path, (struct timeval){.tv_sec = 1});
    int ok = 0;
    if (c && !c->err) {
        redisReply *r = redisCommand(c, "PING");
        ok = r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0;
        freeReplyObject(r);
    }
    redisFree(c);
    return ok;
}

static void persistence_args(int persistence, const char **argv, int *argc)
{
    switch (persistence) {
    case PERSIST_RDB: /* a snapshot each second in which 1000 keys or more changed */
        argv[(*argc)++] = "--save";
        argv[(*argc)++] = "1 1000";
        argv[(*argc)++] = "--appendonly";
        argv[(*argc)++] = "no";
        break;
    case PERSIST_AOF:
        argv[(*argc)++] = "--save";
        argv[(*argc)++] = "";
        argv[(*argc)++] = "--appendonly";
        argv[(*argc)++] = "yes";
        argv[(*argc)++] = "--appendfsync";
        argv[(*argc)++] = "everysec";
        break;
    default:
        argv[(*argc)++] = "--save";
        argv[(*argc)++] = "";
        argv[(*argc)++] = "--appendonly";
        argv[(*argc)++] = "no";
        break;
    }
}

/* Waits for the server to answer PING, to die, or for the deadline. */
static int wait_ready(bhost_ctx *ctx, struct server *srv, const char *binary, double timeout_s)
{
    uint64_t deadline = bhost_now_ns(ctx) + (uint64_t)(timeout_s * 1e9);
    char line[512], how[64];
    for (;;) {
        int status;
        if (waitpid(srv->pid, &status, WNOHANG) == srv->pid) {
            srv->pid = 0;
            describe_status(status, how, sizeof how);
            last_log_line(srv->log, line, sizeof line);
            return bhost_fail(ctx, "%s %s before it answered PING; the last line of its "
                              "log: %s", binary, how, line);
        }
        if (answers_ping(srv->socket))
            return BHOST_OK;
        if (bhost_now_ns(ctx) > deadline) {
            kill(srv->pid, SIGKILL);
            waitpid(srv->pid, NULL, 0);
            srv->pid = 0;
            last_log_line(srv->log, line, sizeof line);
            return bhost_fail(ctx, "%s did not answer PING on %s within %g s (killed); the "
                              "last line of its log: %s", binary, srv->socket, timeout_s, line);
        }
        sleep_ms(5);
    }
}

int server_start(bhost_ctx *ctx, struct server *srv, const char *binary, const char *dir,
                 int persistence, const cpu_set_t *cpus, double timeout_s)
{
    *srv = (struct server){0};
    srv->socket = path_join(dir, "redis.sock");
    srv->log = path_join(dir, "redis.log");
    if (!srv->socket || !srv->log)
        return bhost_fail(ctx, "out of memory");
    size_t limit = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
    if (strlen(srv->socket) > limit)
        return bhost_fail(ctx, "the server's socket %s is %zu bytes long, more than a unix "
                          "socket path may be (%zu): run with a shorter --out directory",
                          srv->socket, strlen(srv->socket), limit);
    const char *argv[32];
    int argc = 0;
    argv[argc++] = binary;
    argv[argc++] = "--port";
    argv[argc++] = "0";
    argv[argc++] = "--unixsocket";
    argv[argc++] = srv->socket;
    argv[argc++] = "--unixsocketperm";
    argv[argc++] = "700";
    argv[argc++] = "--dir";
    argv[argc++] = dir;
    argv[argc++] = "--logfile";
    argv[argc++] = srv->log;
    argv[argc++] = "--daemonize";
    argv[argc++] = "no";
    persistence_args(persistence, argv, &argc);
    argv[argc] = NULL;

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return bhost_fail(ctx, "pipe: %s", strerror(errno));
    pid_t me = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        return bhost_fail(ctx, "fork: %s", strerror(err));
    }
    if (pid == 0)
        exec_server(argv, srv->log, cpus, fds[1], me);
    close(fds[1]);
    int exec_errno;
    ssize_t n;
    while ((n = read(fds[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
    }
    close(fds[0]);
    if (n == (ssize_t)sizeof exec_errno) { /* exec failed: the child said why */
        waitpid(pid, NULL, 0);
        return bhost_fail(ctx, "cannot run %s: %s%s", binary, strerror(exec_errno),
                          exec_errno == ENOENT ? " (is redis-server installed? Debian: apt "
                                                 "install redis-server)" : "");
    }
    srv->pid = pid;
    return wait_ready(ctx, srv, binary, timeout_s);
}

void server_stop(bhost_ctx *ctx, struct server *srv)
{
    if (srv->pid > 0) {
        redisContext *c =
            redisConnectUnixWithTimeout(srv->socket, (struct timeval){.tv_sec = 1});
        if (c && !c->err)
            freeReplyObject(redisCommand(c, "SHUTDOWN NOSAVE")); /* no reply: it closes */
        else
            kill(srv->pid, SIGTERM);
        redisFree(c);
        int waited_ms = 0;
        while (waitpid(srv->pid, NULL, WNOHANG) == 0) {
            if (waited_ms >= 5000) {
                bhost_log(ctx, BHOST_LOG_WARN, "redis-server %d did not stop within 5 s of "
                          "SHUTDOWN NOSAVE: killed", (int)srv->pid);
                kill(srv->pid, SIGKILL);
                waitpid(srv->pid, NULL, 0);
                break;
            }
            sleep_ms(2);
            waited_ms += 2;
        }
        srv->pid = 0;
    }
    free(srv->socket);
    free(srv->log);
    srv->socket = srv->log = NULL;
}
