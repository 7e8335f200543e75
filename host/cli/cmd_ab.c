/* cmd_ab.c — see cmd_ab.h. */
#include "cli/cmd_ab.h"
#include "cli/cmd_compare.h"
#include "cli/run_gates.h"
#include "cli/session.h"
#include "compare/compare.h"
#include "util/guard.h"
#include "util/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The side's plugin folder, absolute; NULL (said on stderr) if it is no folder. */
static char *side_folder(const char *option, const char *dir)
{
    struct stat st;
    char *abs = realpath(dir, NULL);
    if (!abs || stat(abs, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "bhost ab: %s %s: %s\n", option, dir,
                abs ? "not a folder" : strerror(errno));
        free(abs);
        return NULL;
    }
    return abs;
}

/* A plugin the spec uses that does not come from the side's folder measures the same
 * build on both sides: say so. */
static void note_foreign_plugins(const struct session_side *sd, const char *letter)
{
    const char *dir = sd->reg->dirs[0];
    size_t n = strlen(dir);
    for (size_t i = 0; i < sd->s.nexperiments; i++) {
        const struct plugin *p = sd->s.experiments[i].plugin;
        if (strncmp(p->path, dir, n) != 0 || p->path[n] != '/')
            fprintf(stderr, "bhost ab: note: %s's plugin '%s' is %s, not from %s: both sides "
                    "may run the same build of it\n", letter, p->desc.name, p->path, dir);
    }
}

static int ab_run(struct cli_options *o, int argc, char **argv)
{
    if (!o->side_a || !o->side_b)
        return cli_usage_error("ab needs --a DIR and --b DIR: the plugin folders of the two "
                               "builds to compare");
    if (o->baseline)
        return cli_usage_error("ab compares B with A; --baseline goes with run");
    if (o->json && o->markdown)
        return cli_usage_error("--json and --markdown do not go together");
    struct compare_options co;
    char err[1024];
    if (compare_options_parse(&co, o->threshold, o->percentiles, NULL, err, sizeof err) != 0)
        return cli_usage_error("%s", err);
    char *dirs[2] = {side_folder("--a", o->side_a), side_folder("--b", o->side_b)};
    if (!dirs[0] || !dirs[1]) {
        free(dirs[0]);
        free(dirs[1]);
        return EXIT_USAGE;
    }
    if (strcmp(dirs[0], dirs[1]) == 0 && !o->quiet)
        fprintf(stderr, "bhost ab: note: --a and --b are the same folder: an A/A run\n");
    struct registry regs[2];
    struct session_side sides[2] = {{.name = "a", .reg = &regs[0]},
                                    {.name = "b", .reg = &regs[1]}};
    for (int i = 0; i < 2; i++) {
        const char **paths = xcalloc(o->npaths + 1, sizeof *paths);
        paths[0] = dirs[i];
        if (o->npaths)
            memcpy(paths + 1, o->paths, o->npaths * sizeof *paths);
        registry_init(&regs[i], paths, o->npaths + 1);
        registry_scan(&regs[i]);
        free(paths);
    }
    /* With --json or --markdown, stdout holds the comparison alone. */
    struct cli_options quiet = *o;
    quiet.quiet |= o->json || o->markdown;
    struct session ss = {.o = &quiet, .argc = argc, .argv = argv, .sides = sides, .nsides = 2,
                         .force_fresh = 1};
    int rc = session_prepare(&ss);
    if (rc == EXIT_OK) {
        note_foreign_plugins(&sides[0], "A");
        note_foreign_plugins(&sides[1], "B");
        session_run(&ss);
        /* Each side says it is one of a pair, run interleaved with the other. */
        for (int i = 0; i < 2; i++) {
            char *top = xstrdup(ss.sides[i].dir);
            *strrchr(top, '/') = '\0';
            json_object_set_new(json_object_get(ss.sides[i].head, "run"), "ab",
                                json_pack("{s:s, s:s}", "side", i ? "b" : "a", "run", top));
            free(top);
        }
        rc = session_write(&ss);
        /* The comparison takes both documents whole, read back once every point ran. */
        json_t *docs[2] = {NULL, NULL};
        for (int i = 0; i < 2 && rc == EXIT_OK; i++)
            if (!(docs[i] = session_doc(&ss.sides[i])))
                rc = EXIT_INTERNAL;
        /* B's gates, with A as the baseline. */
        int gates_rc = EXIT_OK;
        if (rc == EXIT_OK) {
            gates_rc = run_gates_judge(&ss.sides[1].s, docs[1], docs[0], "A", &co);
            if (json_object_get(docs[1], "gates"))
                rc = session_rewrite(&ss.sides[1]);
        }
        if (rc == EXIT_OK) {
            session_print(&ss);
            int format = o->json ? COMPARE_FORMAT_JSON
                         : o->markdown ? COMPARE_FORMAT_MARKDOWN : COMPARE_FORMAT_TABLE;
            fflush(stdout); /* the tables before the comparison's warnings on stderr */
            json_t *gates = json_object_get(docs[1], "gates");
            json_t *extra = gates ? json_pack("{s:O}", "gates", gates) : NULL;
            int compare_rc = compare_print_docs(docs[0], ss.sides[0].dir, docs[1],
                                                ss.sides[1].dir, &co, format, extra, stdout);
            json_decref(extra);
            if (!o->json)
                run_gates_print(stdout, docs[1], o->markdown);
            /* Gates written in the spec are the contract: then they decide, not every figure. */
            rc = cli_worst_exit(session_status(&ss), gates ? gates_rc : compare_rc);
        }
    }
    session_free(&ss);
    registry_free(&regs[0]);
    registry_free(&regs[1]);
    free(dirs[0]);
    free(dirs[1]);
    return rc;
}

int ab_command(struct cli_options *o, int argc, char **argv)
{
    /* Before any plugin is loaded: what the run starts dies with it (util/guard.h). */
    char err[512];
    if (guard_start(argv, err, sizeof err) != 0)
        fprintf(stderr, "bhost: warning: %s; what points start may outlive a killed host\n",
                err);
    int rc = ab_run(o, argc, argv);
    guard_done();
    return rc;
}
