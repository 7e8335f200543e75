/*
 * cmd_slurm.c — `bhost slurm` (docs/slurm.md): checks the spec here, writes
 * DIR/slurm/shards.sbatch and merge.sbatch, submits them with sbatch (the
 * merge after every shard, --dependency=afterok) and, with --wait, waits for
 * the merge and exits with its outcome.
 */
#include "cli/cmd_slurm.h"
#include "cli/session.h"
#include "cli/slurm_jobs.h"
#include "cli/slurm_scripts.h"
#include "plugin/registry.h"
#include "util/clock.h"
#include "util/files.h"
#include "util/mem.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SHARDS 100000

static const char slurm_usage[] =
    "usage: bhost slurm SPEC --shards N [--out DIR] [--partition P] [--time T]\n"
    "                   [--sbatch-arg ARG]... [--wait] [--set KEY=VALUE]...\n"
    "                   [--filter PATTERN] [--plugin-path DIR]...\n"
    "\n"
    "Runs the sweep as a Slurm job array of N shards (array task K runs\n"
    "`bhost run SPEC --shard auto` into DIR/shards/shard-<K+1>) and a job that\n"
    "merges them into DIR once every shard has ended well. DIR must be on a\n"
    "filesystem every node shares. Writes DIR/slurm/shards.sbatch and merge.sbatch,\n"
    "submits them with sbatch (from PATH) and prints the job ids and DIR; Slurm's\n"
    "output files are DIR/slurm/shards-<K>.out and merge.out.\n"
    "\n"
    "options:\n"
    "  --shards N          the number of shards, 2 to 100000 (Slurm's MaxArraySize\n"
    "                      may allow fewer)\n"
    "  --out DIR           the run directory (default results/<spec>-<UTC stamp>, or\n"
    "                      the spec's output_dir instead of results/)\n"
    "  --partition P       sbatch --partition for both jobs\n"
    "  --time T            sbatch --time for each array task and for the merge\n"
    "  --sbatch-arg ARG    one more sbatch argument for both jobs (--account=A,\n"
    "                      --qos=Q, --cpus-per-task=2...); repeatable\n"
    "  --wait              wait for the merge, print the merged run's path and exit\n"
    "                      with its outcome (a failed array task is named, with its\n"
    "                      output file)\n"
    "  --set, --filter, --plugin-path   as for bhost run, passed on to every shard\n"
    "\n"
    "exit codes: 0 submitted (--wait: merged, all points good), 1 merged with failed\n"
    "            or skipped points, 2 bad usage or spec, or no sbatch on PATH,\n"
    "            3 a submission or an array task failed, or an I/O error\n";

struct slurm_options {
    const char *spec, *out, *partition, *time, *filter;
    const char **sets, **paths, **sbatch_args;
    size_t nsets, npaths, nsbatch_args, shards;
    int wait;
};

__attribute__((format(printf, 1, 2)))
static int slurm_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cli_vfail("slurm", "Try 'bhost slurm --help'.", fmt, ap);
    va_end(ap);
    return rc;
}

/* The options; EXIT_OK, or EXIT_USAGE said on stderr (-1: --help printed). */
static int parse(int argc, char **argv, struct slurm_options *so)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int missing = 0;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(slurm_usage, stdout);
            return -1;
        } else if (strcmp(a, "--wait") == 0) {
            so->wait = 1;
        } else if ((v = cli_option_value(argc, argv, &i, "--shards", &missing))) {
            char *end;
            unsigned long long n = strtoull(v, &end, 10);
            if (*v < '0' || *v > '9' || *end || n < 2 || n > MAX_SHARDS)
                return slurm_usage_error("--shards needs a number from 2 to %d, got '%s'",
                                         MAX_SHARDS, v);
            so->shards = (size_t)n;
        } else if ((v = cli_option_value(argc, argv, &i, "--out", &missing))) {
            so->out = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--partition", &missing))) {
            so->partition = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--time", &missing))) {
            so->time = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--filter", &missing))) {
            so->filter = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--set", &missing))) {
            so->sets[so->nsets++] = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--plugin-path", &missing))) {
            so->paths[so->npaths++] = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--sbatch-arg", &missing))) {
            so->sbatch_args[so->nsbatch_args++] = v;
        } else if (missing) {
            return slurm_usage_error("%s needs a value", a);
        } else if (a[0] == '-' && a[1]) {
            return slurm_usage_error("unknown option '%s'", a);
        } else if (so->spec) {
            return slurm_usage_error("unexpected argument '%s': slurm takes one spec", a);
        } else {
            so->spec = a;
        }
    }
    if (!so->spec)
        return slurm_usage_error("needs a spec file");
    if (!so->shards)
        return slurm_usage_error("needs --shards N");
    if ((so->out && !*so->out) || (so->partition && !*so->partition) ||
        (so->time && !*so->time))
        return slurm_usage_error("--out, --partition and --time need a non-empty value");
    return EXIT_OK;
}

