/*
 * test_history.c — `bhost history` end to end: two real runs recorded with
 * --record, listed, and one point's series read back as JSON; a point that
 * is not there, and a database that is not one, with their exit codes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

static const char spec_text[] =
    "name: history-e2e\n"
    "experiments:\n"
    "  - experiment: spin\n"
    "    params: {ns: [500, 2000]}\n"
    "    iterations: {warmup: 10, measured: 200}\n"
    "    repetitions: 3\n";

/* Runs bhost with args; fails the test unless it exits `rc`. The caller frees p. */
static void run_expect(struct proc *p, const char *const *args, int rc)
{
    e2e_run(p, args);
    if (p->rc != rc)
        fail_msg("bhost %s %s exited %d, not %d: %s%s", args[0], args[1] ? args[1] : "", p->rc,
                 rc, p->out, p->err);
}

static size_t count(const char *text, const char *word)
{
    size_t n = 0;
    for (const char *s = text; (s = strstr(s, word)); s += strlen(word))
        n++;
    return n;
}

static void test_record_list_series(void **state)
{
    (void)state;
    /* The runs themselves record nothing: the history is recorded by hand below. */
    setenv("BHOST_HISTORY", "off", 1);
    char *specdir = e2e_dir("spec");
    char *spec = e2e_write(specdir, "history.yaml", spec_text);
    char *runs[2];
    struct proc p;
    for (int i = 0; i < 2; i++) {
        runs[i] = e2e_dir("run");
        const char *args[] = {"run", spec, "--out", runs[i], "-q", NULL};
        run_expect(&p, args, 0);
        e2e_proc_free(&p);
    }
    char *dbdir = e2e_dir("db");
    char *db = malloc(strlen(dbdir) + 32);
    sprintf(db, "%s/sub/history.sqlite", dbdir);
    for (int i = 0; i < 2; i++) {
        const char *args[] = {"history", "--history", db, "--record", runs[i], NULL};
        run_expect(&p, args, 0);
        assert_non_null(strstr(p.out, "results.json"));
        e2e_proc_free(&p);
    }
    /* Recorded again: still one run each. */
    const char *again[] = {"history", "--history", db, "--record", runs[0], NULL};
    run_expect(&p, again, 0);
    e2e_proc_free(&p);

    const char *list[] = {"history", "--history", db, NULL};
    run_expect(&p, list, 0);
    assert_int_equal(count(p.out, "history-e2e"), 2);
    assert_non_null(strstr(p.out, "started"));
    e2e_proc_free(&p);
    const char *list_json[] = {"history", "--history", db, "--json", NULL};
    run_expect(&p, list_json, 0);
    json_t *v = json_loads(p.out, 0, NULL);
    assert_int_equal(json_array_size(v), 2);
    assert_string_equal(e2e_text(v, "0/spec"), "history-e2e");
    assert_string_equal(e2e_text(v, "0/status"), "ok");
    json_decref(v);
    e2e_proc_free(&p);

    /* The point by its label, as JSON, and as a table. */
    const char *series[] = {"history", "spin[ns=2000]", "--history", db, "--json", NULL};
    run_expect(&p, series, 0);
    v = json_loads(p.out, 0, NULL);
    assert_non_null(v);
    assert_string_equal(e2e_text(v, "label"), "spin[ns=2000]");
    assert_int_equal(json_array_size(e2e_at(v, "runs")), 2);
    assert_true(e2e_number(v, "runs/0/p50") > 0);
    assert_true(e2e_number(v, "runs/1/p99") >= e2e_number(v, "runs/1/p50"));
    json_decref(v);
    e2e_proc_free(&p);
    const char *table[] = {"history", "ns=2000", "--history", db, NULL};
    run_expect(&p, table, 0);
    assert_non_null(strstr(p.out, "p99"));
    assert_non_null(strstr(p.out, "step change"));
    e2e_proc_free(&p);

    /* Wrong names: exit 2, the candidates listed for an ambiguous one. */
    const char *ambiguous[] = {"history", "spin", "--history", db, NULL};
    run_expect(&p, ambiguous, 2);
    assert_non_null(strstr(p.err, "spin[ns=500]"));
    assert_non_null(strstr(p.err, "spin[ns=2000]"));
    e2e_proc_free(&p);
    const char *unknown[] = {"history", "nothing", "--history", db, NULL};
    run_expect(&p, unknown, 2);
    assert_non_null(strstr(p.err, "no point 'nothing'"));
    e2e_proc_free(&p);

    /* Not a database: exit 3, the file named. */
    char *bad = e2e_write(dbdir, "bad.sqlite", "this is not an SQLite file, not at all\n");
    const char *broken[] = {"history", "--history", bad, NULL};
    run_expect(&p, broken, 3);
    assert_non_null(strstr(p.err, bad));
    assert_non_null(strstr(p.err, "not a database"));
    e2e_proc_free(&p);
    unsetenv("BHOST_HISTORY");

    free(bad);
    free(db);
    free(dbdir);
    for (int i = 0; i < 2; i++)
        free(runs[i]);
    free(spec);
    free(specdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_list_series),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
