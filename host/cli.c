/* cli.c — parses the command line and runs the commands (docs/cli.md). */
#include "cli.h"
#include "cmd_hdr.h"
#include "dispatch.h"
#include "env.h"
#include "journal.h"
#include "merge.h"
#include "api.h"
#include "clock.h"
#include "plugin.h"
#include "report.h"
#include "results.h"
#include "run_hlog.h"
#include "runner.h"
#include "spec.h"
#include "sweep.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: bhost <command> [options]\n"
    "\n"
    "commands:\n"
    "  run SPEC          run a sweep spec and write its results\n"
    "  run --resume DIR  finish a run that was interrupted or killed\n"
    "  validate SPEC     check a spec and print its sweep points; runs nothing\n"
    "  list              list plugins, their parameters and docs (also --list)\n"
    "  version           print the version (also --version)\n"
    "  hdr FILE          percentile distribution of a .hlog or a results.json point\n"
    "                    (see bhost hdr --help)\n"
    "  merge A B... -o DIR  merge runs of one spec (shards, reruns) into DIR\n"
    "  help              print this text (also --help)\n"
    "\n"
    "options:\n"
    "  --set KEY=VALUE   override a parameter or setting; repeatable. KEY is PARAM,\n"
    "                    SETTING or EXPERIMENT.KEY; VALUE is YAML, so [1,2] or\n"
    "                    {from: 1, to: 64, mul: 2} make an axis\n"
    "  --out DIR         write the run into DIR (default results/<spec>-<UTC stamp>)\n"
    "  --filter PATTERN  run only points whose label or id matches (glob or substring)\n"
    "  --max-points N    refuse specs expanding past N points (default: the spec's\n"
    "                    max_points, else 100000)\n"
    "  --isolate MODE    fork: each point in a child process (default); none: all in\n"
    "                    the host (for gdb and sanitizers; a crash ends the run)\n"
    "  --timeout S       fail a point that runs longer than S seconds (isolated)\n"
    "  -j, --jobs N      run N points at once, each on its own CPU where there are\n"
    "                    enough; results come out in sweep order (default 1)\n"
    "  --resume DIR      run: finish an interrupted run in DIR, skipping done points\n"
    "  --time-budget S   start no point after S seconds; the rest are reported skipped\n"
    "  --plugin-path P   search P (colon-separated) for plugins first; repeatable\n"
    "  --json            list: print JSON\n"
    "  -q, --quiet       run: no progress, table or plugin info lines\n"
    "  -v, --verbose     show plugins' debug log lines\n"
    "\n"
    "exit codes: 0 all good, 1 some points failed or were skipped, 2 bad usage or spec,\n"
    "            3 internal error,\n"
    "            130/143 stopped by SIGINT/SIGTERM (finished points are kept)\n";

struct options {
    const char *command;
    const char *spec;
    const char **sets;
    size_t nsets;
    const char **paths;
    size_t npaths;
    const char *out;
    const char *filter;
    const char *max_points;   /* passed on as --set max_points=N */
    char *max_points_set;
    const char *timeout;      /* passed on as --set timeout=S */
    char *timeout_set;
    int isolate;              /* run each point in a child process (default) */
    size_t jobs;              /* points at once */
    const char *resume;       /* a run directory to finish */
    double time_budget;       /* seconds for the whole run; 0: none */
    int json, quiet;
};

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bhost: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'bhost help'.\n", stderr);
    return EXIT_USAGE;
}