/* A fresh run directory as `bhost run` makes one: BASE/NAME-STAMP (-2, -3... if taken). */
static char *new_run_dir(const char *base, const char *name)
{
    char stamp[32];
    utc_stamp(stamp, sizeof stamp, 0);
    return mkdir_fresh(base, name, stamp);
}

/* DIR, made and absolute; NULL (said on stderr, *rc set) if it cannot be made (EXIT_INTERNAL),
 * or holds a submission or a run already (EXIT_USAGE). */
static char *make_dir(const struct slurm_options *so, const struct spec *s, int *rc)
{
    *rc = EXIT_INTERNAL;
    const char *base = s->output_dir ? s->output_dir : "results";
    char *made = so->out ? (mkdir_p(so->out, 0755) == 0 ? xstrdup(so->out) : NULL)
                         : new_run_dir(base, s->name);
    char *dir = made ? realpath(made, NULL) : NULL;
    if (!dir) {
        fprintf(stderr, "bhost slurm: cannot create the run directory %s: %s\n",
                so->out ? so->out : base, strerror(errno));
        free(made);
        return NULL;
    }
    free(made);
    const char *const taken[] = {"slurm", "shards", "results.json"};
    for (size_t i = 0; i < ARRAY_LEN(taken); i++) {
        char *p = xasprintf("%s/%s", dir, taken[i]);
        struct stat st;
        int exists = lstat(p, &st) == 0;
        free(p);
        if (exists) {
            fprintf(stderr, "bhost slurm: %s already holds %s%s; give another --out\n", dir,
                    taken[i], i < 2 ? " (an earlier submission)" : " (a run)");
            *rc = EXIT_USAGE;
            free(dir);
            return NULL;
        }
    }
    char *sub = xasprintf("%s/slurm", dir);
    int made_sub = mkdir_p(sub, 0755);
    free(sub);
    if (made_sub != 0) {
        fprintf(stderr, "bhost slurm: cannot create %s/slurm: %s\n", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

static int write_script(const char *dir, const char *name, char *text)
{
    char *path = xasprintf("%s/slurm/%s", dir, name);
    int rc = write_file_atomic(path, text, strlen(text));
    if (rc != 0)
        fprintf(stderr, "bhost slurm: cannot write %s: %s\n", path, strerror(errno));
    else
        chmod(path, 0755);
    free(path);
    free(text);
    return rc;
}

/* Slurm's --output pattern for a file in DIR/slurm: a '%' of DIR's own doubled. */
static char *output_option(const char *dir, const char *file)
{
    char *out = xmalloc(2 * strlen(dir) + 1), *o = out;
    for (const char *c = dir; *c; c++) {
        *o++ = *c;
        if (*c == '%')
            *o++ = '%';
    }
    *o = '\0';
    char *opt = xasprintf("--output=%s/slurm/%s", out, file);
    free(out);
    return opt;
}

/* Submits one script with the options both jobs share. 0, or -1 said on stderr. */
static int submit(const struct slurm_options *so, const char *sbatch, const char *dir,
                  const char *script, const char *output, const char *dependency, char *id,
                  size_t idlen)
{
    const char **args = xcalloc(so->nsbatch_args + 8, sizeof *args);
    size_t n = 0;
    char *out = output_option(dir, output), *partition = NULL, *time = NULL, *dep = NULL;
    args[n++] = out;
    if (so->partition)
        args[n++] = partition = xasprintf("--partition=%s", so->partition);
    if (so->time)
        args[n++] = time = xasprintf("--time=%s", so->time);
    if (dependency) {
        args[n++] = dep = xasprintf("--dependency=afterok:%s", dependency);
        /* A failed shard cancels the merge, rather than leaving it queued for ever. */
        args[n++] = "--kill-on-invalid-dep=yes";
    }
    for (size_t i = 0; i < so->nsbatch_args; i++)
        args[n++] = so->sbatch_args[i];
    char *path = xasprintf("%s/slurm/%s", dir, script);
    args[n++] = path;
    char err[1024];
    int rc = slurm_submit(sbatch, args, id, idlen, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "bhost slurm: %s: %s\n", path, err);
    free(path);
    free(dep);
    free(time);
    free(partition);
    free(out);
    free(args);
    return rc;
}

/* The tools it runs, from PATH; EXIT_OK or EXIT_USAGE said on stderr. */
static int find_tools(int wait, char **sbatch, char **squeue, char **scancel)
{
    const char *names[] = {"sbatch", "squeue", "scancel"};
    char **found[] = {sbatch, squeue, scancel};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        *found[i] = slurm_find_tool(names[i]);
        if (!*found[i] && (i == 0 || wait)) {
            fprintf(stderr, "bhost slurm: %s is not on PATH: run bhost slurm where Slurm's "
                    "client commands are (a login node; Debian's package slurm-client)\n",
                    names[i]);
            return EXIT_USAGE;
        }
    }
    return EXIT_OK;
}

/* Writes, submits and (--wait) waits, the spec loaded. */
static int submit_run(const struct slurm_options *so, const struct cli_options *o,
                      const struct spec *s, const char *sbatch, const char *squeue,
                      const char *scancel)
{
    char bhost[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", bhost, sizeof bhost - 1);
    char *spec = realpath(so->spec, NULL);
    if (len <= 0 || !spec) {
        fprintf(stderr, "bhost slurm: cannot tell the path of %s: %s\n",
                len <= 0 ? "the running bhost" : so->spec, strerror(errno));
        free(spec);
        return EXIT_INTERNAL;
    }
    bhost[len] = '\0';
    int rc;
    char *dir = make_dir(so, s, &rc);
    if (!dir) {
        free(spec);
        return rc;
    }
    char **paths;
    struct slurm_job j = {.bhost = bhost, .spec = spec, .dir = dir, .name = s->name,
                          .shards = so->shards, .sets = so->sets, .nsets = so->nsets,
                          .filter = so->filter};
    j.npaths = session_user_plugin_path(o, &paths);
    j.paths = paths;
    char array_id[64], merge_id[64];
    rc = EXIT_OK;
    if (write_script(dir, "shards.sbatch", slurm_shards_script(&j)) != 0 ||
        write_script(dir, "merge.sbatch", slurm_merge_script(&j)) != 0) {
        rc = EXIT_INTERNAL;
    } else if (submit(so, sbatch, dir, "shards.sbatch", "shards-%a.out", NULL, array_id,
                      sizeof array_id) != 0) {
        rc = EXIT_INTERNAL;
    } else if (submit(so, sbatch, dir, "merge.sbatch", "merge.out", array_id, merge_id,
                      sizeof merge_id) != 0) {
        fprintf(stderr, "bhost slurm: the shards (job %s) are submitted but nothing will merge "
                "them: cancel them with `scancel %s`, or merge by hand once they end: "
                "bhost merge %s/shards/shard-* -o %s\n", array_id, array_id, dir, dir);
        rc = EXIT_INTERNAL;
    } else {
        printf("submitted %zu shards as job %s (array 0-%zu) and their merge as job %s\n"
               "run directory: %s\n", so->shards, array_id, so->shards - 1, merge_id, dir);
        if (so->wait) {
            fflush(stdout);
            struct slurm_wait w = {.squeue = squeue, .scancel = scancel, .dir = dir,
                                   .array_id = array_id, .merge_id = merge_id,
                                   .shards = so->shards};
            rc = slurm_wait_merge(&w);
            if (rc == EXIT_OK || rc == EXIT_FAILED_POINTS)
                printf("merged run: %s%s\n", dir,
                       rc == EXIT_OK ? "" : " (some points failed or were skipped)");
        }
    }
    for (size_t i = 0; i < j.npaths; i++)
        free(paths[i]);
    free(paths);
    free(dir);
    free(spec);
    return rc;
}

int slurm_command(struct cli_options *unused, int argc, char **argv)
{
    (void)unused;
    struct slurm_options so = {0};
    so.sets = xcalloc((size_t)argc, sizeof *so.sets);
    so.paths = xcalloc((size_t)argc, sizeof *so.paths);
    so.sbatch_args = xcalloc((size_t)argc, sizeof *so.sbatch_args);
    char *sbatch = NULL, *squeue = NULL, *scancel = NULL;
    int rc = parse(argc, argv, &so);
    if (rc == EXIT_OK)
        rc = find_tools(so.wait, &sbatch, &squeue, &scancel);
    if (rc == EXIT_OK) {
        /* The spec is checked here, where a mistake is cheap, not in N array tasks. */
        struct cli_options o = {.spec = so.spec, .sets = so.sets, .nsets = so.nsets,
                                .filter = so.filter, .paths = so.paths, .npaths = so.npaths};
        struct registry reg;
        registry_init(&reg, o.paths, o.npaths);
        registry_scan(&reg);
        struct spec s;
        struct sweep w;
        rc = session_load(&o, &reg, &s, &w);
        if (rc == EXIT_OK) {
            rc = submit_run(&so, &o, &s, sbatch, squeue, scancel);
            sweep_free(&w);
            spec_free(&s);
        }
        registry_free(&reg);
    }
    free(scancel);
    free(squeue);
    free(sbatch);
    free(so.sbatch_args);
    free(so.paths);
    free(so.sets);
    return rc < 0 ? EXIT_OK : rc;
}
