/*
 * test_guard.c — a host killed with SIGKILL takes every process its run
 * started with it (host/util/guard.h): what a point forked into a new session,
 * redis_memory's redis-server, exec's background job, with --isolate fork and
 * none; nothing without the run's token is touched; the guard itself goes, and
 * a normal or interrupted run leaves none behind; --resume then finishes.
 *
 * The test is a child subreaper: the guard (a grandchild whose parent exits)
 * and the killed run's orphans come back to it, so it can tell how the guard
 * ended and reap them all, whatever init does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"
#include "util/guard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TEST_PLUGINS BHOST_MISBEHAVING_PLUGIN_DIR
#define REDIS_SERVER "/usr/bin/redis-server"
/* How long the guard gets to finish its work: a bound, not a measurement. */
#define BOUND_MS 5000

static void sleep_ms(long ms)
{
    nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L}, NULL);
}

/* A file of /proc/<pid>, whole (NUL bytes kept); NULL if unreadable. */
static char *proc_file(long pid, const char *name, size_t *len)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/%s", pid, name);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    ssize_t got;
    while ((got = read(fd, buf + n, cap - n)) > 0) {
        n += (size_t)got;
        if (n == cap)
            buf = realloc(buf, (cap *= 2) + 1);
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The run's own token: the last of BHOST_RUN_TOKEN's values in the host's environment. */
static char *token_of(pid_t host)
{
    size_t len;
    char *env = proc_file(host, "environ", &len);
    assert_non_null(env);
    char *token = NULL;
    for (size_t at = 0; at < len; at += strlen(env + at) + 1)
        if (strncmp(env + at, GUARD_TOKEN_VAR "=", sizeof GUARD_TOKEN_VAR) == 0) {
            const char *last = strrchr(env + at, ':');
            token = strdup(last ? last + 1 : env + at + sizeof GUARD_TOKEN_VAR);
        }
    free(env);
    assert_non_null(token);
    assert_int_equal(strlen(token), 32);
    return token;
}

/* Live processes (not zombies) carrying the token: their pids, how many. */
static size_t carriers(const char *token, pid_t *pids, size_t max)
{
    DIR *d = opendir("/proc");
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        long pid = atol(e->d_name);
        size_t len;
        char *env = pid > 0 ? proc_file(pid, "environ", &len) : NULL;
        if (env && guard_env_carries(env, len, token) && n < max)
            pids[n++] = (pid_t)pid;
        free(env);
    }
    closedir(d);
    return n;
}

static int is_guard(pid_t pid)
{
    size_t len;
    char *comm = proc_file(pid, "comm", &len);
    int yes = comm && strcmp(comm, GUARD_NAME "\n") == 0;
    free(comm);
    return yes;
}

/* The run's guard, found among the processes carrying its token. */
static pid_t guard_of(const char *token)
{
    pid_t pids[64];
    size_t n = carriers(token, pids, 64);
    for (size_t i = 0; i < n; i++)
        if (is_guard(pids[i]))
            return pids[i];
    fail_msg("no %s carries the run's token", GUARD_NAME);
    return 0;
}

/* 1 while pid runs: not there, or a zombie (reaped then, if ours), is not running. */
static int running(pid_t pid)
{
    size_t len;
    char *stat = proc_file(pid, "stat", &len);
    const char *paren = stat ? strrchr(stat, ')') : NULL;
    int yes = paren && paren[1] == ' ' && paren[2] != 'Z';
    free(stat);
    if (!yes)
        waitpid(pid, NULL, WNOHANG);
    return yes;
}

/* Reaps what came back to the test; the guard's exit status, once it is among them. */
static void reap(pid_t guard, int *guard_status)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        if (pid == guard)
            *guard_status = status;
}

/*
 * After the host is gone: within the bound, no process carries the token and
 * the guard has exited as `how` says (GUARD_EXIT_SWEPT, GUARD_EXIT_DONE).
 */
