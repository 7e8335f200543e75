/*
 * session.h — one invocation's runs, from loading the spec to writing the
 * results: a plain run (`bhost run`, one side) or an A/B run (`bhost ab`,
 * two sides: the same spec against two plugin folders, run in one
 * invocation with their repetitions alternated; docs/compare.md).
 *
 * The steps are separate so that a command can add to a document's head
 * before it is written, and judge gates and compare after. A side's points
 * live in its journal while it runs (results/point_store.h): the results,
 * run.hlog, the table and the history record are made from there one point
 * at a time; what needs the whole document (gates, a comparison) loads the
 * written results.json, after the last point ran (docs/performance.md).
 */
#ifndef BHOST_SESSION_H
#define BHOST_SESSION_H

#include "cli/options.h"
#include "plugin/registry.h"
#include "results/journal.h"
#include "results/results.h"
#include "results/point_store.h"
#include "run/dispatch.h"
#include "run/progress.h"
#include "run/runner.h"
#include "spec/spec.h"
#include "spec/sweep.h"

#include <jansson.h>
#include <stdio.h>

struct session_side {
    const char *name;         /* NULL in a plain run; "a" or "b": its folder in the A/B run's */
    struct registry *reg;     /* where its plugins come from (the caller's) */
    struct spec s;
    struct sweep w;
    char *dir;                /* its run directory, absolute */
    struct point_store *store;/* its points: a resumed run's already, then every one */
    FILE *journal;
    struct runner runner;
    struct run_info info;
    json_t *head;             /* its results document but "points", after session_run() */
    json_t *doc;              /* the whole document, once session_doc() loaded it */
    struct point_counts counts;
    size_t failed, skipped;   /* points */
    int loaded, begun;
};

struct session {
    const struct cli_options *o;
    int argc;
    char **argv;
    const struct run_record *resumed; /* bhost run --resume: what run.json says */
    struct session_side *sides;
    size_t nsides;
    int force_fresh;          /* repetitions in fresh processes unless a spec says otherwise */
    struct report rep;
    struct dispatch_side *ds; /* per side, after session_run(): its store makes skipped
                                 points from it */
    int stop_signal;          /* SIGINT/SIGTERM that stopped the run, or 0 */
};

/* Loads a side's spec and sweep (messages on stderr): EXIT_OK or EXIT_USAGE. */
int session_load(const struct cli_options *o, struct registry *reg, struct spec *s,
                 struct sweep *w);
/* One line per file shadowed by a plugin the spec uses. */
void session_note_shadowing(FILE *out, const struct spec *s);
/* The folders searched before the defaults: --plugin-path, then $BHOST_PLUGIN_PATH,
 * made absolute where they exist; *out (a new array of new strings). */
size_t session_user_plugin_path(const struct cli_options *o, char ***out);

/* Loads every side, opens its plugins, makes its run directory and run.json: EXIT_OK or
 * the exit code to return (after session_free()). */
int session_prepare(struct session *ss);
/* Runs every side's points (one dispatch for all) and builds each side's document. */
void session_run(struct session *ss);
/* Writes each side's results.json and run.hlog: EXIT_OK or EXIT_INTERNAL. */
int session_write(struct session *ss);
/* A side's whole document, loaded from its results.json once written (NULL, and why on
 * stderr, if it cannot be read). */
json_t *session_doc(struct session_side *sd);
/* Writes a side's results.json again from its loaded document (after gates were added to
 * it): EXIT_OK or EXIT_INTERNAL. */
int session_rewrite(struct session_side *sd);
/* Records a side's finished run in the history database `history`, its points read one at
 * a time: the run's number, or -1 with err set. */
long long session_record(struct session_side *sd, const char *history, char *err,
                         size_t errlen);
/* Whether the spec has gates to judge. */
int session_has_gates(const struct spec *s);
/* The run's own exit code: a stop signal, failed or skipped points, or EXIT_OK. */
int session_status(const struct session *ss);
/* Each side's table and its summary line (not with -q). */
void session_print(const struct session *ss);
void session_free(struct session *ss);

#endif
