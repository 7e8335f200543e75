/* cmd_run.c — see cmd_run.h. */
#include "cli/cmd_run.h"
#include "artifacts/artifacts.h"
#include "artifacts/bundle.h"
#include "cli/cmd_compare.h"
#include "cli/baseline.h"
#include "cli/run_gates.h"
#include "cli/session.h"
#include "history/history.h"
#include "results/journal.h"
#include "spec/shard.h"
#include "spec/spec.h"
#include "spec/sweep.h"
#include "util/mem.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* getenv() as --shard auto reads it. */
static const char *environment(const char *name)
{
    return getenv(name);
}

/* --shard and --balance-from resolved into *sh, and o->sharding set: EXIT_OK, or
 * EXIT_USAGE and why on stderr. Nothing to do without --shard. */
static int resolve_shard(struct cli_options *o, struct shard *sh)
{
    char err[1024];
    if (!o->shard)
        return EXIT_OK;
    if (shard_parse(o->shard, environment, sh, err, sizeof err) != 0 ||
        (o->balance_from && shard_balance_from(sh, o->balance_from, err, sizeof err) != 0)) {
        shard_free(sh);
        return cli_usage_error("%s", err);
    }
    o->sharding = sh;
    return EXIT_OK;
}

/* "shard 2/4 (dealt): 5 of the sweep's 20 points"; a shard with none says so on stderr. */
static void print_shard(const struct shard *sh, size_t points, int quiet)
{
    if (!quiet)
        printf("shard %u/%u (%s%s%s): %zu of the sweep's %llu points\n", sh->index, sh->count,
               shard_method(sh), sh->balance_from ? " by " : "",
               sh->balance_from ? sh->balance_from : "", points,
               (unsigned long long)sh->sweep_points);
    if (points == 0)
        fprintf(stderr, "bhost: note: shard %u/%u has no points (the sweep has %llu for %u "
                "shards)\n", sh->index, sh->count, (unsigned long long)sh->sweep_points,
                sh->count);
}

