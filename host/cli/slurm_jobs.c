/* slurm_jobs.c — see slurm_jobs.h. */
#include "cli/slurm_jobs.h"
#include "cli/options.h"
#include "util/files.h"
#include "util/mem.h"
#include "util/text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How often --wait asks squeue, and how long it waits for an exit-code file that a
 * finished job wrote on a shared filesystem (whose clients may see it late). */
#define POLL_MS 1000
#define FILE_GRACE_MS 60000
/* squeue failing this many times in a row (the controller unreachable): give up. */
#define MAX_SQUEUE_FAILURES 120

char *slurm_find_tool(const char *name)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        return NULL;
    char *copy = xstrdup(path), *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char *candidate = xasprintf("%s/%s", *d ? d : ".", name);
        struct stat st;
        if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode) && access(candidate, X_OK) == 0) {
            char *abs = realpath(candidate, NULL);
            free(candidate);
            free(copy);
            return abs;
        }
        free(candidate);
    }
    free(copy);
    return NULL;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void free_args(char **args)
{
    for (char **a = args; *a; a++)
        free(*a);
    free(args);
}

/*
 * Runs argv[0] (an absolute path) with argv, its stdout captured into *out (owned,
 * NUL-terminated), its stderr the caller's or /dev/null. The exit status (128 + signal),
 * or -1 if it could not be started.
 */
