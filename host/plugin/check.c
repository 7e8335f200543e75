/* check.c — see check.h. */
#include "plugin/check.h"
#include "util/mem.h"
#include "util/text.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The child's exit status when a check refused (the reason is in the shared page). */
#define EXIT_REFUSED 3

/* What the child and the host share: where the child is, and why it stopped. */
struct shared {
    volatile size_t at;
    char why[1024];
};

struct check_ctx {
    bhost_ctx pub;
    const struct check_job *job;
    char *reason;    /* from bhost_fail() */
    char *misuse;    /* the first service used that a check may not use */
};

static struct check_ctx *cc(bhost_ctx *ctx)
{
    return (struct check_ctx *)ctx;
}

static void misuse(bhost_ctx *ctx, const char *service)
{
    struct check_ctx *c = cc(ctx);
    if (!c->misuse)
        c->misuse = xasprintf("plugin bug: %s() in check(): a check may use only the parameters, "
                              "bhost_thread_count(), bhost_point_label(), bhost_fail() and "
                              "bhost_log()", service);
}

static const struct pdef *job_defs(const struct check_job *j)
{
    return j->defs ? j->defs : j->plugin->params;
}

static size_t job_ndefs(const struct check_job *j)
{
    return j->defs ? j->ndefs : j->plugin->nparams;
}

static const char *check_param_extra(bhost_ctx *ctx, uint32_t index)
{
    const struct check_job *j = cc(ctx)->job;
    size_t k = j->plugin->nparams + (size_t)index;
    return k < job_ndefs(j) ? job_defs(j)[k].name : NULL;
}

static const struct pvalue *param(bhost_ctx *ctx, const char *name, uint32_t type,
                                  const char *call)
{
    static const struct pvalue zero = {0};
    struct check_ctx *c = cc(ctx);
    char why[512];
    const struct pvalue *v = plugin_param_value(c->job->plugin, job_defs(c->job),
                                                job_ndefs(c->job), c->job->values, name, type,
                                                call, why, sizeof why);
    if (!v && !c->misuse)
        c->misuse = xstrdup(why);
    return v ? v : &zero;
}

static int64_t check_param_int(bhost_ctx *ctx, const char *name)
{
    return param(ctx, name, BHOST_INT, "bhost_param_int")->i;
}

static double check_param_float(bhost_ctx *ctx, const char *name)
{
    return param(ctx, name, BHOST_FLOAT, "bhost_param_float")->f;
}

static int check_param_bool(bhost_ctx *ctx, const char *name)
{
    return (int)param(ctx, name, BHOST_BOOL, "bhost_param_bool")->i;
}

static const char *check_param_str(bhost_ctx *ctx, const char *name)
{
    const char *s = param(ctx, name, BHOST_STRING, "bhost_param_str")->s;
    return s ? s : "";
}

static int check_param_choice(bhost_ctx *ctx, const char *name)
{
    return (int)param(ctx, name, BHOST_ENUM, "bhost_param_choice")->i;
}

static int check_failv(bhost_ctx *ctx, const char *fmt, va_list ap)
{
    struct check_ctx *c = cc(ctx);
    free(c->reason);
    c->reason = utf8_sanitize(xvasprintf(fmt ? fmt : "refused", ap));
    return BHOST_FAIL;
}

