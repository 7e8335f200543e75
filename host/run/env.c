/*
 * env.c — see env.h.
 *
 * The object env_capture() builds:
 *   hostname
 *   os      {kernel, version, machine}             from uname(2)
 *   cpu     {model, logical_count, governor, mhz}  /proc/cpuinfo, sysconf, sysfs
 *   memory_kib                                     MemTotal of /proc/meminfo
 *   build   {compiler, build_type, sanitized, allocator}
 *   git     {commit, dirty} of the working directory, or null outside a work tree
 *   clock   {source, resolution_ns, read_ns}
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */

#include "run/env.h"
#include "util/files.h"
#include "util/mem.h"

#include <ctype.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CLOCK_BATCHES 11
#define CLOCK_READS_PER_BATCH 200000

/* JSON string, or null for NULL or for text jansson refuses (not UTF-8). */
static json_t *string_or_null(const char *s)
{
    json_t *j = s ? json_string(s) : NULL;
    return j ? j : json_null();
}

/* JSON real, or null for a value JSON cannot hold (NaN, infinity). */
static json_t *real_or_null(double v)
{
    json_t *j = json_real(v);
    return j ? j : json_null();
}

/* Trims whitespace at both ends, in place. */
static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/*
 * The value of the first "key : value" line of `text` (a /proc file),
 * trimmed and malloc'd; NULL if there is none.
 */
