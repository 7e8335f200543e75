/* scan.c — see scan.h. */
#include "plugin/scan.h"
#include "plugin/plugin_json.h"
#include "util/clock.h"
#include "util/mem.h"
#include "util/reaper.h"
#include "util/text.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAIL_BYTES 240 /* of what a file's constructors printed, quoted in its refusal */
/* Written to the child's output before each file: what follows is that file's. Its own
 * pipe carries it, so it stays in order with what the file prints. */
#define FILE_MARK '\036'

enum phase { BETWEEN, LOADING, READING };

static void send_line(int fd, json_t *msg)
{
    char *text = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    if (!text)
        return;
    size_t len = strlen(text);
    text[len] = '\n'; /* replaces the NUL: the line goes out in one write */
    for (size_t done = 0; done < len + 1;) {
        ssize_t w = write(fd, text + done, len + 1 - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    free(text);
}

/* The child: says where it is before each step that runs the plugin's code. */
static _Noreturn void scan_child(char *const *paths, size_t from, size_t n, int msg_fd,
                                 int out_fd, pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(3);
    signal(SIGPIPE, SIG_DFL);
    reaper_adopt(); /* what a constructor starts stays ours to find, even after setsid() */
    /* What constructors print goes to the host, which quotes it in a refusal. */
    dup2(out_fd, STDOUT_FILENO);
    dup2(out_fd, STDERR_FILENO);
    close(out_fd);
    for (size_t i = from; i < n; i++) {
        char err[2048];
        char mark = FILE_MARK;
        if (write(STDOUT_FILENO, &mark, 1) != 1)
            _exit(3);
        send_line(msg_fd, json_pack("{s:I, s:s}", "i", (json_int_t)i, "at", "load"));
        char *build_id;
        int lasting;
        void *handle = plugin_dlopen(paths[i], &build_id, &lasting, err, sizeof err);
        if (!handle) {
            send_line(msg_fd, json_pack("{s:I, s:s, s:b}", "i", (json_int_t)i, "refused", err,
                                        "lasting", lasting));
            continue;
        }
        send_line(msg_fd, json_pack("{s:I, s:s}", "i", (json_int_t)i, "at", "read"));
        struct plugin *p = plugin_read(handle, paths[i], build_id, err, sizeof err);
        free(build_id);
        /* A process a constructor started would outlive every command that loads the file. */
        size_t left = reaper_kill_children(NULL, 0, 0);
        if (p && left) {
            snprintf(err, sizeof err, "%s: refused: its constructors started %zu process%s that "
                     "kept running once it was loaded (killed); start processes in setup(), "
                     "not when the file is loaded", paths[i], left, left == 1 ? "" : "es");
            plugin_free(p);
            p = NULL;
        }
        if (p)
            send_line(msg_fd, json_pack("{s:I, s:o}", "i", (json_int_t)i, "plugin",
                                        plugin_to_json(p)));
        else
            send_line(msg_fd, json_pack("{s:I, s:s, s:b}", "i", (json_int_t)i, "refused", err,
                                        "lasting", 1));
        /* Not unmapped: a destructor is more of the plugin's code, and the child ends here. */
    }
    fflush(NULL);
    _exit(0);
}

/* One child's scan as the host follows it. */
struct follow {
    pid_t pid;
    int msg_fd, out_fd;
    char *buf;               /* message bytes not yet a whole line */
    size_t len, cap;
    size_t current;          /* the file the child is on */
    enum phase phase;
    char tail[TAIL_BYTES];   /* what the current file printed, last bytes */
    size_t tail_len;
};

static int timeout_ms(void)
{
    const char *env = getenv("BHOST_SCAN_TIMEOUT");
    char *end;
    double s = env ? strtod(env, &end) : 0;
    return env && *env && !*end && s > 0 && s < 3600 ? (int)(s * 1000) : SCAN_TIMEOUT_MS;
}

static int start(struct follow *f, char *const *paths, size_t from, size_t n)
{
    int msg[2], out[2];
    if (pipe(msg) != 0)
        return -1;
    if (pipe(out) != 0) {
        close(msg[0]);
        close(msg[1]);
        return -1;
    }
    fflush(NULL);
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        close(msg[0]);
        close(out[0]);
        scan_child(paths, from, n, msg[1], out[1], parent);
    }
    close(msg[1]);
    close(out[1]);
    if (pid < 0) {
        close(msg[0]);
        close(out[0]);
        return -1;
    }
    *f = (struct follow){.pid = pid, .msg_fd = msg[0], .out_fd = out[0], .current = from};
    return 0;
}

static void keep_tail(struct follow *f, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == FILE_MARK) {
            f->tail_len = 0;
            continue;
        }
        if (f->tail_len == sizeof f->tail) {
            memmove(f->tail, f->tail + 1, sizeof f->tail - 1);
            f->tail_len--;
        }
        f->tail[f->tail_len++] = buf[i] == '\n' || buf[i] == '\0' ? ' ' : buf[i];
    }
}