static void expect_all_gone(const char *token, pid_t guard, int how)
{
    int guard_status = -1;
    pid_t left[64];
    size_t n = 1;
    for (int waited = 0; waited <= BOUND_MS; waited += 20) {
        reap(guard, &guard_status);
        n = carriers(token, left, 64);
        if (n == 0 && guard_status != -1)
            break;
        sleep_ms(20);
    }
    if (n > 0) {
        size_t len;
        char *cmd = proc_file(left[0], "cmdline", &len);
        for (size_t i = 0; cmd && i + 1 < len; i++)
            cmd[i] = cmd[i] ? cmd[i] : ' ';
        fail_msg("%zu process%s still carr%s the run's token, %d first (%s)", n,
                 n == 1 ? "" : "es", n == 1 ? "ies" : "y", (int)left[0], cmd ? cmd : "?");
    }
    if (guard_status == -1)
        fail_msg("the guard %d is still there after %d ms", (int)guard, BOUND_MS);
    reap(guard, &guard_status); /* the last of the killed, should they have become ours */
    assert_true(WIFEXITED(guard_status));
    assert_int_equal(WEXITSTATUS(guard_status), how);
}

static pid_t read_pid(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    int pid = 0;
    if (f) {
        if (fscanf(f, "%d", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    return (pid_t)pid;
}

/* A process beside the run: `sleep`, with the test's environment plus `extra` (or not). */
static pid_t bystander(const char *extra)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (extra)
            putenv((char *)(uintptr_t)extra);
        execl("/bin/sleep", "sleep", "60", (char *)NULL);
        _exit(127);
    }
    assert_true(pid > 0);
    return pid;
}

static void end_bystander(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* The pid of a redis-server whose command line holds `needle`, or 0. */
static pid_t redis_server_with(const char *needle)
{
    DIR *d = opendir("/proc");
    assert_non_null(d);
    pid_t found = 0;
    for (struct dirent *e; !found && (e = readdir(d));) {
        long pid = atol(e->d_name);
        size_t len;
        char *cmd = pid > 0 ? proc_file(pid, "cmdline", &len) : NULL;
        for (size_t i = 0; cmd && i + 1 < len; i++)
            cmd[i] = cmd[i] ? cmd[i] : ' ';
        if (cmd && strstr(cmd, "redis-server") && strstr(cmd, needle) && running((pid_t)pid))
            found = (pid_t)pid;
        free(cmd);
    }
    closedir(d);
    return found;
}

/* Waits (within the bound) for a file that a point writes once its processes run. */
static void wait_for_file(const char *dir, const char *name, pid_t host)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (!e2e_wait_lines(path, 1, 30) || !running(host))
        fail_msg("%s never appeared", path);
}

/*
 * SIGKILL of a host running three points at once (--jobs 3): one forked a
 * sleeper into a new session through a double fork, one is exec's with a
 * background job of its setup, one is redis_memory's with its redis-server
 * (when /usr/bin/redis-server is there). Afterwards nothing carries the run's
 * token, the guard has swept and gone; two processes without the token (one
 * with a token that only begins like the run's) are untouched.
 */
static void killed_host_takes_what_its_points_started(void **state)
{
    (void)state;
    int redis = access(REDIS_SERVER, X_OK) == 0;
    if (!redis)
        print_message("note: no %s: the redis-server part is skipped\n", REDIS_SERVER);
    char *dir = e2e_dir("guard"), *out = e2e_dir("out"), *pids = e2e_dir("pids");
    char text[4096];
    int at = snprintf(text, sizeof text,
                      "iterations: {warmup: 0, measured: 1000000000}\n"
                      "experiments:\n"
                      "  - experiment: test_fork\n"
                      "    params: {pid_dir: %s, sleep_s: 3600, setsid: true, double_fork: true, "
                      "hang: true}\n"
                      "  - experiment: exec\n"
                      "    params:\n"
                      "      shell: true\n"
                      "      setup: 'sleep 4321 & echo $! > %s/background.pid'\n"
                      "      command: 'sleep 3600'\n",
                      pids, pids);
    if (redis)
        snprintf(text + at, sizeof text - (size_t)at,
                 "  - experiment: redis_memory\n"
                 "    params: {agents: 1, value_size: 32}\n");
    char *spec = e2e_write(dir, "guard.yaml", text);
    pid_t plain = bystander(NULL);
    pid_t host = e2e_start(dir, (const char *[]){"--plugin-path", TEST_PLUGINS, "run", spec,
                                                 "--out", out, "--jobs", redis ? "3" : "2",
                                                 "-q", NULL});
    wait_for_file(pids, "forked.pid", host);
    wait_for_file(pids, "background.pid", host);
    pid_t server = 0;
    for (int waited = 0; redis && !server && waited < 30000; waited += 20) {
        sleep_ms(20);
        server = redis_server_with(out);
    }
    if (redis && !server)
        fail_msg("the point's redis-server never appeared");
    char *token = token_of(host);
    pid_t guard = guard_of(token);
    char other[128];
    snprintf(other, sizeof other, GUARD_TOKEN_VAR "=%s0", token);
    pid_t lookalike = bystander(other);
    pid_t forked = read_pid(pids, "forked.pid"), background = read_pid(pids, "background.pid");
    assert_true(running(forked) && running(background));

    kill(host, SIGKILL);
    assert_int_equal(e2e_wait(host), 128 + SIGKILL);
    expect_all_gone(token, guard, GUARD_EXIT_SWEPT);
    assert_false(running(forked));
    assert_false(running(background));
    if (server)
        assert_false(running(server));
    assert_true(running(plain));
    assert_true(running(lookalike));
    end_bystander(plain);
    end_bystander(lookalike);
    free(token);
    free(spec);
    free(dir);
    free(out);
    free(pids);
}

/* --isolate none: the host runs the point itself; what it forked goes all the same. */
static void killed_host_without_isolation(void **state)
{
    (void)state;
    char *dir = e2e_dir("none"), *out = e2e_dir("out"), *pids = e2e_dir("pids");
    char text[4096];
    snprintf(text, sizeof text,
             "experiments:\n"
             "  - experiment: test_fork\n"
             "    params: {pid_dir: %s, sleep_s: 3600, count: 2, setsid: true, "
             "double_fork: true, hang: true}\n",
             pids);
    char *spec = e2e_write(dir, "none.yaml", text);
    pid_t host = e2e_start(dir, (const char *[]){"--plugin-path", TEST_PLUGINS, "run", spec,
                                                 "--out", out, "--isolate", "none", "-q", NULL});
    char path[4200];
    snprintf(path, sizeof path, "%s/forked.pid", pids);
    if (!e2e_wait_lines(path, 2, 30))
        fail_msg("the point's sleepers never started");
    char *token = token_of(host);
    pid_t guard = guard_of(token);
    kill(host, SIGKILL);
    assert_int_equal(e2e_wait(host), 128 + SIGKILL);
    expect_all_gone(token, guard, GUARD_EXIT_SWEPT);
    free(token);
    free(spec);
    free(dir);
    free(out);
    free(pids);
}

/* The test's children now (it has no threads): how many, their pids in pids[0..max). */
static size_t children(pid_t *pids, size_t max)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int pid;
    while (f && n < max && fscanf(f, "%d", &pid) == 1)
        pids[n++] = (pid_t)pid;
    if (f)
        fclose(f);
    return n;
}