static char *proc_field(const char *text, const char *key)
{
    size_t klen = strlen(key);
    for (const char *line = text; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        const char *colon = memchr(line, ':', len);
        if (colon && strncmp(line, key, klen) == 0) {
            const char *p = line + klen;
            while (p < colon && (*p == ' ' || *p == '\t'))
                p++;
            if (p == colon) {
                size_t vlen = len - (size_t)(colon + 1 - line);
                char *value = xmalloc(vlen + 1);
                memcpy(value, colon + 1, vlen);
                value[vlen] = '\0';
                char *t = trim(value);
                memmove(value, t, strlen(t) + 1);
                return value;
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    return NULL;
}

static json_t *os_info(void)
{
    json_t *os = json_object();
    struct utsname u;
    int ok = uname(&u) == 0;
    json_object_set_new(os, "kernel", string_or_null(ok ? u.release : NULL));
    json_object_set_new(os, "version", string_or_null(ok ? u.version : NULL));
    json_object_set_new(os, "machine", string_or_null(ok ? u.machine : NULL));
    return os;
}

static json_t *cpu_info(void)
{
    json_t *cpu = json_object();
    char *cpuinfo = read_file("/proc/cpuinfo", NULL);
    char *model = cpuinfo ? proc_field(cpuinfo, "model name") : NULL;
    char *mhz = cpuinfo ? proc_field(cpuinfo, "cpu MHz") : NULL;
    char *governor = read_file("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", NULL);
    long online = sysconf(_SC_NPROCESSORS_ONLN);

    json_object_set_new(cpu, "model", string_or_null(model));
    json_object_set_new(cpu, "logical_count",
                        online > 0 ? json_integer(online) : json_null());
    char *gov = governor ? trim(governor) : NULL;
    json_object_set_new(cpu, "governor", string_or_null(gov && *gov ? gov : NULL));
    char *end = NULL;
    double v = mhz ? strtod(mhz, &end) : 0.0;
    json_object_set_new(cpu, "mhz", mhz && end != mhz ? real_or_null(v) : json_null());

    free(cpuinfo);
    free(model);
    free(mhz);
    free(governor);
    return cpu;
}

static json_t *memory_kib(void)
{
    char *meminfo = read_file("/proc/meminfo", NULL);
    char *total = meminfo ? proc_field(meminfo, "MemTotal") : NULL;
    char *end = NULL;
    long long kib = total ? strtoll(total, &end, 10) : 0;
    json_t *j = total && end != total && kib > 0 ? json_integer(kib) : json_null();
    free(meminfo);
    free(total);
    return j;
}

static json_t *build_info(void)
{
    json_t *build = json_object();
#ifdef __VERSION__
    json_object_set_new(build, "compiler",
                        string_or_null(BHOST_COMPILER_ID " (" __VERSION__ ")"));
#else
    json_object_set_new(build, "compiler", string_or_null(BHOST_COMPILER_ID));
#endif
    json_object_set_new(build, "build_type", string_or_null(BHOST_BUILD_TYPE));
    json_object_set_new(build, "sanitized", json_boolean(BHOST_SANITIZED));
    /* Asked at run time: what matters is the allocator this process got,
     * whether by linking or by LD_PRELOAD. */
    json_object_set_new(build, "allocator",
                        json_string(dlsym(RTLD_DEFAULT, "mallctl") ? "jemalloc" : "libc"));
    return build;
}

/*
 * Runs a shell command and keeps the first line of its output, trimmed,
 * in `line`. 0 if it exited 0, -1 if it could not run or failed.
 */
static int run_command(const char *cmd, char *line, size_t n)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char buf[256];
    int first = 1;
    line[0] = '\0';
    /* Read to the end so the command never dies of SIGPIPE. */
    while (fgets(buf, sizeof(buf), p)) {
        if (first)
            snprintf(line, n, "%s", trim(buf));
        first = 0;
    }
    int status = pclose(p);
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static json_t *git_info(void)
{
    char line[256];

    if (run_command("git rev-parse --is-inside-work-tree 2>/dev/null", line, sizeof(line)) != 0
        || strcmp(line, "true") != 0)
        return json_null();

    json_t *git = json_object();
    /* Fails in a repository without commits: commit is then null. */
    int ok = run_command("git rev-parse --verify -q HEAD 2>/dev/null", line, sizeof(line)) == 0;
    json_object_set_new(git, "commit", string_or_null(ok && *line ? line : NULL));
    /* GIT_OPTIONAL_LOCKS=0: status must not take the index lock and get in
     * the way of a git command running beside bhost. */
    ok = run_command("GIT_OPTIONAL_LOCKS=0 git status --porcelain --untracked-files=no "
                     "2>/dev/null", line, sizeof(line)) == 0;
    json_object_set_new(git, "dirty", ok ? json_boolean(*line != '\0') : json_null());
    return git;
}

static json_t *clock_info(void)
{
    json_t *clk = json_object();
    struct timespec res;
    json_object_set_new(clk, "source", json_string("CLOCK_MONOTONIC"));
    json_object_set_new(clk, "resolution_ns",
                        clock_getres(CLOCK_MONOTONIC, &res) == 0
                            ? json_integer((json_int_t)res.tv_sec * 1000000000 + res.tv_nsec)
                            : json_null());
    json_object_set_new(clk, "read_ns", real_or_null(env_clock_read_ns()));
    return clk;
}

json_t *env_capture(void)
{
    json_t *env = json_object();
    char host[256];

    if (gethostname(host, sizeof(host)) == 0) {
        host[sizeof(host) - 1] = '\0'; /* truncation need not terminate */
        json_object_set_new(env, "hostname", string_or_null(host));
    } else {
        json_object_set_new(env, "hostname", json_null());
    }
    json_object_set_new(env, "os", os_info());
    json_object_set_new(env, "cpu", cpu_info());
    json_object_set_new(env, "memory_kib", memory_kib());
    json_object_set_new(env, "build", build_info());
    json_object_set_new(env, "git", git_info());
    json_object_set_new(env, "clock", clock_info());
    return env;
}

static int64_t ts_ns(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double env_clock_read_ns(void)
{
    double per_read[CLOCK_BATCHES];
    struct timespec t0, t1, t;

    for (int b = 0; b < CLOCK_BATCHES; b++) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < CLOCK_READS_PER_BATCH; i++)
            clock_gettime(CLOCK_MONOTONIC, &t);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        per_read[b] = (double)(ts_ns(&t1) - ts_ns(&t0)) / CLOCK_READS_PER_BATCH;
    }
    qsort(per_read, CLOCK_BATCHES, sizeof(per_read[0]), cmp_double);
    return per_read[CLOCK_BATCHES / 2];
}