/* "--name value" or "--name=value": the value, advancing *i; NULL if absent. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0' || *i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int is_option(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static int parse_args(int argc, char **argv, struct options *o)
{
    static const char *const commands[] = {"run", "validate", "list", "version", "help", "hdr",
                                           "merge"};
    o->sets = xcalloc((size_t)argc + 2, sizeof *o->sets);
    o->isolate = 1;
    o->jobs = 1;
    o->paths = xcalloc((size_t)argc, sizeof *o->paths);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "--list") == 0 || strcmp(a, "--version") == 0 || strcmp(a, "--help") == 0 ||
            strcmp(a, "-h") == 0) {
            o->command = a[2] == 'l' ? "list" : a[2] == 'v' ? "version" : "help";
        } else if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            host_log_level = BHOST_LOG_DEBUG;
        } else if (is_option(a, "--set")) {
            if (!(v = option_value(argc, argv, &i, "--set")))
                return usage_error("--set needs KEY=VALUE");
            o->sets[o->nsets++] = v;
        } else if (is_option(a, "--plugin-path")) {
            if (!(v = option_value(argc, argv, &i, "--plugin-path")))
                return usage_error("--plugin-path needs a directory");
            o->paths[o->npaths++] = v;
        } else if (is_option(a, "--out")) {
            if (!(o->out = option_value(argc, argv, &i, "--out")))
                return usage_error("--out needs a directory");
        } else if (is_option(a, "--filter")) {
            if (!(o->filter = option_value(argc, argv, &i, "--filter")))
                return usage_error("--filter needs a pattern");
        } else if (is_option(a, "--isolate")) {
            if (!(v = option_value(argc, argv, &i, "--isolate")) ||
                (strcmp(v, "fork") != 0 && strcmp(v, "none") != 0))
                return usage_error("--isolate is fork (each point in a child process, the "
                                   "default) or none (in the host, for gdb and sanitizers)");
            o->isolate = strcmp(v, "fork") == 0;
        } else if (is_option(a, "--time-budget")) {
            char *end;
            if (!(v = option_value(argc, argv, &i, "--time-budget")))
                return usage_error("--time-budget needs a number of seconds");
            o->time_budget = strtod(v, &end);
            if (*end || !(o->time_budget > 0) || o->time_budget > 1e9)
                return usage_error("--time-budget needs a positive number of seconds, got '%s'",
                                   v);
        } else if (is_option(a, "--jobs") || strncmp(a, "-j", 2) == 0) {
            char *end;
            v = a[1] != 'j' ? option_value(argc, argv, &i, "--jobs")
                : a[2]      ? a + 2
                : i + 1 < argc ? argv[++i] : NULL;
            unsigned long n = v ? strtoul(v, &end, 10) : 0;
            if (!v || *v < '0' || *v > '9' || *end || n == 0 || n > 1024)
                return usage_error("--jobs needs a number of points to run at once (1 to 1024)%s%s%s",
                                   v ? ", got '" : "", v ? v : "", v ? "'" : "");
            o->jobs = n;
        } else if (is_option(a, "--resume")) {
            if (!(o->resume = option_value(argc, argv, &i, "--resume")))
                return usage_error("--resume needs a run directory");
        } else if (is_option(a, "--timeout")) {
            if (!(o->timeout = option_value(argc, argv, &i, "--timeout")))
                return usage_error("--timeout needs a number of seconds");
        } else if (is_option(a, "--max-points")) {
            char *end;
            if (!(v = option_value(argc, argv, &i, "--max-points")))
                return usage_error("--max-points needs a number");
            unsigned long long n = strtoull(v, &end, 10);
            if (*v < '0' || *v > '9' || *end || n == 0)
                return usage_error("--max-points needs a positive number, got '%s'", v);
            o->max_points = v;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option '%s'", a);
        } else if (!o->command) {
            size_t k = 0;
            while (k < ARRAY_LEN(commands) && strcmp(commands[k], a) != 0)
                k++;
            if (k == ARRAY_LEN(commands)) {
                const char *near = closest_name(a, commands, ARRAY_LEN(commands));
                return near ? usage_error("unknown command '%s' (did you mean '%s'?)", a, near)
                            : usage_error("unknown command '%s'", a);
            }
            o->command = commands[k];
            /* They parse their own options (cli_main hands them argv first). */
            if (strcmp(o->command, "hdr") == 0 || strcmp(o->command, "merge") == 0)
                return usage_error("'%s' takes no options before it: write 'bhost %s ...'",
                                   o->command, o->command);
        } else if (!o->spec) {
            o->spec = a;
        } else {
            return usage_error("unexpected argument '%s'", a);
        }
    }
    if (!o->command)
        return usage_error("no command given");
    /* -q: plugins' info lines go too, only warnings and errors remain (-v wins). */
    if (o->quiet && host_log_level == BHOST_LOG_INFO)
        host_log_level = BHOST_LOG_WARN;
    if (o->max_points)
        o->sets[o->nsets++] = o->max_points_set = xasprintf("max_points=%s", o->max_points);
    if (o->timeout)
        o->sets[o->nsets++] = o->timeout_set = xasprintf("timeout=%s", o->timeout);
    int wants_spec = strcmp(o->command, "run") == 0 || strcmp(o->command, "validate") == 0;
    if (o->jobs > 1 && !o->isolate)
        return usage_error("--jobs runs points in child processes; it does not go with "
                           "--isolate none");
    if (o->resume && strcmp(o->command, "run") != 0)
        return usage_error("--resume goes with run");
    if (wants_spec && !o->spec && !o->resume)
        return usage_error("%s needs a spec file", o->command);
    if (!wants_spec && o->spec)
        return usage_error("unexpected argument '%s'", o->spec);
    return EXIT_OK;
}