/* The guards that came back to the test once their run ended: `expected` of them, each
 * gone within the bound, having been told the run was done. Other children are reaped. */
static void expect_guards_done(int expected)
{
    int seen = 0;
    pid_t pids[64];
    size_t n = 0;
    for (int waited = 0; waited <= BOUND_MS; waited += 20) {
        if ((n = children(pids, 64)) == 0)
            break;
        for (size_t i = 0; i < n; i++) {
            int guard = is_guard(pids[i]), status;
            if (waitpid(pids[i], &status, WNOHANG) != pids[i] || !guard)
                continue;
            assert_true(WIFEXITED(status));
            assert_int_equal(WEXITSTATUS(status), GUARD_EXIT_DONE);
            seen++;
        }
        sleep_ms(20);
    }
    if (n > 0)
        fail_msg("process %d is still there after %d ms", (int)pids[0], BOUND_MS);
    assert_int_equal(seen, expected);
}

/* A run that ends, and one stopped with SIGINT, tell their guard: it goes without a scan. */
static void ended_runs_leave_no_guard(void **state)
{
    (void)state;
    char *dir = e2e_dir("ended"), *out = e2e_dir("out"), *pids = e2e_dir("pids");
    char *quick = e2e_write(dir, "quick.yaml",
                            "iterations: {warmup: 0, measured: 3}\n"
                            "experiments: [{experiment: noop}]\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"run", quick, "--out", out, "-q", NULL});
    assert_int_equal(p.rc, 0);
    e2e_proc_free(&p);
    expect_guards_done(1);

    char text[4096];
    snprintf(text, sizeof text,
             "experiments:\n"
             "  - experiment: test_fork\n"
             "    params: {pid_dir: %s, sleep_s: 3600, setsid: true, double_fork: true, "
             "hang: true}\n",
             pids);
    char *hang = e2e_write(dir, "hang.yaml", text);
    pid_t host = e2e_start(dir, (const char *[]){"--plugin-path", TEST_PLUGINS, "run", hang,
                                                 "--out", out, "-q", NULL});
    wait_for_file(pids, "forked.pid", host);
    char *token = token_of(host);
    guard_of(token);
    kill(host, SIGINT);
    assert_int_equal(e2e_wait(host), 128 + SIGINT);
    /* The host ended the point's processes itself, then said it was done. */
    expect_guards_done(1);
    pid_t left[4];
    assert_int_equal(carriers(token, left, 4), 0);
    free(token);
    free(hang);
    free(quick);
    free(dir);
    free(out);
    free(pids);
}

/* After a killed host, --resume finishes the run: nothing of the old one is in its way. */
static void resume_after_a_killed_host(void **state)
{
    (void)state;
    char *dir = e2e_dir("resume"), *out = e2e_dir("out"), *pids = e2e_dir("pids");
    char text[4096];
    snprintf(text, sizeof text,
             "iterations: {warmup: 0, measured: 2}\n"
             "experiments:\n"
             "  - experiment: exec\n"
             "    params:\n"
             "      shell: true\n"
             "      setup: 'sleep 4321 & echo $! > %s/background.pid'\n"
             "      command: 'test -e %s/go || sleep 3600'\n"
             "      cleanup: 'kill $(cat %s/background.pid)'\n",
             pids, dir, pids);
    char *spec = e2e_write(dir, "resume.yaml", text);
    pid_t host = e2e_start(dir, (const char *[]){"run", spec, "--out", out, "-q", NULL});
    wait_for_file(pids, "background.pid", host);
    char *token = token_of(host);
    pid_t guard = guard_of(token);
    kill(host, SIGKILL);
    assert_int_equal(e2e_wait(host), 128 + SIGKILL);
    expect_all_gone(token, guard, GUARD_EXIT_SWEPT);
    free(e2e_write(dir, "go", ""));
    struct proc p;
    e2e_run(&p, (const char *[]){"run", "--resume", out, "-q", NULL});
    if (p.rc != 0)
        fail_msg("--resume exited %d: %s", p.rc, p.err);
    json_t *doc = e2e_results(out);
    assert_string_equal(e2e_text(doc, "points/0/status"), "ok");
    json_decref(doc);
    e2e_proc_free(&p);
    expect_guards_done(1);
    free(token);
    free(spec);
    free(dir);
    free(out);
    free(pids);
}

/* The token is one of BHOST_RUN_TOKEN's ':'-separated values, whole: nothing else counts. */
static void token_matching(void **state)
{
    (void)state;
    static const char block[] = "A=1\0BHOST_RUN_TOKEN=outer:abc\0Z=abc";
    size_t len = sizeof block;
    assert_true(guard_env_carries(block, len, "abc"));
    assert_true(guard_env_carries(block, len, "outer"));
    assert_false(guard_env_carries(block, len, "ab"));
    assert_false(guard_env_carries(block, len, "bc"));
    assert_false(guard_env_carries(block, len, "1"));
    static const char other[] = "XBHOST_RUN_TOKEN=abc\0BHOST_RUN_TOKEN_PID=abc\0";
    assert_false(guard_env_carries(other, sizeof other, "abc"));
}

int main(void)
{
    /* The guard and the killed runs' orphans come back here, to be reaped and checked. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        perror("prctl(PR_SET_CHILD_SUBREAPER)");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(token_matching),
        cmocka_unit_test(killed_host_takes_what_its_points_started),
        cmocka_unit_test(killed_host_without_isolation),
        cmocka_unit_test(ended_runs_leave_no_guard),
        cmocka_unit_test(resume_after_a_killed_host),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