static int capture(const char *const *argv, int quiet_stderr, char **out)
{
    *out = NULL;
    /* execv takes char *const[]: a copy the child may hand it. */
    size_t argc = 0;
    while (argv[argc])
        argc++;
    char **args = xcalloc(argc + 1, sizeof *args);
    for (size_t i = 0; i < argc; i++)
        args[i] = xstrdup(argv[i]);
    int fds[2];
    if (pipe(fds) != 0) {
        free_args(args);
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        free_args(args);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        if (quiet_stderr) {
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0)
                dup2(null, STDERR_FILENO);
        }
        execv(args[0], args);
        fprintf(stderr, "bhost slurm: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    free_args(args);
    size_t len = 0, cap = 256;
    char *buf = xmalloc(cap);
    for (;;) {
        if (len + 1 >= cap)
            buf = xrealloc(buf, cap *= 2);
        ssize_t n = read(fds[0], buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            free(buf);
            return -1;
        }
    *out = buf;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int slurm_submit(const char *sbatch, const char *const *args, char *id, size_t idlen, char *err,
                 size_t errlen)
{
    size_t n = 0;
    while (args[n])
        n++;
    const char **argv = xcalloc(n + 3, sizeof *argv);
    argv[0] = sbatch;
    argv[1] = "--parsable";
    memcpy(argv + 2, args, n * sizeof *argv);
    char *out;
    int rc = capture(argv, 0, &out);
    free(argv);
    if (rc < 0) {
        snprintf(err, errlen, "cannot run %s: %s", sbatch, strerror(errno));
        return -1;
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s refused the job (exit %d; its message is above)", sbatch, rc);
        free(out);
        return -1;
    }
    /* --parsable prints "JOBID" or "JOBID;CLUSTER". */
    size_t digits = strspn(out, "0123456789");
    if (digits == 0 || digits >= idlen || !strchr(";\n", out[digits])) {
        snprintf(err, errlen, "%s printed no job id (it printed '%.80s')", sbatch,
                 text_scrub_controls(out));
        free(out);
        return -1;
    }
    memcpy(id, out, digits);
    id[digits] = '\0';
    free(out);
    return 0;
}

/* The exit code a batch script wrote to DIR/slurm/NAME, or -1 if there is none (yet). */
static int read_exit_code(const char *dir, const char *name)
{
    char *path = xasprintf("%s/slurm/%s", dir, name);
    size_t len;
    char *text = read_file(path, &len);
    free(path);
    if (!text)
        return -1;
    char *end;
    long rc = strtol(text, &end, 10);
    int ok = end != text && (*end == '\n' || *end == '\0') && rc >= 0 && rc <= 255;
    free(text);
    return ok ? (int)rc : -1;
}

/* The same, waiting up to FILE_GRACE_MS for it to appear. */
static int await_exit_code(const char *dir, const char *name)
{
    int rc;
    for (long waited = 0; (rc = read_exit_code(dir, name)) < 0 && waited < FILE_GRACE_MS;
         waited += POLL_MS)
        sleep_ms(POLL_MS);
    return rc;
}

/* Job states after which nothing more happens to a job (squeue's %T). */
static int is_final(const char *state)
{
    static const char *const final[] = {"COMPLETED", "CANCELLED", "FAILED", "TIMEOUT",
                                        "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE",
                                        "OUT_OF_MEMORY", "REVOKED", "SPECIAL_EXIT"};
    for (size_t i = 0; i < ARRAY_LEN(final); i++)
        if (strcmp(state, final[i]) == 0)
            return 1;
    return 0;
}

enum merge_state {
    MERGE_GOING,     /* queued or running */
    MERGE_EXITED,    /* its script ended by itself: it wrote merge.rc */
    MERGE_STOPPED,   /* cancelled, killed or never run: no merge.rc will come */
    MERGE_GONE       /* no longer known to squeue (ended long ago), or squeue failing */
};

/* The merge job's state from squeue (%T, and the pending reason). */
static enum merge_state merge_state(const struct slurm_wait *w, int *failures, char *state,
                                    size_t statelen)
{
    const char *argv[] = {w->squeue, "-h", "-t", "all", "-j", w->merge_id, "-o", "%T|%r", NULL};
    char *out;
    int rc = capture(argv, 1, &out);
    if (rc != 0 || !out || !*out) {
        /* Forgotten by Slurm or squeue failing: keep asking a while (the exit code file
         * may come meanwhile). */
        free(out);
        ++*failures;
        return *failures > MAX_SQUEUE_FAILURES ? MERGE_GONE : MERGE_GOING;
    }
    *failures = 0;
    out[strcspn(out, "\n")] = '\0';
    char *reason = strchr(out, '|');
    if (reason)
        *reason++ = '\0';
    snprintf(state, statelen, "%s", out);
    enum merge_state s = MERGE_GOING;
    if (strcmp(out, "COMPLETED") == 0 || strcmp(out, "FAILED") == 0)
        s = MERGE_EXITED;
    else if (is_final(out))
        s = MERGE_STOPPED;
    else if (strcmp(out, "PENDING") == 0 && reason && strstr(reason, "DependencyNeverSatisfied"))
        s = MERGE_STOPPED; /* a shard failed, and the cluster keeps such jobs queued */
    free(out);
    return s;
}

/* Names every array task that did not end well; how many. */
static size_t report_failed_shards(const struct slurm_wait *w)
{
    size_t failed = 0;
    for (size_t k = 1; k <= w->shards; k++) {
        char name[64];
        snprintf(name, sizeof name, "shard-%zu.rc", k);
        int rc = read_exit_code(w->dir, name);
        if (rc == 0 || rc == 1)
            continue;
        failed++;
        if (rc < 0)
            fprintf(stderr, "bhost slurm: array task %zu (shard %zu/%zu) of job %s ended "
                    "without an exit code (cancelled, timed out, its node failed, or it never "
                    "started); its output: %s/slurm/shards-%zu.out\n", k - 1, k, w->shards,
                    w->array_id, w->dir, k - 1);
        else
            fprintf(stderr, "bhost slurm: array task %zu (shard %zu/%zu) of job %s failed: "
                    "bhost run exited %d; its output: %s/slurm/shards-%zu.out\n", k - 1, k,
                    w->shards, w->array_id, rc, w->dir, k - 1);
    }
    if (failed)
        fprintf(stderr, "bhost slurm: %zu of %zu shards failed, so the merge (job %s) did not "
                "run%s%s%s\n", failed, w->shards, w->merge_id,
                failed < w->shards ? "; the shards that ended well are in " : "",
                failed < w->shards ? w->dir : "", failed < w->shards ? "/shards/" : "");
    return failed;
}

int slurm_wait_merge(const struct slurm_wait *w)
{
    int failures = 0, rc;
    char state[64] = "";
    enum merge_state s = MERGE_GOING;
    while ((rc = read_exit_code(w->dir, "merge.rc")) < 0 &&
           (s = merge_state(w, &failures, state, sizeof state)) == MERGE_GOING)
        sleep_ms(POLL_MS);
    if (rc < 0 && s == MERGE_STOPPED && strcmp(state, "PENDING") == 0) {
        /* Its dependency can never be met: it would stay queued. */
        const char *argv[] = {w->scancel, w->merge_id, NULL};
        char *out;
        capture(argv, 0, &out);
        free(out);
    }
    if (rc < 0 && s != MERGE_STOPPED)
        rc = await_exit_code(w->dir, "merge.rc");
    if (rc < 0) {
        if (report_failed_shards(w))
            return EXIT_INTERNAL;
        fprintf(stderr, "bhost slurm: the merge job %s ended (%s) without an exit code; its "
                "output: %s/slurm/merge.out\n", w->merge_id,
                *state ? state : "no longer known to squeue", w->dir);
        return EXIT_INTERNAL;
    }
    if (rc > 1)
        fprintf(stderr, "bhost slurm: the merge job %s failed: bhost merge exited %d; its "
                "output: %s/slurm/merge.out\n", w->merge_id, rc, w->dir);
    return rc;
}
