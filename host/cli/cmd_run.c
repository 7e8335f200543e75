/* cmd_run.c — see cmd_run.h. */
#include "cli/cmd_run.h"
#include "results/journal.h"
#include "results/results.h"
#include "results/run_hlog.h"
#include "results/shown_tables.h"
#include "results/table.h"
#include "run/dispatch.h"
#include "run/env.h"
#include "run/progress.h"
#include "run/runner.h"
#include "run/timer.h"
#include "run/services.h"
#include "spec/check.h"
#include "spec/load.h"
#include "spec/spec.h"
#include "spec/spec_json.h"
#include "spec/sweep.h"
#include "util/clock.h"
#include "util/files.h"
#include "util/mem.h"
#include "util/reaper.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* After an unknown name with no suggestion: the plugin may be one of the files refused. */
static void note_refusals(const struct registry *r)
{
    if (r->nproblems)
        fprintf(stderr, "note: %zu file%s on the plugin path %s refused; `bhost list` says "
                "why\n", r->nproblems, r->nproblems == 1 ? "" : "s",
                r->nproblems == 1 ? "was" : "were");
}

/* One line per file shadowed by a plugin the spec uses: which file runs is no secret. */
static void note_shadowing(FILE *out, const struct spec *s)
{
    const struct plugin **seen = NULL;
    size_t nseen = 0, cap = 0;
    for (size_t i = 0; i < s->nexperiments; i++) {
        const struct spec_experiment *e = &s->experiments[i];
        for (size_t k = 0; k <= e->ninstruments; k++) {
            const struct plugin *p = k == 0 ? e->plugin : e->instruments[k - 1].plugin;
            size_t j = 0;
            while (j < nseen && seen[j] != p)
                j++;
            if (j < nseen)
                continue;
            grow(&seen, &cap, nseen, sizeof *seen);
            seen[nseen++] = p;
            for (size_t h = 0; h < p->nshadowed; h++)
                fprintf(out, "note: plugin '%s' is %s; %s, later on the search path, is "
                        "shadowed\n", p->desc.name, p->path, p->shadowed[h]);
        }
    }
    free(seen);
}

