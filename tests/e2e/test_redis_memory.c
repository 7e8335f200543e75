/*
 * test_redis_memory.c — the redis_memory experiment (issue 17), run by the
 * real bhost against real redis-servers: every structure under every
 * persistence mode runs clean with its histograms and gauges; a value
 * changed behind the agent's back is caught; a server that cannot start
 * fails its point clearly; an external server (started and stopped here)
 * gets its keys back; and a point killed while its server runs leaves no
 * redis-server behind. Every server a test needs, the test starts, and it
 * stops only those.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <hiredis/hiredis.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sched.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* --- results ---------------------------------------------------------------------------- */

static json_t *run_spec(const char *out, const char *text, int want_rc)
{
    char *dir = e2e_dir("spec");
    char *spec = e2e_write(dir, "spec.yaml", text);
    struct proc p;
    e2e_run(&p, (const char *[]){"run", spec, "--out", out, "-q", NULL});
    if (p.rc != want_rc)
        fail_msg("bhost run exited %d, expected %d; stderr:\n%s", p.rc, want_rc, p.err);
    json_t *doc = e2e_results(out);
    assert_non_null(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    return doc;
}

static const char *text_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "(null)";
}

static void expect_clean(json_t *pt)
{
    if (strcmp(text_of(pt, "status"), "ok") != 0)
        fail_msg("%s: %s: %s", text_of(pt, "label"), text_of(pt, "status"), text_of(pt, "error"));
    json_t *failures = json_object_get(pt, "failures");
    if (json_integer_value(json_object_get(failures, "count")) != 0)
        fail_msg("%s: failed iterations: %s", text_of(pt, "label"),
                 json_dumps(failures, JSON_COMPACT));
    assert_int_equal(e2e_number(pt, "processes_left"), 0);
}

static long long hist_count(json_t *pt, const char *name)
{
    json_t *h = json_object_get(json_object_get(pt, "histograms"), name);
    if (!h)
        fail_msg("%s has no histogram %s", text_of(pt, "label"), name);
    return (long long)json_integer_value(json_object_get(h, "count"));
}

static double metric(json_t *pt, const char *name)
{
    json_t *m = json_object_get(json_object_get(pt, "metrics"), name);
    if (!m)
        fail_msg("%s has no metric %s", text_of(pt, "label"), name);
    return json_number_value(json_object_get(m, "value"));
}

/* --- processes ---------------------------------------------------------------------------- */

/* Pids of the redis-servers whose command line holds `needle` (a socket's directory). */
static int servers_with(const char *needle, pid_t *pids, int max)
{
    DIR *d = opendir("/proc");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char path[300], cmd[4096];
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t len = read(fd, cmd, sizeof cmd - 1);
        close(fd);
        if (len <= 0)
            continue;
        for (ssize_t i = 0; i < len; i++)
            cmd[i] = cmd[i] ? cmd[i] : ' ';
        cmd[len] = '\0';
        if (strstr(cmd, "redis-server") && strstr(cmd, needle) && n < max)
            pids[n++] = (pid_t)atoi(e->d_name);
    }
    closedir(d);
    return n;
}

static void sleep_ms(long ms)
{
    nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L}, NULL);
}

/* Waits (up to 20 s: a bound, not a measurement) until no server of `dir` is left. */
static void expect_no_server(const char *dir)
{
    pid_t pids[8];
    for (int waited = 0; servers_with(dir, pids, 8) > 0; waited += 10) {
        if (waited >= 20000)
            fail_msg("redis-server %d under %s still runs", (int)pids[0], dir);
        sleep_ms(10);
    }
}

