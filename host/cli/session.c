/* session.c — see session.h. */
#include "cli/session.h"
#include "history/history.h"
#include "results/run_hlog.h"
#include "results/shown_tables.h"
#include "results/table.h"
#include "run/dispatch.h"
#include "run/env.h"
#include "run/services.h"
#include "run/timer.h"
#include "spec/check.h"
#include "spec/load.h"
#include "spec/spec_json.h"
#include "util/clock.h"
#include "util/files.h"
#include "util/mem.h"
#include "util/reaper.h"

#include <errno.h>
#include <signal.h>
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

void session_note_shadowing(FILE *out, const struct spec *s)
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

int session_load(const struct cli_options *o, struct registry *reg, struct spec *s,
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
    /* A shard is cut from the filtered sweep; one with no points is no error. */
    if (o->sharding && shard_apply(o->sharding, w, err, sizeof err) != 0) {
        fprintf(stderr, "bhost: %s\n", err);
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

/* A fresh folder under `base`: NAME-STAMP, made unique with -2, -3... if one started the
 * same second. */
static char *new_dir_in(const char *base, const char *name, const char *stamp)
{
    if (mkdir_p(base, 0755) != 0)
        return NULL;
    for (int n = 1; n < 1000; n++) {
        char *dir = n == 1 ? xasprintf("%s/%s-%s", base, name, stamp)
                           : xasprintf("%s/%s-%s-%d", base, name, stamp, n);
        if (mkdir(dir, 0755) == 0)
            return dir;
        free(dir);
        if (errno != EEXIST)
            return NULL;
    }
    return NULL;
}

/* The folder the run (or both runs of an A/B run) go in, made. */
static char *new_run_dir(const struct session *ss)
{
    const struct cli_options *o = ss->o;
    const struct spec *s = &ss->sides[0].s;
    if (o->out)
        return mkdir_p(o->out, 0755) == 0 ? xstrdup(o->out) : NULL;
    char stamp[32];
    utc_stamp(stamp, sizeof stamp, 0);
    char *name = ss->nsides > 1 ? xasprintf("%s-ab", s->name) : xstrdup(s->name);
    char *dir = new_dir_in(s->output_dir ? s->output_dir : "results", name, stamp);
    free(name);
    return dir;
}

/* Each side's run directory, as an absolute path: a plugin that changes its working
 * directory must not lose the run's results. */
static int make_run_dirs(struct session *ss)
{
    char *top = new_run_dir(ss);
    char *abs = top ? realpath(top, NULL) : NULL;
    free(top);
    if (!abs)
        return -1;
    for (size_t i = 0; i < ss->nsides; i++) {
        struct session_side *sd = &ss->sides[i];
        if (!sd->name) {
            sd->dir = xstrdup(abs);
            continue;
        }
        sd->dir = xasprintf("%s/%s", abs, sd->name);
        if (mkdir(sd->dir, 0755) != 0 && errno != EEXIST) {
            free(abs);
            return -1;
        }
    }
    free(abs);
    return 0;
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

size_t session_user_plugin_path(const struct cli_options *o, char ***out)
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

/* `path` from the working directory, as an absolute path (it need not exist). */
static char *absolute_path(const char *path)
{
    char *real = realpath(path, NULL);
    if (real || path[0] == '/')
        return real ? real : xstrdup(path);
    char *cwd = getcwd(NULL, 0);
    char *out = cwd ? xasprintf("%s/%s", cwd, path) : xstrdup(path);
    free(cwd);
    return out;
}

/*
 * Starts a side's record (run.json) or, resuming, checks the spec still
 * resolves as it did. Returns the points already done, or NULL on error.
 */
static json_t *begin_run(const struct session *ss, const struct session_side *sd)
{
    const struct cli_options *o = ss->o;
    json_t *spec = spec_to_json(&sd->s);
    if (ss->resumed) {
        /* The same spec, wherever the file was named from. */
        json_t *was = json_deep_copy(ss->resumed->spec);
        json_object_del(was, "file");
        json_object_del(spec, "file");
        int same = json_equal(spec, was);
        json_decref(was);
        json_decref(spec);
        if (!same) {
            fprintf(stderr, "bhost: %s: the spec no longer resolves as it did when this run "
                    "began (%s/run.json); start a new run\n", ss->resumed->spec_file, sd->dir);
            return NULL;
        }
        return resumed_points(sd->dir, &sd->w);
    }
    char *spec_file = realpath(o->spec, NULL);
    struct run_record rec = {
        .spec_file = spec_file ? spec_file : xstrdup(o->spec), .nsets = o->nsets,
        .sets = xcalloc(o->nsets + 1, sizeof *rec.sets),
        .filter = o->filter ? xstrdup(o->filter) : NULL,
        .started_utc = xstrdup(sd->info.started_utc), .spec = spec, .isolate = o->isolate,
        .jobs = o->jobs, .time_budget = o->time_budget};
    for (size_t i = 0; i < o->nsets; i++)
        rec.sets[i] = xstrdup(o->sets[i]);
    rec.npaths = session_user_plugin_path(o, &rec.plugin_path);
    /* What the run records and compares with, so that its resume does the same. */
    const char *history = history_path(o->history);
    rec.history = !history ? xstrdup("off") : absolute_path(history);
    if (o->baseline)
        rec.baseline = strcmp(o->baseline, "history") == 0 ? xstrdup(o->baseline)
                                                           : absolute_path(o->baseline);
    rec.threshold = o->threshold ? xstrdup(o->threshold) : NULL;
    rec.percentiles = o->percentiles ? xstrdup(o->percentiles) : NULL;
    rec.artifacts = o->bundle ? 2 : o->artifacts ? 1 : 0;
    rec.shard = o->sharding ? shard_record_json(o->sharding) : NULL;
    if (sd->name) { /* an A/B side: its own folder first, as it ran */
        char **paths = xcalloc(rec.npaths + 1, sizeof *paths);
        paths[0] = xstrdup(sd->reg->dirs[0]);
        if (rec.npaths)
            memcpy(paths + 1, rec.plugin_path, rec.npaths * sizeof *paths);
        free(rec.plugin_path);
        rec.plugin_path = paths;
        rec.npaths++;
    }
    char err[1024];
    int rc = run_record_write(sd->dir, &rec, err, sizeof err);
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

int session_prepare(struct session *ss)
{
    const struct cli_options *o = ss->o;
    char err[2048];
    for (size_t i = 0; i < ss->nsides; i++) {
        struct session_side *sd = &ss->sides[i];
        int rc = session_load(o, sd->reg, &sd->s, &sd->w);
        if (rc != EXIT_OK)
            return rc;
        sd->loaded = 1;
        for (size_t e = 0; ss->force_fresh && e < sd->s.nexperiments; e++)
            if (!sd->s.experiments[e].fresh_process_set) {
                sd->s.experiments[e].fresh_process = 1;
                sd->s.experiments[e].fresh_process_set = 1;
            }
        if (i == 0) {
            warn_unenforced_timeouts(o, &sd->s);
            if (!o->quiet && ss->nsides == 1) /* A/B: shadowing is the point */
                session_note_shadowing(stderr, &sd->s);
        }
        if (spec_open_plugins(sd->reg, &sd->s, err, sizeof err) != 0) {
            fprintf(stderr, "bhost: %s\n", err);
            return EXIT_USAGE;
        }
    }
    /* The two sides of an A/B run are one sweep, point for point. */
    for (size_t i = 1; i < ss->nsides; i++) {
        const struct sweep *a = &ss->sides[0].w, *b = &ss->sides[i].w;
        if (a->npoints != b->npoints) {
            fprintf(stderr, "bhost: %s: A expands to %zu points and B to %zu: the two plugin "
                    "folders' plugins take different parameters\n", o->spec, a->npoints,
                    b->npoints);
            return EXIT_USAGE;
        }
        for (size_t k = 0; k < a->npoints; k++)
            if (strcmp(a->points[k].id, b->points[k].id) != 0) {
                fprintf(stderr, "bhost: %s: point %zu is %s (%s) in A and %s (%s) in B: the "
                        "two builds' parameters or defaults differ\n", o->spec, k,
                        a->points[k].label, a->points[k].id, b->points[k].label,
                        b->points[k].id);
                return EXIT_USAGE;
            }
    }
    if (make_run_dirs(ss) != 0) {
        fprintf(stderr, "bhost: cannot create the run directory: %s\n", strerror(errno));
        return EXIT_INTERNAL;
    }
    for (size_t i = 0; i < ss->nsides; i++) {
        struct session_side *sd = &ss->sides[i];
        sd->info = (struct run_info){.argc = ss->argc, .argv = ss->argv, .run_dir = sd->dir,
                                     .filter = o->filter, .points_total = sd->w.total,
                                     .shard = o->sharding ? shard_results_json(o->sharding,
                                                                               sd->w.npoints)
                                                          : NULL};
        utc_stamp(sd->info.started_utc, sizeof sd->info.started_utc, 1);
        if (ss->resumed)
            snprintf(sd->info.started_utc, sizeof sd->info.started_utc, "%s",
                     ss->resumed->started_utc);
        if (!(sd->done = begin_run(ss, sd)))
            return ss->resumed ? EXIT_USAGE : EXIT_INTERNAL;
        sd->begun = 1;
    }
    return EXIT_OK;
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

static size_t count_status(json_t *points, const char *a, const char *b)
{
    size_t n = 0, i;
    json_t *pt;
    json_array_foreach(points, i, pt) {
        const char *st = json_string_value(json_object_get(pt, "status"));
        n += st && (strcmp(st, a) == 0 || (b && strcmp(st, b) == 0));
    }
    return n;
}

void session_run(struct session *ss)
{
    const struct cli_options *o = ss->o;
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
    size_t npoints = 0;
    struct dispatch_side *ds = xcalloc(ss->nsides, sizeof *ds);
    char **scratch = xcalloc(ss->nsides, sizeof *scratch);
    for (size_t i = 0; i < ss->nsides; i++) {
        struct session_side *sd = &ss->sides[i];
        scratch[i] = xasprintf("%s/scratch", sd->dir);
        remove_tree(scratch[i]); /* what a killed run left behind */
        sd->journal = journal_open(sd->dir);
        if (!sd->journal)
            fprintf(stderr, "bhost: warning: cannot open %s/journal.jsonl: %s; finished points "
                    "live only in memory until the end\n", sd->dir, strerror(errno));
        npoints += sd->w.npoints;
    }
    catch_stop_signals();
    report_begin(&ss->rep, stdout, o->quiet, npoints);
    for (size_t i = 0; i < ss->nsides; i++) {
        struct session_side *sd = &ss->sides[i];
        size_t finished = 0;
        const char *id;
        json_t *pt;
        json_object_foreach(sd->done, id, pt) /* a partial point runs again */
            finished += strcmp(json_string_value(json_object_get(pt, "status")), "partial") != 0;
        if (ss->resumed && !o->quiet)
            printf("resuming %s: %zu of %zu points already done\n", sd->dir, finished,
                   sd->w.npoints);
        runner_start(&sd->runner, &sd->s, &sd->w, sd->dir, scratch[i], &timer);
        ds[i] = (struct dispatch_side){.runner = &sd->runner, .w = &sd->w, .run_dir = sd->dir,
                                       .journal = sd->journal, .done = sd->done,
                                       .tag = !sd->name ? NULL : i ? "B " : "A "};
    }
    const struct spec *s = &ss->sides[0].s;
    struct dispatch d = {.sides = ds, .nsides = ss->nsides, .interleave = s->interleave,
                         .seed = s->seed, .rep = &ss->rep, .isolate = o->isolate,
                         .jobs = o->jobs, .time_budget_s = o->time_budget,
                         .stop = &stop_signal, .timer = &timer};
    dispatch_run(&d);
    json_t **instruments = xcalloc(ss->nsides, sizeof *instruments);
    for (size_t i = 0; i < ss->nsides; i++)
        instruments[i] = runner_finish(&ss->sides[i].runner);
    report_end(&ss->rep);
    /* Started outside any point: by a constructor when a plugin was mapped, or a run hook. */
    size_t strays = reaper_kill_children(NULL, 0, REAPER_GRACE_MS);
    if (strays)
        fprintf(stderr, "bhost: warning: %zu process%s started outside any point (by a plugin's "
                "constructor or an instrument's run hook) %s still running when the run ended; "
                "killed\n", strays, strays == 1 ? "" : "es", strays == 1 ? "was" : "were");
    ss->stop_signal = stop_signal;
    uint64_t wall_ns = clock_now_ns() - start;
    json_object_set_new(env, "timer", timer_json(&timer, d.drift_ppm_max));
    for (size_t i = 0; i < ss->nsides; i++) {
        struct session_side *sd = &ss->sides[i];
        if (sd->journal)
            journal_close(sd->journal);
        sd->journal = NULL;
        rmdir(scratch[i]);
        free(scratch[i]);
        sd->info.wall_ns = wall_ns;
        sd->info.stop_signal = stop_signal;
        sd->info.jobs = o->jobs;
        sd->info.pinning = d.pinning;
        utc_stamp(sd->info.finished_utc, sizeof sd->info.finished_utc, 1);
        sd->failed = count_status(ds[i].points, "failed", "partial");
        sd->skipped = count_status(ds[i].points, "skipped", NULL);
        sd->doc = results_document(spec_to_json(&sd->s), &sd->info,
                                   i + 1 < ss->nsides ? json_deep_copy(env) : json_incref(env),
                                   ds[i].points, instruments[i]);
        sd->info.pinning = NULL; /* d.pinning is gone after this function */
    }
    json_decref(env);
    free(instruments);
    free(scratch);
    free(ds);
}

int session_write(struct session *ss)
{
    char err[2048];
    int rc = EXIT_OK;
    for (size_t i = 0; i < ss->nsides; i++) {
        struct session_side *sd = &ss->sides[i];
        char *path = xasprintf("%s/results.json", sd->dir);
        char *hlog = xasprintf("%s/run.hlog", sd->dir);
        if (results_write(sd->doc, path, err, sizeof err) != 0 ||
            run_hlog_write(sd->doc, hlog, err, sizeof err) != 0) {
            fprintf(stderr, "bhost: %s\n", err);
            rc = EXIT_INTERNAL;
        }
        free(path);
        free(hlog);
    }
    return rc;
}

int session_status(const struct session *ss)
{
    if (ss->stop_signal)
        return 128 + ss->stop_signal;
    for (size_t i = 0; i < ss->nsides; i++)
        if (ss->sides[i].failed || ss->sides[i].skipped)
            return EXIT_FAILED_POINTS;
    return EXIT_OK;
}

void session_print(const struct session *ss)
{
    if (ss->o->quiet)
        return;
    for (size_t i = 0; i < ss->nsides; i++) {
        const struct session_side *sd = &ss->sides[i];
        if (sd->name)
            printf("%s%s: %s\n", i ? "\n" : "", sd->name[0] == 'a' ? "A" : "B",
                   sd->reg->dirs[0]);
        report_table(stdout, sd->doc, ss->o->verbose);
        report_shown_tables(stdout, sd->doc, ss->o->verbose);
        printf("%zu of %zu points run, %zu failed", sd->w.npoints - sd->skipped, sd->w.npoints,
               sd->failed);
        json_int_t partial = json_integer_value(
            json_object_get(json_object_get(sd->doc, "run"), "points_partial"));
        if (partial)
            printf(" (%lld of them partial)", (long long)partial);
        size_t with_failures = points_with_failed_iterations(sd->doc);
        if (with_failures)
            printf(", %zu with failed iterations", with_failures);
        if (sd->skipped)
            printf(", %zu skipped", sd->skipped);
        printf("%s; results: %s/results.json\n", ss->stop_signal ? " (interrupted)" : "",
               sd->dir);
    }
}

void session_free(struct session *ss)
{
    for (size_t i = 0; i < ss->nsides; i++) {
        struct session_side *sd = &ss->sides[i];
        json_decref(sd->doc);
        json_decref(sd->done);
        json_decref(sd->info.shard);
        sd->info.shard = NULL;
        free(sd->dir);
        if (sd->loaded) {
            sweep_free(&sd->w);
            spec_free(&sd->s);
        }
        sd->doc = sd->done = NULL;
        sd->dir = NULL;
        sd->loaded = 0;
    }
}