/* --- list ------------------------------------------------------------------- */

static json_t *param_list_json(const struct plugin *p)
{
    json_t *a = json_array();
    for (size_t i = 0; i < p->nparams; i++) {
        const struct pdef *d = &p->params[i];
        json_t *o = json_pack("{s:s, s:s, s:b}", "name", d->name, "type", type_name(d->type),
                              "required", d->required);
        json_object_set_new(o, "default", d->required ? json_null() : pvalue_json(&d->def));
        json_object_set_new(o, "min", d->has_min ? pvalue_json(&d->min) : json_null());
        json_object_set_new(o, "max", d->has_max ? pvalue_json(&d->max) : json_null());
        json_t *choices = json_array();
        for (size_t c = 0; c < d->nchoices; c++)
            json_array_append_new(choices, json_string(d->choices[c]));
        json_object_set_new(o, "choices", choices);
        json_object_set_new(o, "unit", d->unit ? json_string(d->unit) : json_null());
        json_object_set_new(o, "doc", d->doc ? json_string(d->doc) : json_null());
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int list_json(const struct registry *r)
{
    json_t *plugins = json_array(), *dirs = json_array(), *refused = json_array();
    for (size_t i = 0; i < r->nplugins; i++) {
        const struct plugin *p = r->plugins[i];
        char abi[16];
        snprintf(abi, sizeof abi, "%u.%u", p->desc.abi_major, p->desc.abi_minor);
        json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:o}", "name", p->desc.name,
                              "kind", kind_name(p->desc.kind), "version",
                              str_or_null(p->desc.version), "summary",
                              str_or_null(p->desc.summary), "doc", str_or_null(p->desc.doc),
                              "path", p->path, "abi", abi, "params", param_list_json(p));
        json_array_append_new(plugins, o);
    }
    for (size_t i = 0; i < r->ndirs; i++)
        json_array_append_new(dirs, json_string(r->dirs[i]));
    for (size_t i = 0; i < r->nproblems; i++)
        json_array_append_new(refused, json_string(r->problems[i]));
    char host_abi[16];
    snprintf(host_abi, sizeof host_abi, "%d.%d", BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
    json_t *doc = json_pack("{s:s, s:s, s:o, s:o, s:o}", "bhost", BHOST_VERSION, "abi", host_abi,
                            "search_path", dirs, "plugins", plugins, "refused", refused);
    char *text = json_dumps(doc, JSON_INDENT(2));
    puts(text);
    free(text);
    json_decref(doc);
    return EXIT_OK;
}

static void print_param(const struct pdef *d)
{
    char range[256] = "";
    if (d->type == BHOST_ENUM) {
        for (size_t c = 0, used = 0; c < d->nchoices && used < sizeof range; c++)
            used += (size_t)snprintf(range + used, sizeof range - used, "%s%s", c ? "|" : "",
                                     d->choices[c]);
    } else if (d->has_min || d->has_max) {
        snprintf(range, sizeof range, "%s..%s", d->has_min ? d->min_text : "",
                 d->has_max ? d->max_text : "");
    }
    printf("    %-16s %-6s %-14s %-24s %-6s %s\n", d->name, type_name(d->type),
           d->required ? "(required)" : d->def_text, range, d->unit ? d->unit : "",
           d->doc ? d->doc : "");
}

/* Prints text indented, wrapped at word boundaries to fit `width` columns. */
static void print_wrapped(const char *text, int indent, int width)
{
    int col = indent;
    printf("%*s", indent, "");
    while (*text) {
        int word = (int)strcspn(text, " ");
        if (col > indent && col + 1 + word > width) {
            printf("\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            putchar(' ');
            col++;
        }
        printf("%.*s", word, text);
        col += word;
        text += word;
        text += strspn(text, " ");
    }
    putchar('\n');
}

static int list_text(const struct registry *r)
{
    printf("bhost %s, plugin ABI %d.%d. Plugin search path, first match wins:\n", BHOST_VERSION,
           BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
    for (size_t i = 0; i < r->ndirs; i++) {
        struct stat st;
        int there = stat(r->dirs[i], &st) == 0 && S_ISDIR(st.st_mode);
        printf("  %s%s\n", r->dirs[i], there ? "" : "  (not there)");
    }
    for (unsigned kind = BHOST_EXPERIMENT; kind <= BHOST_INSTRUMENT; kind++) {
        printf("\n%ss:\n", kind_name(kind));
        for (size_t i = 0; i < r->nplugins; i++) {
            const struct plugin *p = r->plugins[i];
            if (p->desc.kind != kind)
                continue;
            printf("\n  %s %s (ABI %u.%u) - %s\n    %s\n", p->desc.name,
                   p->desc.version ? p->desc.version : "", p->desc.abi_major, p->desc.abi_minor,
                   p->desc.summary ? p->desc.summary : "", p->path);
            if (p->desc.doc)
                print_wrapped(p->desc.doc, 4, 100);
            if (p->nparams == 0) {
                printf("    (no parameters)\n");
                continue;
            }
            printf("    %-16s %-6s %-14s %-24s %-6s %s\n", "parameter", "type", "default",
                   "range/choices", "unit", "doc");
            for (size_t k = 0; k < p->nparams; k++)
                print_param(&p->params[k]);
        }
    }
    for (size_t i = 0; i < r->nproblems; i++)
        fprintf(stderr, "bhost: warning: %s\n", r->problems[i]);
    return EXIT_OK;
}

/* --- validate and run ----------------------------------------------------------- */

static void print_refusals(const struct registry *r)
{
    for (size_t i = 0; i < r->nproblems; i++)
        fprintf(stderr, "  note: %s\n", r->problems[i]);
}

static int load(const struct options *o, struct registry *reg, struct spec *s,
                struct sweep *w)
{
    char err[2048];
    if (spec_load(o->spec, reg, o->sets, o->nsets, s, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        if (strstr(err, "unknown experiment") || strstr(err, "unknown instrument"))
            print_refusals(reg);
        return EXIT_USAGE;
    }
    if (sweep_expand(s, o->filter, s->max_points, w, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        spec_free(s);
        return EXIT_USAGE;
    }
    registry_keep_used(reg, s);
    if (w->npoints == 0) {
        fprintf(stderr, "%s: no sweep point matches --filter '%s' (of %llu points)\n", o->spec,
                o->filter, (unsigned long long)w->total);
        sweep_free(w);
        spec_free(s);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int validate(const struct options *o, struct registry *reg)
{
    struct spec s;
    struct sweep w;
    int rc = load(o, reg, &s, &w);
    if (rc != EXIT_OK)
        return rc;
    printf("%s: valid, %zu sweep point%s", o->spec, w.npoints, w.npoints == 1 ? "" : "s");
    if (o->filter)
        printf(" of %llu (--filter '%s')", (unsigned long long)w.total, o->filter);
    printf("\n");
    const struct spec_experiment *last = NULL;
    for (size_t i = 0; i < w.npoints; i++) {
        const struct point *p = &w.points[i];
        if (p->exp != last) {
            last = p->exp;
            printf("experiment %s (plugin %s): warmup %llu, measured %llu, min_time %g s, "
                   "repetitions %u, instruments:", last->name, last->plugin->desc.name,
                   (unsigned long long)last->warmup, (unsigned long long)last->measured,
                   last->min_time, last->repetitions);
            for (size_t k = 0; k < last->ninstruments; k++)
                printf(" %s", last->instruments[k].plugin->desc.name);
            printf("%s", last->ninstruments ? "" : " none");
            if (last->rate > 0)
                printf("; open loop: %g per second, %s arrivals", last->rate,
                       spec_arrival_name(last->arrival));
            printf("\n");
        }
        printf("  %6zu  %s  %s\n", p->index, p->id, p->label);
    }
    sweep_free(&w);
    spec_free(&s);
    return EXIT_OK;
}

/* results/<spec>-<stamp>, made unique with -2, -3... if a run started the same second. */
static char *new_run_dir(const struct options *o, const struct spec *s);
/* The run directory, made and returned as an absolute path: a plugin that
 * changes its working directory must not lose the run's results. */
static char *make_run_dir(const struct options *o, const struct spec *s)
{
    char *dir = new_run_dir(o, s);
    if (!dir)
        return NULL;
    char *abs = realpath(dir, NULL);
    free(dir);
    return abs;
}

static char *new_run_dir(const struct options *o, const struct spec *s)
{
    if (o->out)
        return mkdir_p(o->out, 0755) == 0 ? xstrdup(o->out) : NULL;
    char stamp[32];
    utc_stamp(stamp, sizeof stamp, 0);
    const char *base = s->output_dir ? s->output_dir : "results";
    if (mkdir_p(base, 0755) != 0)
        return NULL;
    for (int n = 1; n < 1000; n++) {
        char *dir = n == 1 ? xasprintf("%s/%s-%s", base, s->name, stamp)
                           : xasprintf("%s/%s-%s-%d", base, s->name, stamp, n);
        if (mkdir(dir, 0755) == 0)
            return dir;
        free(dir);
        if (errno != EEXIST)
            return NULL;
    }
    return NULL;
}

/* The signal that asked the run to stop (SIGINT, SIGTERM), or 0. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

static void catch_stop_signals(void)
{
    struct sigaction sa = {.sa_handler = on_stop_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* A resumed run's journal, checked against the sweep it must belong to. */
static json_t *resumed_points(const char *dir, const struct sweep *w)
{
    char err[1024];
    json_t *done = journal_read(dir, err, sizeof err);
    if (!done) {
        fprintf(stderr, "bhost: %s\n", err);
        return NULL;
    }
    const char *id;
    json_t *pt;
    json_object_foreach(done, id, pt) {
        size_t i = 0;
        while (i < w->npoints && strcmp(w->points[i].id, id) != 0)
            i++;
        if (i == w->npoints) {
            fprintf(stderr, "bhost: %s/journal.jsonl: point %s is not in the sweep; the journal "
                    "belongs to another run\n", dir, id);
            json_decref(done);
            return NULL;
        }
    }
    return done;
}

/*
 * Starts a run's record (run.json) or, resuming, checks the spec still
 * resolves as it did. Returns the points already done, or NULL on error.
 */
static json_t *begin_run(const struct options *o, const struct run_record *resumed,
                         const struct spec *s, const struct sweep *w, const char *dir,
                         const char *started_utc)
{
    json_t *spec = spec_to_json(s);
    if (resumed) {
        /* The same spec, wherever the file was named from. */
        json_t *was = json_deep_copy(resumed->spec);
        json_object_del(was, "file");
        json_object_del(spec, "file");
        int same = json_equal(spec, was);
        json_decref(was);
        json_decref(spec);
        if (!same) {
            fprintf(stderr, "bhost: %s: the spec no longer resolves as it did when this run "
                    "began (%s/run.json); start a new run\n", resumed->spec_file, dir);
            return NULL;
        }
        return resumed_points(dir, w);
    }
    char *spec_file = realpath(o->spec, NULL);
    char err[1024];
    int rc = run_record_write(dir, spec_file ? spec_file : o->spec, o->sets, o->nsets,
                              o->filter, started_utc, spec, err, sizeof err);
    free(spec_file);
    json_decref(spec);
    if (rc != 0) {
        fprintf(stderr, "bhost: %s\n", err);
        return NULL;
    }
    return json_object();
}

/* In the host, a hung point cannot be killed without killing the run: say so. */
static void warn_unenforced_timeouts(const struct options *o, const struct spec *s)
{
    for (size_t i = 0; i < s->nexperiments && !o->isolate; i++)
        if (s->experiments[i].timeout > 0) {
            fprintf(stderr, "bhost: note: timeouts are not enforced with --isolate none\n");
            return;
        }
}

static int run(const struct options *o, struct registry *reg, int argc, char **argv,
               const struct run_record *resumed)
{
    struct spec s;
    struct sweep w;
    int rc = load(o, reg, &s, &w);
    if (rc != EXIT_OK)
        return rc;
    warn_unenforced_timeouts(o, &s);
    char *dir = make_run_dir(o, &s);
    if (!dir) {
        fprintf(stderr, "bhost: cannot create the run directory: %s\n", strerror(errno));
        sweep_free(&w);
        spec_free(&s);
        return EXIT_INTERNAL;
    }
    struct run_info info = {.argc = argc, .argv = argv, .run_dir = dir, .filter = o->filter,
                            .points_total = w.total};
    utc_stamp(info.started_utc, sizeof info.started_utc, 1);
    if (resumed)
        snprintf(info.started_utc, sizeof info.started_utc, "%s", resumed->started_utc);
    json_t *done = begin_run(o, resumed, &s, &w, dir, info.started_utc);
    if (!done) {
        free(dir);
        sweep_free(&w);
        spec_free(&s);
        return resumed ? EXIT_USAGE : EXIT_INTERNAL;
    }
    /* Before the first point: the clock's cost is measured on a quiet process. */
    json_t *env = env_capture();
    uint64_t start = clock_now_ns();
    char *scratch = xasprintf("%s/scratch", dir);
    remove_tree(scratch); /* what a killed run left behind */
    FILE *journal = journal_open(dir);
    if (!journal)
        fprintf(stderr, "bhost: warning: cannot open %s/journal.jsonl: %s; finished points "
                "live only in memory until the end\n", dir, strerror(errno));
    catch_stop_signals();
    struct report rep;
    report_begin(&rep, stdout, o->quiet, w.npoints);
    if (json_object_size(done) && !o->quiet)
        printf("resuming %s: %zu of %zu points already done\n", dir, json_object_size(done),
               w.npoints);
    struct runner runner;
    runner_start(&runner, &s, &w, scratch);
    struct dispatch d = {.runner = &runner, .w = &w, .rep = &rep, .journal = journal,
                         .done = done, .isolate = o->isolate, .jobs = o->jobs,
                         .time_budget_s = o->time_budget, .stop = &stop_signal};
    json_t *points = dispatch_points(&d);
    info.jobs = o->jobs;
    info.pinning = d.pinning;
    json_t *instruments = runner_finish(&runner);
    report_end(&rep);
    json_decref(done);
    if (journal)
        journal_close(journal);
    rmdir(scratch);
    info.wall_ns = clock_now_ns() - start;
    info.stop_signal = stop_signal;
    utc_stamp(info.finished_utc, sizeof info.finished_utc, 1);
    json_t *doc = results_document(&s, &info, env, points, instruments);
    char *path = xasprintf("%s/results.json", dir);
    char err[1024];
    rc = stop_signal                 ? 128 + stop_signal
         : rep.failed || rep.skipped ? EXIT_FAILED_POINTS
                                     : EXIT_OK;
    char *hlog = xasprintf("%s/run.hlog", dir);
    if (results_write(doc, path, err, sizeof err) != 0 ||
        run_hlog_write(doc, hlog, err, sizeof err) != 0) {
        fprintf(stderr, "bhost: %s\n", err);
        rc = EXIT_INTERNAL;
    } else if (!o->quiet) {
        report_table(stdout, doc);
        printf("%zu of %zu points run, %zu failed", rep.done - rep.skipped, w.npoints,
               rep.failed);
        if (rep.skipped)
            printf(", %zu skipped", rep.skipped);
        printf("%s; results: %s\n", stop_signal ? " (interrupted)" : "", path);
    }
    json_decref(doc);
    free(path);
    free(hlog);
    free(scratch);
    free(dir);
    sweep_free(&w);
    spec_free(&s);
    return rc;
}

/* bhost run --resume DIR: the same sweep as run.json records, into DIR. */
static int resume(struct options *o, struct registry *reg, int argc, char **argv)
{
    if (o->spec || o->nsets || o->filter || o->out)
        return usage_error("--resume takes no spec, --set, --filter, --out, --max-points or "
                           "--timeout: it finishes the run as it began");
    struct run_record rec;
    char err[1024];
    if (run_record_read(o->resume, &rec, err, sizeof err) != 0) {
        fprintf(stderr, "bhost: %s\n", err);
        return EXIT_USAGE;
    }
    struct options again = *o;
    again.spec = rec.spec_file;
    again.sets = xcalloc(rec.nsets + 1, sizeof *again.sets);
    for (size_t i = 0; i < rec.nsets; i++)
        again.sets[i] = rec.sets[i];
    again.nsets = rec.nsets;
    again.filter = rec.filter;
    again.out = o->resume;
    int rc = run(&again, reg, argc, argv, &rec);
    free(again.sets);
    run_record_free(&rec);
    return rc;
}

int cli_main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "hdr") == 0)
        return hdr_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "merge") == 0)
        return merge_main(argc - 1, argv + 1);
    struct options o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc == EXIT_OK && strcmp(o.command, "help") == 0) {
        fputs(usage_text, stdout);
    } else if (rc == EXIT_OK && strcmp(o.command, "version") == 0) {
        printf("bhost %s (plugin ABI %d.%d)\n", BHOST_VERSION, BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
    } else if (rc == EXIT_OK) {
        struct registry reg;
        registry_init(&reg, o.paths, o.npaths);
        registry_scan(&reg);
        if (strcmp(o.command, "list") == 0)
            rc = o.json ? list_json(&reg) : list_text(&reg);
        else if (strcmp(o.command, "validate") == 0)
            rc = validate(&o, &reg);
        else
            rc = o.resume ? resume(&o, &reg, argc, argv) : run(&o, &reg, argc, argv, NULL);
        registry_free(&reg);
    }
    free(o.max_points_set);
    free(o.timeout_set);
    free(o.sets);
    free(o.paths);
    return rc;
}