static pid_t parent_of(pid_t pid)
{
    char path[64], stat[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *after = strrchr(stat, ')'); /* the name may hold spaces and parentheses */
    int ppid = -1;
    if (!after || sscanf(after, ") %*c %d", &ppid) != 1)
        return -1;
    return (pid_t)ppid;
}

/* A redis-server of the test's own, on a unix socket in `dir`. */
/* A loopback TCP port nothing listens on now (the kernel's pick). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* A redis-server of the test's on a unix socket in dir, and on 127.0.0.1:port if port > 0;
 * -1 if it exited before it answered (the port was taken since free_port() saw it free). */
static pid_t start_server(const char *dir, char *socket_path, size_t size, int port)
{
    snprintf(socket_path, size, "%s/test.sock", dir);
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        execl("/usr/bin/redis-server", "redis-server", "--port", port_text, "--bind",
              "127.0.0.1", "--unixsocket", socket_path, "--save", "", "--appendonly", "no",
              "--dir", dir, (char *)NULL);
        _exit(127);
    }
    for (int waited = 0;; waited += 10) {
        redisContext *c = redisConnectUnix(socket_path);
        int up = c && !c->err;
        redisFree(c);
        if (up)
            return pid;
        if (port > 0 && waitpid(pid, NULL, WNOHANG) == pid)
            return -1;
        if (waited >= 20000 || waitpid(pid, NULL, WNOHANG) == pid)
            fail_msg("the test's redis-server on %s did not start", socket_path);
        sleep_ms(10);
    }
}

static redisContext *connect_or_fail(const char *socket_path)
{
    redisContext *c = redisConnectUnix(socket_path);
    if (!c || c->err)
        fail_msg("connect %s: %s", socket_path, c ? c->errstr : "out of memory");
    return c;
}

static void stop_server(pid_t pid, const char *socket_path)
{
    redisContext *c = connect_or_fail(socket_path);
    freeReplyObject(redisCommand(c, "SHUTDOWN NOSAVE"));
    redisFree(c);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
}

/* --- the tests ---------------------------------------------------------------------------- */

#define WARMUP 2
#define MEASURED 24
#define REPS 2
#define EVENTS 3
#define VALUE_SIZE 100
#define RETAIN 7

/* Every structure under every persistence: clean, timed per command kind, measured. */
static void test_structures_and_persistence(void **state)
{
    (void)state;
    char *out = e2e_dir("out");
    char spec[1024];
    snprintf(spec, sizeof spec,
             "name: redis_structures\n"
             "seed: 17\n"
             "iterations: {warmup: %d, measured: %d}\n"
             "repetitions: %d\n"
             "experiments:\n"
             "  - name: redis_memory\n"
             "    experiment: redis_memory\n"
             "    params:\n"
             "      structure: [hash, list, zset, stream]\n"
             "      persistence: [none, rdb, aof]\n"
             "      pipeline: 3\n"
             "      agents: 4\n"
             "      events_per_step: %d\n"
             "      value_size: %d\n"
             "      k: 3\n"
             "      retain: %d\n",
             WARMUP, MEASURED, REPS, EVENTS, VALUE_SIZE, RETAIN);
    json_t *doc = run_spec(out, spec, 0);
    json_t *points = json_object_get(doc, "points");
    assert_int_equal(json_array_size(points), 12);
    size_t i;
    json_t *pt;
    json_array_foreach(points, i, pt) {
        expect_clean(pt);
        long long steps = MEASURED * REPS;
        assert_int_equal(hist_count(pt, "iteration"), steps);
        assert_int_equal(hist_count(pt, "write"), steps * (1 + EVENTS));
        assert_int_equal(hist_count(pt, "read_recent"), steps);
        assert_int_equal(hist_count(pt, "range_query"), steps);
        assert_int_equal(hist_count(pt, "delete"), steps);
        /* every step is 1 + EVENTS + 3 commands, the point's warm-up included */
        assert_int_equal(metric(pt, "commands"), (WARMUP + MEASURED * REPS) * (EVENTS + 4));
        assert_true(metric(pt, "used_memory") > 0);
        assert_true(metric(pt, "mem_fragmentation_ratio") > 0);
        assert_true(metric(pt, "used_memory_per_agent") > 0);
        assert_true(metric(pt, "total_forks") >= 0);
        /* each agent keeps RETAIN events and its state, at least their bytes */
        assert_true(metric(pt, "agent_bytes") >= (RETAIN + 1) * VALUE_SIZE);
        /* the server ran with the persistence asked for, as it says itself */
        const char *mode = e2e_text(pt, "params/persistence");
        const char *said = e2e_text(pt, "notes/persistence");
        if (strcmp(mode, "aof") == 0)
            assert_non_null(strstr(said, "appendonly=yes appendfsync=everysec"));
        else
            assert_non_null(strstr(said, "appendonly=no"));
        assert_non_null(strstr(said, strcmp(mode, "rdb") == 0 ? "save=\"1 1000\"" : "save=\"\""));
    }
    expect_no_server(out);
    json_decref(doc);
    free(out);
}

