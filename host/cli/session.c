/* session.c — see session.h. */
#include "cli/session.h"
#include "history/history.h"
#include "results/run_document.h"
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
#include "util/id_table.h"
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
    char *dir = mkdir_fresh(s->output_dir ? s->output_dir : "results", name, stamp);
    free(name);
    return dir;
}

/* A new run given the --out of an old one (or of an A/B run) replaces it: the old journal
 * would otherwise pass its points off as the new run's. 1 if there was one. */
static int clear_old_run(const char *dir)
{
    static const char *const sides[] = {"", "/a", "/b"};
    static const char *const files[] = {"run.json", "journal.jsonl", "results.json", "run.hlog"};
    int found = 0;
    for (size_t s = 0; s < ARRAY_LEN(sides); s++) {
        for (size_t i = 0; i < ARRAY_LEN(files); i++) {
            char *path = xasprintf("%s%s/%s", dir, sides[s], files[i]);
            found |= unlink(path) == 0;
            free(path);
        }
        char *artifacts = xasprintf("%s%s/artifacts", dir, sides[s]);
        if (found)
            remove_tree(artifacts);
        free(artifacts);
    }
    return found;
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

/* Matching a resumed run's journal lines to its sweep's points. */
struct resume_match {
    const char *dir;
    struct id_table by_id;
    struct point_store *store;
};

static int match_point(void *arg, const json_t *pt, uint64_t offset, size_t len, char *err,
                       size_t errlen)
{
    struct resume_match *m = arg;
    const char *id = json_string_value(json_object_get(pt, "id"));
    size_t i;
    if (!id_table_get(&m->by_id, id, strlen(id), &i)) {
        snprintf(err, errlen, "%s/journal.jsonl: point %s is not in the sweep; the journal "
                 "belongs to another run", m->dir, id);
        return -1;
    }
    point_store_put_journaled(m->store, i, pt, offset, len); /* a later line wins */
    return 0;
}

/* A side's point store: empty, or a resumed run's journal read once and matched to the
 * sweep it must belong to. NULL (and why on stderr) if it does not. */
static struct point_store *side_store(const struct session_side *sd, int resumed)
{
    char *journal = xasprintf("%s/journal.jsonl", sd->dir);
    struct point_store *store = point_store_new(sd->w.npoints, journal);
    free(journal);
    if (!resumed)
        return store;
    struct resume_match m = {.dir = sd->dir, .store = store};
    id_table_init(&m.by_id);
    for (size_t i = 0; i < sd->w.npoints; i++)
        id_table_put(&m.by_id, sd->w.points[i].id, i);
    char err[1024];
    int rc = journal_scan(sd->dir, match_point, &m, err, sizeof err);
    id_table_free(&m.by_id);
    if (rc != 0) {
        fprintf(stderr, "bhost: %s\n", err);
        point_store_free(store);
        return NULL;
    }
    return store;
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
 * resolves as it did. Returns its point store (with the points already done),
 * or NULL on error.
 */
static struct point_store *begin_run(const struct session *ss, const struct session_side *sd)
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
        return side_store(sd, 1);
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
    return side_store(sd, 0);
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
    if (!ss->resumed && o->out && clear_old_run(o->out) && !o->quiet)
        fprintf(stderr, "bhost: note: --out %s held a run; this one replaces it (bhost run "
                "--resume %s finishes a run instead)\n", o->out, o->out);
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
        if (!(sd->store = begin_run(ss, sd)))
            return ss->resumed ? EXIT_USAGE : EXIT_INTERNAL;
        sd->begun = 1;
    }
    return EXIT_OK;
}

int session_has_gates(const struct spec *s)
{
    size_t n = s->gates.n;
    for (size_t i = 0; i < s->nexperiments; i++)
        n += s->experiments[i].gates.n;
    return n > 0;
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
    struct dispatch_side *ds = ss->ds = xcalloc(ss->nsides, sizeof *ds);
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
        struct point_counts c;
        point_store_counts(sd->store, &c);
        size_t finished = c.present - c.partial; /* a partial point runs again */
        if (ss->resumed && !o->quiet)
            printf("resuming %s: %zu of %zu points already done\n", sd->dir, finished,
                   sd->w.npoints);
        runner_start(&sd->runner, &sd->s, &sd->w, sd->dir, scratch[i], &timer);
        ds[i] = (struct dispatch_side){.runner = &sd->runner, .w = &sd->w, .run_dir = sd->dir,
                                       .journal = sd->journal, .store = sd->store,
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
    /* A stop kills the points under way: what they had started comes here. */
    if (strays && stop_signal)
        fprintf(stderr, "bhost: %zu process%s left when the run stopped (started by the points "
                "it stopped, or outside any point) %s killed\n", strays,
                strays == 1 ? "" : "es", strays == 1 ? "was" : "were");
    else if (strays)
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
        point_store_counts(sd->store, &sd->counts);
        sd->failed = sd->counts.failed + sd->counts.partial;
        sd->skipped = sd->counts.skipped;
        json_t *run = results_run(&sd->info, &sd->counts, point_store_failures(sd->store));
        sd->head = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "schema", RESULTS_SCHEMA,
                             "bhost", results_bhost(), "run", run, "spec",
                             spec_to_json(&sd->s), "environment",
                             i + 1 < ss->nsides ? json_deep_copy(env) : json_incref(env),
                             "instruments", instruments[i]);
        sd->info.pinning = NULL; /* d.pinning is gone after this function */
    }
    json_decref(env);
    free(instruments);
    free(scratch);
}

