/* slurm_scripts.c — see slurm_scripts.h. */
#include "cli/slurm_scripts.h"
#include "util/mem.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

char *shell_quote(const char *s)
{
    size_t quotes = 0;
    for (const char *c = s; *c; c++)
        quotes += *c == '\'';
    char *out = xmalloc(strlen(s) + 3 * quotes + 3), *o = out;
    *o++ = '\'';
    for (const char *c = s; *c; c++) {
        if (*c == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *c;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

/* Appends printf-formatted text to *text. */
__attribute__((format(printf, 2, 3)))
static void add(char **text, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *more = xvasprintf(fmt, ap);
    va_end(ap);
    char *joined = xasprintf("%s%s", *text ? *text : "", more);
    free(more);
    free(*text);
    *text = joined;
}

/* Appends " OPTION 'value'". */
static void add_option(char **text, const char *option, const char *value)
{
    char *q = shell_quote(value);
    add(text, " %s %s", option, q);
    free(q);
}

/* The spec's name as a job name: #SBATCH lines are not shell, so nothing to quote. */
static char *job_name(const char *prefix, const char *name)
{
    char *out = xasprintf("%s%s", prefix, name);
    for (char *c = out + strlen(prefix); *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_' || *c == '.'))
            *c = '_';
    return out;
}

char *slurm_shards_script(const struct slurm_job *j)
{
    char *text = NULL, *name = job_name("bhost-", j->name);
    char *bhost = shell_quote(j->bhost), *dir = shell_quote(j->dir);
    add(&text,
        "#!/bin/bash\n"
        "# Written by bhost slurm (docs/slurm.md): array task K runs shard K+1 of %zu of the\n"
        "# sweep into DIR/shards/shard-<K+1>; merge.sbatch merges them once all have ended well.\n"
        "#SBATCH --job-name=%s\n"
        "#SBATCH --array=0-%zu\n"
        "dir=%s\n"
        "shard=$((SLURM_ARRAY_TASK_ID + 1))\n"
        "out=\"$dir/shards/shard-$shard\"\n"
        "echo \"bhost slurm: shard $shard/%zu (array task $SLURM_ARRAY_TASK_ID of job "
        "$SLURM_ARRAY_JOB_ID) started on $(hostname) at $(date +%%s.%%N)\"\n"
        "# A requeued task finishes the run it had begun.\n"
        "if [ -f \"$out/run.json\" ] && [ ! -f \"$out/results.json\" ]; then\n"
        "  %s run --resume \"$out\"\n"
        "else\n"
        "  %s run",
        j->shards, name, j->shards - 1, dir, j->shards, bhost, bhost);
    char *spec = shell_quote(j->spec);
    add(&text, " %s --shard auto --out \"$out\" --history off", spec);
    free(spec);
    for (size_t i = 0; i < j->nsets; i++)
        add_option(&text, "--set", j->sets[i]);
    if (j->filter)
        add_option(&text, "--filter", j->filter);
    for (size_t i = 0; i < j->npaths; i++)
        add_option(&text, "--plugin-path", j->paths[i]);
    add(&text,
        "\n"
        "fi\n"
        "rc=$?\n"
        "echo \"$rc\" >\"$dir/slurm/shard-$shard.rc\"\n"
        "echo \"bhost slurm: shard $shard/%zu ended with exit $rc at $(date +%%s.%%N)\"\n"
        "# Failed points are results (the merge reports them, exit 1), not a failed task.\n"
        "[ \"$rc\" -le 1 ] && exit 0\n"
        "exit \"$rc\"\n",
        j->shards);
    free(dir);
    free(bhost);
    free(name);
    return text;
}

char *slurm_merge_script(const struct slurm_job *j)
{
    char *text = NULL, *name = job_name("bhost-merge-", j->name);
    char *bhost = shell_quote(j->bhost), *dir = shell_quote(j->dir);
    add(&text,
        "#!/bin/bash\n"
        "# Written by bhost slurm (docs/slurm.md): merges the %zu shards into DIR; submitted\n"
        "# with --dependency=afterok on the array job, so it starts once every shard ended well.\n"
        "#SBATCH --job-name=%s\n"
        "dir=%s\n"
        "echo \"bhost slurm: merge (job $SLURM_JOB_ID) started on $(hostname) at $(date +%%s.%%N)\"\n"
        "%s merge \"$dir\"/shards/shard-* -o \"$dir\"\n"
        "rc=$?\n"
        "echo \"$rc\" >\"$dir/slurm/merge.rc\"\n"
        "echo \"bhost slurm: merge ended with exit $rc at $(date +%%s.%%N)\"\n"
        "exit \"$rc\"\n",
        j->shards, name, dir, bhost);
    free(dir);
    free(bhost);
    free(name);
    return text;
}