/* The setget workload: SETs and GETs in pipelines of `pipeline`, one item each. */
static void test_setget(void **state)
{
    (void)state;
    char *out = e2e_dir("out");
    json_t *doc = run_spec(out,
                           "name: redis_setget\n"
                           "iterations: {warmup: 2, measured: 20}\n"
                           "experiments:\n"
                           "  - name: redis_memory\n"
                           "    experiment: redis_memory\n"
                           "    params: {workload: setget, pipeline: 5, agents: 7,\n"
                           "             value_size: 32}\n",
                           0);
    json_t *pt = e2e_at(doc, "points/0");
    expect_clean(pt);
    assert_int_equal(hist_count(pt, "set"), 10 * 5);
    assert_int_equal(hist_count(pt, "get"), 10 * 5);
    json_decref(doc);
    free(out);
}

/* A value overwritten behind the agent's back fails the iterations that read it, by name. */
static void test_mismatch_caught(void **state)
{
    (void)state;
    char *out = e2e_dir("out");
    json_t *doc = run_spec(out,
                           "name: redis_corrupt\n"
                           "iterations: {warmup: 0, measured: 24}\n"
                           "experiments:\n"
                           "  - name: redis_memory\n"
                           "    experiment: redis_memory\n"
                           "    params:\n"
                           "      structure: [hash, list, zset, stream]\n"
                           "      agents: 4\n"
                           "      k: 3\n"
                           "      corrupt_at: 5\n",
                           0);
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt) {
        json_t *failures = json_object_get(pt, "failures");
        assert_true(json_integer_value(json_object_get(failures, "count")) >= 1);
        /* the corrupted event is agent 1's newest at step 5: event 7 (2 steps of 4 events) */
        const char *reason = e2e_text(failures, "reasons/0/reason");
        if (!strstr(reason, "agent 1, ") ||
            !(strstr(reason, "event 7 differs") || strstr(reason, "(event 7)")))
            fail_msg("%s: unexpected reason: %s", text_of(pt, "label"), reason);
    }
    json_decref(doc);
    free(out);
}

/* A binary that is not there, one that exits at once, and one that never answers: failed
 * points that say why, and nothing left running. */