/* "; it printed: ..." with what the file printed, or "". malloc'd. */
static char *printed(const struct follow *f)
{
    size_t n = f->tail_len;
    while (n > 0 && f->tail[n - 1] == ' ')
        n--;
    if (n == 0)
        return xstrdup("");
    char *s = xasprintf("; it printed: \"%.*s\"", (int)n, f->tail);
    return utf8_sanitize(s);
}

/* One message of the child: where it is, or what it made of a file. */
static void take(struct follow *f, const char *line, size_t n, struct scan_result *out,
                 size_t nfiles, size_t *settled)
{
    json_t *msg = json_loadb(line, n, 0, NULL);
    json_int_t i = json_integer_value(json_object_get(msg, "i"));
    const char *at = json_string_value(json_object_get(msg, "at"));
    json_t *plugin = json_object_get(msg, "plugin");
    const char *refused = json_string_value(json_object_get(msg, "refused"));
    if (!msg || i < (json_int_t)f->current || (size_t)i >= nfiles || out[i].plugin ||
        out[i].refusal) {
        json_decref(msg);
        return;
    }
    struct scan_result *r = &out[i];
    if (at) {
        f->current = (size_t)i;
        f->phase = strcmp(at, "load") == 0 ? LOADING : READING;
    } else if (plugin || refused) {
        char err[2048];
        if (plugin && !(r->plugin = plugin_from_json(plugin, err, sizeof err)))
            r->refusal = xasprintf("%s", err);
        else if (refused)
            r->refusal = xstrdup(refused);
        r->lasting = plugin ? 1 : json_is_true(json_object_get(msg, "lasting"));
        f->phase = BETWEEN;
        *settled = (size_t)i + 1;
    }
    json_decref(msg);
}