int session_write(struct session *ss)
{
    char err[2048];
    int rc = EXIT_OK;
    for (size_t i = 0; i < ss->nsides; i++) {
        struct session_side *sd = &ss->sides[i];
        char *path = xasprintf("%s/results.json", sd->dir);
        char *hlog = xasprintf("%s/run.hlog", sd->dir);
        struct point_source src;
        point_store_source(sd->store, &src);
        if (run_document_write(path, sd->head, sd->store, err, sizeof err) != 0 ||
            run_hlog_write_points(sd->head, &src, hlog, err, sizeof err) != 0) {
            fprintf(stderr, "bhost: %s\n", err);
            rc = EXIT_INTERNAL;
        }
        free(path);
        free(hlog);
    }
    return rc;
}

json_t *session_doc(struct session_side *sd)
{
    if (sd->doc)
        return sd->doc;
    char *path = xasprintf("%s/results.json", sd->dir);
    json_error_t jerr;
    sd->doc = json_load_file(path, 0, &jerr);
    if (!sd->doc)
        fprintf(stderr, "bhost: %s:%d:%d: cannot read the results back: %s\n", path, jerr.line,
                jerr.column, jerr.text);
    free(path);
    return sd->doc;
}

int session_rewrite(struct session_side *sd)
{
    char err[2048];
    char *path = xasprintf("%s/results.json", sd->dir);
    int rc = results_write(sd->doc, path, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "bhost: %s\n", err);
    free(path);
    return rc == 0 ? EXIT_OK : EXIT_INTERNAL;
}

long long session_record(struct session_side *sd, const char *history, char *err,
                         size_t errlen)
{
    char *results = xasprintf("%s/results.json", sd->dir);
    struct history *h;
    long long number = -1;
    if (history_open(history, 1, &h, err, errlen) == 0) {
        struct point_source src;
        point_store_source(sd->store, &src);
        number = history_record_points(h, sd->head, &src, results, err, errlen);
        if (number >= 0 && src.failed) {
            snprintf(err, errlen, "%s: a point could not be read back from the journal",
                     results);
            number = -1;
        }
        history_close(h);
    }
    free(results);
    return number;
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
        struct point_source src;
        point_store_source(sd->store, &src);
        report_table_points(stdout, sd->head, &src, ss->o->verbose);
        report_shown_tables_points(stdout, &src, ss->o->verbose);
        /* An interrupted run holds only the points it reached. */
        printf("%zu of %zu points run, %zu failed", sd->counts.present - sd->skipped,
               sd->w.npoints, sd->failed);
        size_t partial = sd->counts.partial;
        if (partial)
            printf(" (%zu of them partial)", partial);
        size_t with_failures = sd->counts.with_failed_iterations;
        if (with_failures)
            printf(", %zu with failed iterations", with_failures);
        if (sd->skipped)
            printf(", %zu skipped", sd->skipped);
        printf("%s; results: %s/results.json\n", ss->stop_signal ? " (interrupted)" : "",
               sd->dir);
        if (ss->stop_signal && !sd->name)
            printf("to finish it: bhost run --resume %s\n", sd->dir);
    }
}

void session_free(struct session *ss)
{
    for (size_t i = 0; i < ss->nsides; i++) {
        struct session_side *sd = &ss->sides[i];
        json_decref(sd->doc);
        json_decref(sd->info.shard);
        sd->info.shard = NULL;
        json_decref(sd->head);
        point_store_free(sd->store);
        sd->store = NULL;
        sd->head = NULL;
        free(sd->dir);
        if (sd->loaded) {
            sweep_free(&sd->w);
            spec_free(&sd->s);
        }
        sd->doc = NULL;
        sd->dir = NULL;
        sd->loaded = 0;
    }
    free(ss->ds);
    ss->ds = NULL;
}