static void test_server_cannot_start(void **state)
{
    (void)state;
    char *dir = e2e_dir("mute"), *out = e2e_dir("out");
    char *mute = e2e_write(dir, "mute-server", "#!/bin/sh\nexec sleep 600\n");
    assert_int_equal(chmod(mute, 0755), 0);
    char spec[1024];
    snprintf(spec, sizeof spec,
             "name: redis_no_server\n"
             "iterations: {warmup: 0, measured: 5}\n"
             "experiments:\n"
             "  - name: missing\n"
             "    experiment: redis_memory\n"
             "    params: {redis_server: /nonexistent/redis-server}\n"
             "  - name: exits\n"
             "    experiment: redis_memory\n"
             "    params: {redis_server: /bin/false}\n"
             "  - name: mute\n"
             "    experiment: redis_memory\n"
             "    params: {redis_server: %s, start_timeout: 0.2}\n",
             mute);
    json_t *doc = run_spec(out, spec, 1);
    json_t *silent = e2e_at(doc, "points/2");
    assert_string_equal(text_of(silent, "status"), "failed");
    if (!strstr(text_of(silent, "error"), "did not answer PING on ") ||
        !strstr(text_of(silent, "error"), " within 0.2 s (killed)"))
        fail_msg("mute server: %s", text_of(silent, "error"));
    assert_int_equal(e2e_number(silent, "processes_left"), 0);
    free(mute);
    free(dir);
    json_t *missing = e2e_at(doc, "points/0"), *exits = e2e_at(doc, "points/1");
    assert_string_equal(text_of(missing, "status"), "failed");
    assert_non_null(strstr(text_of(missing, "error"),
                           "cannot run /nonexistent/redis-server: No such file or directory"));
    assert_string_equal(text_of(exits, "status"), "failed");
    assert_non_null(strstr(text_of(exits, "error"),
                           "/bin/false exited with status 1 before it answered PING"));
    json_decref(doc);
    free(out);
}

/* server: external against a server of the test's, on its unix socket and over TCP: the run's
 * keys are gone after it, the user's are untouched, and nothing was started or stopped by the
 * point. */
static void test_external_server(void **state)
{
    (void)state;
    char *dir = e2e_dir("ext"), *out = e2e_dir("out");
    char socket_path[512], spec[1024];
    int port;
    pid_t server = -1;
    for (int tries = 0; server < 0 && tries < 5; tries++)
        server = start_server(dir, socket_path, sizeof socket_path, port = free_port());
    assert_true(server > 0);
    redisContext *c = connect_or_fail(socket_path);
    freeReplyObject(redisCommand(c, "SET users:key kept"));
    snprintf(spec, sizeof spec,
             "name: redis_external\n"
             "iterations: {warmup: 1, measured: 12}\n"
             "experiments:\n"
             "  - name: redis_memory\n"
             "    experiment: redis_memory\n"
             "    params:\n"
             "      server: external\n"
             "      address: [\"%s\", \"127.0.0.1:%d\"]\n"
             "      workload: [agent, setget]\n"
             "      structure: zset\n"
             "      pipeline: 4\n"
             "      agents: 3\n",
             socket_path, port);
    json_t *doc = run_spec(out, spec, 0);
    size_t i;
    json_t *pt;
    assert_int_equal(json_array_size(json_object_get(doc, "points")), 4);
    json_array_foreach(json_object_get(doc, "points"), i, pt) {
        expect_clean(pt);
        assert_true(metric(pt, "commands") > 0);
    }
    redisReply *r = redisCommand(c, "DBSIZE");
    assert_non_null(r);
    assert_int_equal(r->integer, 1); /* the user's key only */
    freeReplyObject(r);
    r = redisCommand(c, "GET users:key");
    assert_string_equal(r->str, "kept");
    freeReplyObject(r);
    redisFree(c);
    assert_int_equal(kill(server, 0), 0); /* still running: the point did not stop it */
    stop_server(server, socket_path);
    expect_no_server(out);
    json_decref(doc);
    free(out);
    free(dir);
}

static const char endless_spec[] =
    "name: redis_endless\n"
    "iterations: {warmup: 0, measured: 1000000000}\n"
    "timeout: %d\n"
    "experiments:\n"
    "  - name: redis_memory\n"
    "    experiment: redis_memory\n"
    "    params: {agents: 2, value_size: 32}\n";