static void drain_messages(struct follow *f, struct scan_result *out, size_t nfiles,
                           size_t *settled)
{
    char buf[8192];
    ssize_t n = read(f->msg_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
        return;
    if (n <= 0) {
        close(f->msg_fd);
        f->msg_fd = -1;
        return;
    }
    grow(&f->buf, &f->cap, f->len + (size_t)n, 1);
    memcpy(f->buf + f->len, buf, (size_t)n);
    f->len += (size_t)n;
    size_t start = 0;
    for (size_t k = 0; k < f->len; k++)
        if (f->buf[k] == '\n') {
            take(f, f->buf + start, k - start, out, nfiles, settled);
            start = k + 1;
        }
    memmove(f->buf, f->buf + start, f->len - start);
    f->len -= start;
}

static void drain_output(struct follow *f)
{
    char buf[4096];
    ssize_t n = read(f->out_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
        return;
    if (n <= 0) {
        close(f->out_fd);
        f->out_fd = -1;
        return;
    }
    keep_tail(f, buf, (size_t)n);
}

static const char *phase_words(enum phase p)
{
    return p == LOADING   ? "in a constructor, while the file was being loaded"
           : p == READING ? "while reading the descriptor (an invalid pointer in it?)"
                          : "between files";
}

/* Why the child's file failed, from how the child ended. */
static char *refusal(const struct follow *f, const char *path, int status, int timed_out,
                     int limit_ms)
{
    char *said = printed(f), *why, buf[32];
    if (timed_out)
        why = xasprintf("no answer in %g s %s", limit_ms / 1000.0,
                        f->phase == LOADING ? "while the file was being loaded (a constructor "
                                              "that never returns?)"
                                            : "while reading the descriptor");
    else if (WIFSIGNALED(status))
        why = xasprintf("killed by %s (%s) %s", signal_name(WTERMSIG(status), buf, sizeof buf),
                        strsignal(WTERMSIG(status)), phase_words(f->phase));
    else if (WIFSTOPPED(status))
        why = xasprintf("stopped by %s %s", signal_name(WSTOPSIG(status), buf, sizeof buf),
                        phase_words(f->phase));
    else
        why = xasprintf("exit(%d) called %s", WEXITSTATUS(status), phase_words(f->phase));
    char *line = xasprintf("%s: refused: %s%s", path, why, said);
    free(why);
    free(said);
    return line;
}

/* Follows one child until it ends or stops answering; returns the first unsettled file. */
static size_t follow_child(struct follow *f, char *const *paths, size_t n,
                           struct scan_result *out, int limit_ms)
{
    size_t settled = f->current;
    uint64_t deadline = clock_now_ns() + (uint64_t)limit_ms * 1000000u;
    int timed_out = 0, status = 0, reaped = 0;
    for (;;) {
        /* A stop is seen at once (WUNTRACED); an exit once the pipes are read. */
        if (!reaped && waitpid(f->pid, &status, WNOHANG | WUNTRACED) == f->pid) {
            reaped = 1;
            if (WIFSTOPPED(status)) {
                int stopped = status;
                kill(f->pid, SIGKILL);
                while (waitpid(f->pid, &status, 0) < 0 && errno == EINTR)
                    ;
                status = stopped;
                /* What it wrote before it stopped is in the pipes: read it, to know where
                 * (a bounded look: something it started may still be writing). */
                for (int look = 0; look < 64; look++) {
                    struct pollfd fds[2] = {{.fd = f->msg_fd, .events = POLLIN},
                                            {.fd = f->out_fd, .events = POLLIN}};
                    if (poll(fds, 2, 0) <= 0)
                        break;
                    if (fds[1].revents)
                        drain_output(f);
                    if (fds[0].revents)
                        drain_messages(f, out, n, &settled);
                }
                break;
            }
        }
        if (f->msg_fd < 0 && f->out_fd < 0)
            break;
        uint64_t now = clock_now_ns();
        if (!reaped && now >= deadline) {
            timed_out = 1;
            break;
        }
        struct pollfd fds[2] = {{.fd = f->msg_fd, .events = POLLIN},
                                {.fd = f->out_fd, .events = POLLIN}};
        uint64_t left_ms = (deadline - now) / 1000000u + 1;
        int rc = poll(fds, 2, reaped ? 0 : left_ms < 100 ? (int)left_ms : 100);
        if (rc < 0 && errno != EINTR)
            break;
        if (rc == 0 && reaped) /* exited, and nothing more to read: what holds the pipes is not it */
            break;
        size_t before = settled, on = f->current;
        enum phase was = f->phase;
        if (fds[1].revents)
            drain_output(f);
        if (fds[0].revents)
            drain_messages(f, out, n, &settled);
        if (settled != before || f->phase != was || f->current != on)
            deadline = clock_now_ns() + (uint64_t)limit_ms * 1000000u;
    }
    if (!reaped) {
        kill(f->pid, SIGKILL);
        while (waitpid(f->pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    if (f->msg_fd >= 0)
        close(f->msg_fd);
    if (f->out_fd >= 0)
        close(f->out_fd);
    free(f->buf);
    if (settled >= n)
        return n;
    /* The child ended, or was ended, on a file it had not settled: that file is refused. */
    size_t bad = f->phase == BETWEEN || f->current < settled ? settled : f->current;
    out[bad].refusal = refusal(f, paths[bad], status, timed_out, limit_ms);
    /* A file that makes every command wait its time limit is remembered until it changes;
     * a crash is tried again (it may depend on the moment), as it costs little. */
    out[bad].lasting = timed_out;
    return bad + 1;
}

void scan_files(char *const *paths, size_t n, struct scan_result *out)
{
    int limit_ms = timeout_ms();
    for (size_t next = 0; next < n;) {
        struct follow f;
        if (start(&f, paths, next, n) != 0) {
            for (; next < n; next++)
                out[next].refusal = xasprintf("%s: not read: cannot start a process to read "
                                              "it: %s", paths[next], strerror(errno));
            return;
        }
        next = follow_child(&f, paths, n, out, limit_ms);
    }
}