/* validate_command(), with the registry scanned. */
static int validate(const struct cli_options *o, struct registry *reg)
{
    struct spec s;
    struct sweep w;
    int rc = session_load(o, reg, &s, &w);
    if (rc != EXIT_OK)
        return rc;
    session_note_shadowing(stdout, &s);
    if (o->sharding)
        print_shard(o->sharding, w.npoints, 0);
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
            if (last->fresh_process || s.interleave)
                printf("; each repetition in a fresh process%s",
                       s.interleave ? ", interleaved with the other points'" : "");
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

/* Records the finished run in the history database (unless it is off): EXIT_OK, or
 * EXIT_INTERNAL and why on stderr; the run's own results are written already. */
static int record_in_history(const char *history, const json_t *doc, const char *dir,
                             int quiet)
{
    if (!history)
        return EXIT_OK;
    char err[1024];
    char *results = xasprintf("%s/results.json", dir);
    struct history *h;
    long long number = -1;
    if (history_open(history, 1, &h, err, sizeof err) == 0) {
        number = history_record(h, doc, results, err, sizeof err);
        history_close(h);
    }
    free(results);
    if (number < 0) {
        fprintf(stderr, "bhost: history: %s; the run's results are written, but not "
                "recorded\n", err);
        return EXIT_INTERNAL;
    }
    if (!quiet)
        printf("recorded as run %lld in %s\n", number, history);
    return EXIT_OK;
}

/* --artifacts, --bundle: the finished run's artifact set, and its archive (docs/artifacts.md).
 * EXIT_OK, or EXIT_INTERNAL and why on stderr; the run's own results are written already. */
static int write_artifact_set(const struct cli_options *o, const char *dir)
{
    if (!o->artifacts)
        return EXIT_OK;
    char err[2048];
    struct artifacts_totals t;
    if (artifacts_write(dir, &t, err, sizeof err) != 0) {
        fprintf(stderr, "bhost: artifacts: %s\n", err);
        return EXIT_INTERNAL;
    }
    if (!o->quiet)
        printf("artifacts: %s/%s (%zu files listed, %llu bytes)\n", dir, ARTIFACTS_MANIFEST,
               t.files, (unsigned long long)t.bytes);
    if (t.left_out)
        fprintf(stderr, "bhost: note: artifacts: %zu file%s that results.json names %s not "
                "there or not a plain file; the manifest says which (not_included)\n",
                t.left_out, t.left_out == 1 ? "" : "s", t.left_out == 1 ? "is" : "are");
    char *zip = NULL;
    if (o->bundle && artifacts_bundle(dir, &zip, &t, err, sizeof err) != 0) {
        fprintf(stderr, "bhost: bundle: %s\n", err);
        return EXIT_INTERNAL;
    }
    if (zip && !o->quiet)
        printf("bundle: %s (%zu files, %llu bytes)\n", zip, t.files,
               (unsigned long long)t.bytes);
    free(zip);
    return EXIT_OK;
}

static int run(const struct cli_options *o, struct registry *reg, int argc, char **argv,
               const struct run_record *resumed)
{
    struct compare_options co;
    char err[2048];
    if (compare_options_parse(&co, o->threshold, o->percentiles, NULL, err, sizeof err) != 0)
        return cli_usage_error("%s", err);
    struct session_side side = {.reg = reg};
    struct session ss = {.o = o, .argc = argc, .argv = argv, .resumed = resumed,
                         .sides = &side, .nsides = 1};
    int rc = session_prepare(&ss);
    if (rc == EXIT_OK && o->sharding)
        print_shard(o->sharding, side.w.npoints, o->quiet);
    if (rc == EXIT_OK) {
        session_run(&ss);
        const char *history = history_path(o->history);
        int baseline_rc = EXIT_OK;
        json_t *baseline = NULL;
        int none_yet = 0;
        if (o->baseline &&
            !(baseline = baseline_load(o->baseline, history, side.doc, &none_yet, err,
                                       sizeof err))) {
            fprintf(stderr, none_yet ? "bhost: note: no baseline yet: %s; nothing to compare "
                                       "with\n"
                                     : "bhost: baseline: %s\n", err);
            baseline_rc = none_yet ? EXIT_OK : EXIT_USAGE;
        }
        int gates_rc = run_gates_judge(&side.s, side.doc, baseline, o->baseline, &co);
        rc = session_write(&ss);
        if (rc == EXIT_OK) {
            session_print(&ss);
            /* Interrupted and failed runs too: their set says what they kept. */
            int artifacts_rc = write_artifact_set(o, side.dir);
            int compare_rc = EXIT_OK;
            if (baseline) {
                if (!o->quiet)
                    printf("\ncompared with the baseline %s:\n", o->baseline);
                fflush(stdout);
                compare_rc = compare_print_docs(baseline, o->baseline, side.doc, side.dir, &co,
                                                o->quiet ? COMPARE_FORMAT_SUMMARY
                                                         : COMPARE_FORMAT_TABLE,
                                                NULL, stdout);
                /* Gates written in the spec are the contract: then they decide. */
                if (json_object_get(side.doc, "gates"))
                    compare_rc = EXIT_OK;
            }
            run_gates_print(stdout, side.doc, 0);
            /* An interrupted run is recorded when its resume finishes it. */
            int history_rc = ss.stop_signal ? EXIT_OK
                                            : record_in_history(history, side.doc, side.dir,
                                                                o->quiet);
            rc = cli_worst_exit(session_status(&ss), gates_rc);
            rc = cli_worst_exit(cli_worst_exit(rc, compare_rc), baseline_rc);
            rc = cli_worst_exit(cli_worst_exit(rc, history_rc), artifacts_rc);
        }
        json_decref(baseline);
    }
    session_free(&ss);
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
    if (o->spec || o->nsets || o->filter || o->out || o->shard || o->balance_from)
        return cli_usage_error("--resume takes no spec, --set, --filter, --out, --max-points, "
                               "--timeout, --shard or --balance-from: it finishes the run as "
                               "it began");
    struct run_record rec;
    char err[1024];
    if (run_record_read(o->resume, &rec, err, sizeof err) != 0) {
        fprintf(stderr, "bhost: %s\n", err);
        return EXIT_USAGE;
    }
    /* A shard's run resumes the same shard, split the same way. */
    struct shard sh = {0};
    char *record = xasprintf("%s/run.json", o->resume);
    int bad_shard = rec.shard && shard_from_record(rec.shard, record, &sh, err, sizeof err) != 0;
    free(record);
    if (bad_shard) {
        fprintf(stderr, "bhost: %s\n", err);
        run_record_free(&rec);
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
    again.sharding = rec.shard ? &sh : NULL;
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
    /* What the run compared and recorded with, unless the command line says otherwise. */
    const char **mine[] = {&again.history, &again.baseline, &again.threshold,
                           &again.percentiles};
    const char *const names[] = {"--history", "--baseline", "--threshold", "--percentiles"};
    char *recorded_as[] = {rec.history, rec.baseline, rec.threshold, rec.percentiles};
    for (size_t i = 0; i < 4; i++) {
        if (!recorded_as[i])
            continue;
        if (!*mine[i])
            *mine[i] = recorded_as[i];
        else
            note_override(names[i], *mine[i], recorded_as[i]);
    }
    /* The artifact set the run was asked for: a resume writes it too, and a flag given
     * to the resume adds to it. */
    again.artifacts |= rec.artifacts > 0;
    again.bundle |= rec.artifacts == 2;
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
    shard_free(&sh);
    run_record_free(&rec);
    return rc;
}

int validate_command(struct cli_options *o, int argc, char **argv)
{
    (void)argc, (void)argv;
    struct shard sh = {0};
    int rc = resolve_shard(o, &sh);
    if (rc != EXIT_OK)
        return rc;
    struct registry reg;
    registry_init(&reg, o->paths, o->npaths);
    registry_scan(&reg);
    rc = validate(o, &reg);
    registry_free(&reg);
    shard_free(&sh);
    return rc;
}

int run_command(struct cli_options *o, int argc, char **argv)
{
    if (o->resume)
        return resume(o, argc, argv);
    struct shard sh = {0};
    int rc = resolve_shard(o, &sh);
    if (rc != EXIT_OK)
        return rc;
    struct registry reg;
    registry_init(&reg, o->paths, o->npaths);
    registry_scan(&reg);
    rc = run(o, &reg, argc, argv, NULL);
    registry_free(&reg);
    shard_free(&sh);
    return rc;
}