/* A check's log lines go to stderr, as the run's do. */
static void check_logv(bhost_ctx *ctx, int level, const char *fmt, va_list ap)
{
    if (!fmt || level > BHOST_LOG_INFO)
        return;
    fprintf(stderr, "[%s] ", cc(ctx)->job->plugin->desc.name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

static uint32_t check_thread_count(bhost_ctx *ctx)
{
    return cc(ctx)->job->threads;
}

static const char *check_point_label(bhost_ctx *ctx)
{
    return cc(ctx)->job->label;
}

/* The services a check may not use: each notes the misuse and does nothing. */
static bhost_hist *no_histogram(bhost_ctx *ctx, const char *name)
{
    (void)name;
    misuse(ctx, "bhost_histogram");
    return NULL;
}
static void no_record(bhost_hist *h, int64_t v)
{
    (void)h;
    (void)v;
}
static void no_record_n(bhost_hist *h, int64_t v, int64_t n)
{
    (void)h;
    (void)v;
    (void)n;
}
static void no_counter_add(bhost_ctx *ctx, const char *name, double d)
{
    (void)name;
    (void)d;
    misuse(ctx, "bhost_counter_add");
}
static void no_gauge_set(bhost_ctx *ctx, const char *name, double v)
{
    (void)name;
    (void)v;
    misuse(ctx, "bhost_gauge_set");
}
static uint64_t no_seed(bhost_ctx *ctx)
{
    misuse(ctx, "bhost_seed");
    return 0;
}
static const char *no_scratch_dir(bhost_ctx *ctx)
{
    misuse(ctx, "bhost_scratch_dir");
    return "";
}
static const char *no_point_id(bhost_ctx *ctx)
{
    misuse(ctx, "bhost_point_id");
    return "";
}
static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
static void no_failedv(bhost_ctx *ctx, uint64_t n, const char *fmt, va_list ap)
{
    (void)n;
    (void)fmt;
    (void)ap;
    misuse(ctx, "bhost_failed");
}
static void no_set_iteration_time(bhost_ctx *ctx, int64_t ns)
{
    (void)ns;
    misuse(ctx, "bhost_set_iteration_time");
}
static void no_pause_timing(bhost_ctx *ctx)
{
    misuse(ctx, "bhost_pause_timing");
}
static void no_resume_timing(bhost_ctx *ctx)
{
    misuse(ctx, "bhost_resume_timing");
}
static bhost_hist *no_histogram_with(bhost_ctx *ctx, const char *name,
                                     const struct bhost_hist_options *o)
{
    (void)name;
    (void)o;
    misuse(ctx, "bhost_histogram_with");
    return NULL;
}
static void no_items_processed(bhost_ctx *ctx, double n)
{
    (void)n;
    misuse(ctx, "bhost_items_processed");
}
static void no_bytes_processed(bhost_ctx *ctx, double n)
{
    (void)n;
    misuse(ctx, "bhost_bytes_processed");
}
static uint32_t check_thread_index(bhost_ctx *ctx)
{
    (void)ctx;
    return 0;
}
static const char *no_artifact_path(bhost_ctx *ctx, const char *name, const char *type)
{
    (void)name;
    (void)type;
    misuse(ctx, "bhost_artifact_path");
    return NULL;
}
static void no_unavailablev(bhost_ctx *ctx, const char *name, const char *fmt, va_list ap)
{
    (void)name;
    (void)fmt;
    (void)ap;
    misuse(ctx, "bhost_unavailable");
}
static void no_notev(bhost_ctx *ctx, const char *name, const char *fmt, va_list ap)
{
    (void)name;
    (void)fmt;
    (void)ap;
    misuse(ctx, "bhost_note");
}
static bhost_table *no_table_get(bhost_ctx *ctx, const char *name,
                                 const struct bhost_table_options *o)
{
    (void)name;
    (void)o;
    misuse(ctx, "bhost_table_get");
    return NULL;
}
static void no_table_row(bhost_ctx *ctx, bhost_table *t, const struct bhost_cell *cells)
{
    (void)t;
    (void)cells;
    misuse(ctx, "bhost_table_row");
}

static const struct bhost_api check_api = {
    .size = sizeof(struct bhost_api),
    .abi_major = BHOST_ABI_MAJOR,
    .abi_minor = BHOST_ABI_MINOR,
    .param_int = check_param_int,
    .param_float = check_param_float,
    .param_bool = check_param_bool,
    .param_str = check_param_str,
    .param_choice = check_param_choice,
    .histogram = no_histogram,
    .record = no_record,
    .record_n = no_record_n,
    .counter_add = no_counter_add,
    .gauge_set = no_gauge_set,
    .failv = check_failv,
    .logv = check_logv,
    .seed = no_seed,
    .scratch_dir = no_scratch_dir,
    .point_id = no_point_id,
    .now_ns = now_ns,
    .failedv = no_failedv,
    .set_iteration_time = no_set_iteration_time,
    .pause_timing = no_pause_timing,
    .resume_timing = no_resume_timing,
    .histogram_with = no_histogram_with,
    .items_processed = no_items_processed,
    .bytes_processed = no_bytes_processed,
    .thread_index = check_thread_index,
    .thread_count = check_thread_count,
    .artifact_path = no_artifact_path,
    .unavailablev = no_unavailablev,
    .notev = no_notev,
    .table_get = no_table_get,
    .table_row = no_table_row,
    .point_label = check_point_label,
    .param_extra = check_param_extra,
};

/* One check, in the child: 0, or -1 with the reason in sh->why. */
static int run_one(struct registry *reg, const struct check_job *job, struct shared *sh)
{
    char err[512];
    if (registry_open(reg, job->plugin, err, sizeof err) != 0) {
        snprintf(sh->why, sizeof sh->why, "%s", err);
        return -1;
    }
    struct check_ctx c = {.pub = {.api = &check_api}, .job = job};
    int rc = job->plugin->desc.check(&c.pub);
    if (c.misuse)
        snprintf(sh->why, sizeof sh->why, "%s", c.misuse);
    else if (rc != BHOST_OK)
        snprintf(sh->why, sizeof sh->why, "%s", c.reason ? c.reason : "check() refused");
    free(c.reason);
    free(c.misuse);
    return c.misuse || rc != BHOST_OK ? -1 : 0;
}

static _Noreturn void child(struct registry *reg, const struct check_job *jobs, size_t n,
                            struct shared *sh)
{
    dup2(STDERR_FILENO, STDOUT_FILENO); /* a plugin's prints never mix with bhost's output */
    for (size_t i = 0; i < n; i++) {
        sh->at = i;
        if (run_one(reg, &jobs[i], sh) != 0)
            _exit(EXIT_REFUSED);
    }
    sh->at = n;
    _exit(0);
}

static int timeout_ms(void)
{
    const char *env = getenv("BHOST_CHECK_TIMEOUT");
    char *end;
    double s = env ? strtod(env, &end) : 0;
    return env && *env && !*end && s > 0 && s < 3600 ? (int)(s * 1000) : CHECK_TIMEOUT_MS;
}

/* Waits for the child; kills it when one check takes longer than `limit_ms`. */
static int wait_child(pid_t pid, const struct shared *sh, int limit_ms, int *timed_out)
{
    size_t seen = sh->at;
    int still_ms = 0;
    int status;
    *timed_out = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0)
            return -1;
        nanosleep(&(struct timespec){0, 2000000}, NULL);
        if (sh->at != seen) {
            seen = sh->at;
            still_ms = 0;
        } else if ((still_ms += 2) >= limit_ms && !*timed_out) {
            *timed_out = 1;
            kill(pid, SIGKILL);
        }
    }
}