/* The point's process killed (SIGKILL) while its server runs: the server goes too. */
static void test_killed_point_leaves_no_server(void **state)
{
    (void)state;
    char *dir = e2e_dir("kill"), *out = e2e_dir("out");
    char spec_text[512];
    snprintf(spec_text, sizeof spec_text, endless_spec, 0);
    char *spec = e2e_write(dir, "spec.yaml", spec_text);
    pid_t bhost = e2e_start(dir, (const char *[]){"run", spec, "--out", out, "-q", NULL});
    pid_t server[8];
    int waited = 0;
    while (servers_with(out, server, 8) == 0) {
        if (waited >= 30000 || waitpid(bhost, NULL, WNOHANG) == bhost)
            fail_msg("the point's redis-server never appeared");
        sleep_ms(10);
        waited += 10;
    }
    pid_t point = parent_of(server[0]);
    assert_true(point > 1 && point != bhost && point != getpid());
    assert_int_equal(kill(point, SIGKILL), 0);
    assert_int_equal(e2e_wait(bhost), 1);
    expect_no_server(out);
    json_t *doc = e2e_results(out);
    assert_non_null(doc);
    assert_non_null(strstr(e2e_text(doc, "points/0/error"), "SIGKILL"));
    json_decref(doc);
    free(spec);
    free(out);
    free(dir);
}

/* The point runs past its timeout while its server runs: the host's kill ends both. */
static void test_timed_out_point_leaves_no_server(void **state)
{
    (void)state;
    char *out = e2e_dir("out");
    char spec[512];
    snprintf(spec, sizeof spec, endless_spec, 2);
    json_t *doc = run_spec(out, spec, 1);
    assert_non_null(strstr(e2e_text(doc, "points/0/error"), "timeout"));
    expect_no_server(out);
    json_decref(doc);
    free(out);
}

/* same_cpu and other_cpu: the server really runs where the placement says (the plugin
 * reads its affinity back), and the point's thread is pinned beside it or away from it. */
static void test_placement(void **state)
{
    (void)state;
    cpu_set_t mine;
    assert_int_equal(sched_getaffinity(0, sizeof mine, &mine), 0);
    int two = CPU_COUNT(&mine) >= 2; /* other_cpu needs a second CPU */
    char *out = e2e_dir("out");
    json_t *doc = run_spec(out,
                           two ? "name: redis_placement\n"
                                 "iterations: {warmup: 1, measured: 10}\n"
                                 "experiments:\n"
                                 "  - name: redis_memory\n"
                                 "    experiment: redis_memory\n"
                                 "    params: {placement: [same_cpu, other_cpu], agents: 2}\n"
                               : "name: redis_placement\n"
                                 "iterations: {warmup: 1, measured: 10}\n"
                                 "experiments:\n"
                                 "  - name: redis_memory\n"
                                 "    experiment: redis_memory\n"
                                 "    params: {placement: same_cpu, agents: 2}\n",
                           0);
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt) {
        expect_clean(pt);
        int client, server;
        const char *note = e2e_text(pt, "notes/placement");
        if (sscanf(note, "client on CPU %d, server on CPU %d", &client, &server) != 2)
            fail_msg("placement note: %s", note);
        if (strcmp(e2e_text(pt, "params/placement"), "same_cpu") == 0)
            assert_int_equal(client, server);
        else
            assert_int_not_equal(client, server);
    }
    json_decref(doc);
    free(out);
}

/* Settings that do not go together are refused when the spec is loaded. */
static void test_refused_settings(void **state)
{
    (void)state;
    char *dir = e2e_dir("bad");
    char *spec = e2e_write(dir, "spec.yaml",
                           "name: redis_bad\n"
                           "experiments:\n"
                           "  - name: redis_memory\n"
                           "    experiment: redis_memory\n"
                           "    params: {server: external}\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"validate", spec, NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "server: external needs an address"));
    e2e_proc_free(&p);
    free(spec);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structures_and_persistence),
        cmocka_unit_test(test_setget),
        cmocka_unit_test(test_mismatch_caught),
        cmocka_unit_test(test_server_cannot_start),
        cmocka_unit_test(test_external_server),
        cmocka_unit_test(test_killed_point_leaves_no_server),
        cmocka_unit_test(test_timed_out_point_leaves_no_server),
        cmocka_unit_test(test_placement),
        cmocka_unit_test(test_refused_settings),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