static int load(const struct cli_options *o, struct registry *reg, struct spec *s,
                struct sweep *w)
{
    char err[2048];
    if (spec_load(o->spec, reg, o->sets, o->nsets, s, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        if ((strstr(err, "unknown experiment") || strstr(err, "unknown instrument")) &&
            !strstr(err, "did you mean"))
            note_refusals(reg);
        return EXIT_USAGE;
    }
    if (sweep_expand(s, o->filter, s->max_points, w, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        spec_free(s);
        return EXIT_USAGE;
    }
    if (w->npoints == 0) {
        fprintf(stderr, "%s: no sweep point matches --filter '%s' (of %llu points)\n", o->spec,
                o->filter, (unsigned long long)w->total);
        sweep_free(w);
        spec_free(s);
        return EXIT_USAGE;
    }
    if (spec_check(reg, s, w, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        sweep_free(w);
        spec_free(s);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* A spec's gates, one line each ("gate: p99 < 2ms"). */
static void print_gates(const struct spec_gates *g, const char *indent)
{
    for (size_t i = 0; i < g->n; i++) {
        printf("%sgate: %s", indent, g->items[i].text);
        if (g->items[i].points)
            printf(" (points: %s)", g->items[i].points);
        printf("\n");
    }
}

/* validate_command(), with the registry scanned. */
static int validate(const struct cli_options *o, struct registry *reg)
{
    struct spec s;
    struct sweep w;
    int rc = load(o, reg, &s, &w);
    if (rc != EXIT_OK)
        return rc;
    note_shadowing(stdout, &s);
    printf("%s: valid, %zu sweep point%s", o->spec, w.npoints, w.npoints == 1 ? "" : "s");
    if (o->filter)
        printf(" of %llu (--filter '%s')", (unsigned long long)w.total, o->filter);
    printf("\n");
    print_gates(&s.gates, "");
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
            if (last->timeout > 0)
                printf("; timeout %g s", last->timeout);
            if (last->rate > 0)
                printf("; open loop: %g per second, %s arrivals", last->rate,
                       spec_arrival_name(last->arrival));
            printf("\n");
            for (size_t k = 0; o->verbose && k <= last->ninstruments; k++) {
                const struct plugin *pl = k ? last->instruments[k - 1].plugin : last->plugin;
                printf("  plugin %s: %s (build-id %s)\n", pl->desc.name, pl->path,
                       *pl->build_id ? pl->build_id : "none");
            }
            print_gates(&last->gates, "  ");
        }
        printf("  %6zu  %s  %s\n", p->index, p->id, p->label);
    }
    sweep_free(&w);
    spec_free(&s);
    return EXIT_OK;
}

/* results/<spec>-<stamp>, made unique with -2, -3... if a run started the same second. */
static char *new_run_dir(const struct cli_options *o, const struct spec *s);
/* The run directory, made and returned as an absolute path: a plugin that
 * changes its working directory must not lose the run's results. */
static char *make_run_dir(const struct cli_options *o, const struct spec *s)
{
    char *dir = new_run_dir(o, s);
    if (!dir)
        return NULL;
    char *abs = realpath(dir, NULL);
    free(dir);
    return abs;
}

static char *new_run_dir(const struct cli_options *o, const struct spec *s)
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

/* Adds each folder of a colon-separated list, made absolute where it exists. */
static void add_folders(const char *list, char ***v, size_t *n, size_t *cap)
{
    char *copy = xstrdup(list), *save = NULL;
    for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
        char *abs = realpath(tok, NULL);
        grow(v, cap, *n, sizeof **v);
        (*v)[(*n)++] = abs ? abs : xstrdup(tok);
    }
    free(copy);
}

/* The folders searched before the defaults: --plugin-path, then $BHOST_PLUGIN_PATH. */
static size_t user_plugin_path(const struct cli_options *o, char ***out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    for (size_t i = 0; i < o->npaths; i++)
        add_folders(o->paths[i], out, &n, &cap);
    const char *env = getenv("BHOST_PLUGIN_PATH");
    if (env && *env)
        add_folders(env, out, &n, &cap);
    return n;
}

/*
 * Starts a run's record (run.json) or, resuming, checks the spec still
 * resolves as it did. Returns the points already done, or NULL on error.
 */
static json_t *begin_run(const struct cli_options *o, const struct run_record *resumed,
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
    struct run_record rec = {
        .spec_file = spec_file ? spec_file : xstrdup(o->spec), .nsets = o->nsets,
        .sets = xcalloc(o->nsets + 1, sizeof *rec.sets),
        .filter = o->filter ? xstrdup(o->filter) : NULL, .started_utc = xstrdup(started_utc),
        .spec = spec, .isolate = o->isolate, .jobs = o->jobs, .time_budget = o->time_budget};
    for (size_t i = 0; i < o->nsets; i++)
        rec.sets[i] = xstrdup(o->sets[i]);
    rec.npaths = user_plugin_path(o, &rec.plugin_path);
    char err[1024];
    int rc = run_record_write(dir, &rec, err, sizeof err);
    run_record_free(&rec); /* and the spec with it */
    if (rc != 0) {
        fprintf(stderr, "bhost: %s\n", err);
        return NULL;
    }
    return json_object();
}

/* In the host, a hung point cannot be killed without killing the run: say so. */
static void warn_unenforced_timeouts(const struct cli_options *o, const struct spec *s)
{
    for (size_t i = 0; i < s->nexperiments && !o->isolate; i++)
        if (s->experiments[i].timeout > 0) {
            fprintf(stderr, "bhost: note: timeouts are not enforced with --isolate none\n");
            return;
        }
}

/* Points that ran but had some iterations fail (bhost_fail()): not failed points, but
 * worth a word in the summary. */
static size_t points_with_failed_iterations(json_t *doc)
{
    size_t n = 0, i;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt)
        n += json_integer_value(json_object_get(json_object_get(pt, "failures"), "count")) > 0;
    return n;
}

static int run(const struct cli_options *o, struct registry *reg, int argc, char **argv,
               const struct run_record *resumed)
{
    struct spec s;
    struct sweep w;
    int rc = load(o, reg, &s, &w);
    if (rc != EXIT_OK)
        return rc;
    warn_unenforced_timeouts(o, &s);
    if (!o->quiet)
        note_shadowing(stderr, &s);
    char err[2048];
    if (spec_open_plugins(reg, &s, err, sizeof err) != 0) {
        fprintf(stderr, "bhost: %s\n", err);
        sweep_free(&w);
        spec_free(&s);
        return EXIT_USAGE;
    }
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
    struct timer timer;
    enum timer_choice choice = !o->clock || strcmp(o->clock, "auto") == 0 ? TIMER_AUTO
                               : strcmp(o->clock, "tsc") == 0          ? TIMER_TSC
                                                                       : TIMER_MONOTONIC;
    timer_setup(&timer, choice);
    if (choice == TIMER_TSC && !timer.use_tsc)
        fprintf(stderr, "bhost: note: --clock tsc: %s; using CLOCK_MONOTONIC\n", timer.fallback);
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
    size_t finished = 0;
    const char *id;
    json_t *pt;
    json_object_foreach(done, id, pt) /* a partial point runs again */
        finished += strcmp(json_string_value(json_object_get(pt, "status")), "partial") != 0;
    if (resumed && !o->quiet)
        printf("resuming %s: %zu of %zu points already done\n", dir, finished, w.npoints);
    struct runner runner;
    runner_start(&runner, &s, &w, dir, scratch, &timer);
    struct dispatch d = {.runner = &runner, .w = &w, .rep = &rep, .journal = journal,
                         .done = done, .isolate = o->isolate, .jobs = o->jobs,
                         .time_budget_s = o->time_budget, .stop = &stop_signal,
                         .timer = &timer};
    json_t *points = dispatch_points(&d);
    info.jobs = o->jobs;
    info.pinning = d.pinning;
    json_t *instruments = runner_finish(&runner);
    report_end(&rep);
    /* Started outside any point: by a constructor when a plugin was mapped, or a run hook. */
    size_t strays = reaper_kill_children(NULL, 0, REAPER_GRACE_MS);
    if (strays)
        fprintf(stderr, "bhost: warning: %zu process%s started outside any point (by a plugin's "
                "constructor or an instrument's run hook) %s still running when the run ended; "
                "killed\n", strays, strays == 1 ? "" : "es", strays == 1 ? "was" : "were");
    json_decref(done);
    if (journal)
        journal_close(journal);
    rmdir(scratch);
    info.wall_ns = clock_now_ns() - start;
    info.stop_signal = stop_signal;
    utc_stamp(info.finished_utc, sizeof info.finished_utc, 1);
    json_object_set_new(env, "timer", timer_json(&timer, d.drift_ppm_max));
    json_t *doc = results_document(spec_to_json(&s), &info, env, points, instruments);
    char *path = xasprintf("%s/results.json", dir);
    rc = stop_signal                 ? 128 + stop_signal
         : rep.failed || rep.skipped ? EXIT_FAILED_POINTS
                                     : EXIT_OK;
    char *hlog = xasprintf("%s/run.hlog", dir);
    if (results_write(doc, path, err, sizeof err) != 0 ||
        run_hlog_write(doc, hlog, err, sizeof err) != 0) {
        fprintf(stderr, "bhost: %s\n", err);
        rc = EXIT_INTERNAL;
    } else if (!o->quiet) {
        report_table(stdout, doc, o->verbose);
        report_shown_tables(stdout, doc, o->verbose);
        printf("%zu of %zu points run, %zu failed", rep.done - rep.skipped, w.npoints,
               rep.failed);
        json_int_t partial = json_integer_value(
            json_object_get(json_object_get(doc, "run"), "points_partial"));
        if (partial)
            printf(" (%lld of them partial)", (long long)partial);
        size_t with_failures = points_with_failed_iterations(doc);
        if (with_failures)
            printf(", %zu with failed iterations", with_failures);
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
/* An option given again on resume wins over the run's own, and says so. */
static void note_override(const char *what, const char *now, const char *then)
{
    if (strcmp(now, then) != 0)
        fprintf(stderr, "bhost: note: %s %s given; the run began with %s\n", what, now, then);
}

/* bhost run --resume DIR: the run finished as it began (run.json), its plugin path scanned. */
static int resume(struct cli_options *o, int argc, char **argv)
{
    if (o->spec || o->nsets || o->filter || o->out)
        return cli_usage_error("--resume takes no spec, --set, --filter, --out, --max-points or "
                           "--timeout: it finishes the run as it began");
    struct run_record rec;
    char err[1024];
    if (run_record_read(o->resume, &rec, err, sizeof err) != 0) {
        fprintf(stderr, "bhost: %s\n", err);
        return EXIT_USAGE;
    }
    struct cli_options again = *o;
    again.spec = rec.spec_file;
    again.sets = xcalloc(rec.nsets + 1, sizeof *again.sets);
    for (size_t i = 0; i < rec.nsets; i++)
        again.sets[i] = rec.sets[i];
    again.nsets = rec.nsets;
    again.filter = rec.filter;
    again.out = o->resume;
    /* What the run began with, unless the command line says otherwise now. */
    char now[64], then[64];
    const char **recorded = xcalloc(rec.npaths + 1, sizeof *recorded);
    for (size_t i = 0; i < rec.npaths; i++)
        recorded[i] = rec.plugin_path[i];
    if (o->npaths == 0) {
        again.paths = recorded;
        again.npaths = rec.npaths;
        unsetenv("BHOST_PLUGIN_PATH"); /* recorded already, as it was then */
    } else if (rec.npaths) {
        fprintf(stderr, "bhost: note: --plugin-path given; the run began with %s", rec.plugin_path[0]);
        for (size_t i = 1; i < rec.npaths; i++)
            fprintf(stderr, ":%s", rec.plugin_path[i]);
        fputc('\n', stderr);
    }
    if (rec.isolate >= 0 && !o->isolate_given)
        again.isolate = rec.isolate;
    else if (rec.isolate >= 0)
        note_override("--isolate", o->isolate ? "fork" : "none", rec.isolate ? "fork" : "none");
    if (rec.jobs && !o->jobs_given) {
        again.jobs = rec.jobs;
    } else if (rec.jobs) {
        snprintf(now, sizeof now, "%zu", o->jobs);
        snprintf(then, sizeof then, "%zu", rec.jobs);
        note_override("--jobs", now, then);
    }
    if (rec.time_budget >= 0 && !o->budget_given) {
        again.time_budget = rec.time_budget;
    } else if (rec.time_budget >= 0) {
        snprintf(now, sizeof now, "%g s", o->time_budget);
        snprintf(then, sizeof then, rec.time_budget > 0 ? "%g s" : "none", rec.time_budget);
        note_override("--time-budget", now, then);
    }
    int rc = EXIT_USAGE;
    if (again.jobs > 1 && !again.isolate) {
        cli_usage_error("--jobs runs points in child processes; it does not go with --isolate "
                        "none");
    } else {
        struct registry reg;
        registry_init(&reg, again.paths, again.npaths);
        registry_scan(&reg);
        rc = run(&again, &reg, argc, argv, &rec);
        registry_free(&reg);
    }
    free(again.sets);
    free(recorded);
    run_record_free(&rec);
    return rc;
}

int validate_command(struct cli_options *o, int argc, char **argv)
{
    (void)argc, (void)argv;
    struct registry reg;
    registry_init(&reg, o->paths, o->npaths);
    registry_scan(&reg);
    int rc = validate(o, &reg);
    registry_free(&reg);
    return rc;
}

int run_command(struct cli_options *o, int argc, char **argv)
{
    if (o->resume)
        return resume(o, argc, argv);
    struct registry reg;
    registry_init(&reg, o->paths, o->npaths);
    registry_scan(&reg);
    int rc = run(o, &reg, argc, argv, NULL);
    registry_free(&reg);
    return rc;
}