size_t checks_run(struct registry *reg, const struct check_job *jobs, size_t n, char *why,
                  size_t whylen)
{
    if (n == 0)
        return 0;
    struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        snprintf(why, whylen, "cannot run the plugins' checks: mmap: %s", strerror(errno));
        return CHECKS_NOT_RUN;
    }
    memset(sh, 0, sizeof *sh);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        child(reg, jobs, n, sh);
    int limit_ms = timeout_ms();
    int timed_out = 0, status = pid < 0 ? -1 : wait_child(pid, sh, limit_ms, &timed_out);
    char buf[32];
    if (pid < 0 || status < 0)
        snprintf(why, whylen, "cannot run the plugins' checks: %s", strerror(errno));
    else if (timed_out)
        snprintf(why, whylen, "check() did not return in %g s", limit_ms / 1000.0);
    else if (WIFSIGNALED(status))
        snprintf(why, whylen, "check() was killed by %s (%s)",
                 signal_name(WTERMSIG(status), buf, sizeof buf), strsignal(WTERMSIG(status)));
    else if (WEXITSTATUS(status) == EXIT_REFUSED)
        snprintf(why, whylen, "%s", sh->why);
    else if (WEXITSTATUS(status) != 0 || sh->at != n)
        snprintf(why, whylen, "check() ended the process (exit status %d)", WEXITSTATUS(status));
    size_t at = pid >= 0 && status >= 0 ? sh->at : CHECKS_NOT_RUN;
    munmap(sh, sizeof *sh);
    return at;
}
