/*
 * test_exec.c — the exec experiment run by the real bhost on real processes:
 * argv words and {name} substitution of open parameters, shell mode, env and cwd, failures (exit
 * status, signal, iteration timeout) with their reasons and stderr's tail,
 * the $BHOST_FD line protocol, setup/prepare/cleanup, open loop, nothing
 * left running when a point is killed, and specs/agent_goals.yaml's gates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const plugins = BHOST_BUILD_PLUGIN_DIR;

/* Runs the spec text with bhost (plus extra arguments), expecting exit code `rc`; its results. */
static json_t *run_spec(const char *text, int rc, const char *const *extra)
{
    char *dir = e2e_dir("exec"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "exec.yaml", text);
    const char *args[16] = {"--plugin-path", plugins, "run", spec, "--out", out, "-q"};
    size_t n = 7;
    for (size_t i = 0; extra && extra[i] && n < 15; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    struct proc p;
    e2e_run(&p, args);
    if (p.rc != rc)
        fail_msg("bhost exited with %d, not %d: %s", p.rc, rc, p.err);
    json_t *doc = e2e_results(out);
    assert_non_null(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
    return doc;
}

static json_t *point_named(json_t *doc, const char *label)
{
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt)
        if (strcmp(json_string_value(json_object_get(pt, "label")), label) == 0)
            return pt;
    fail_msg("no point '%s'", label);
    return NULL;
}

/* The whole of a small file, NUL-terminated (owned); "" if it is not there. */
static char *slurp(const char *dir, const char *name)
{
    char path[4096], *text = calloc(1, 65536);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(text, 1, 65535, f);
        text[n] = '\0';
        fclose(f);
    }
    return text;
}

/* The point's only failure reason, and that it counts `count` iterations. */
static void expect_reason(json_t *pt, const char *reason, int count)
{
    assert_string_equal(e2e_text(pt, "failures/reasons/0/reason"), reason);
    assert_int_equal((int)e2e_number(pt, "failures/reasons/0/count"), count);
    assert_null(json_array_get(e2e_at(pt, "failures/reasons"), 1));
}

/* A process that is gone (or a zombie) within `seconds`. */
static int gone_within(pid_t pid, double seconds)
{
    for (double waited = 0; waited < seconds; waited += 0.02) {
        char path[64], state = '?';
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "r");
        if (!f)
            return 1;
        int matched = fscanf(f, "%*d %*s %c", &state);
        fclose(f);
        if (matched == 1 && state == 'Z')
            return 1;
        usleep(20000);
    }
    return 0;
}

/* Words are split as a shell would, {words} is one word whatever it holds, {{ is a brace;
 * {size} is swept with a range (integers written as integers); every open parameter is in
 * the point's params and its label. */
static void command_words_and_substitution(void **state)
{
    (void)state;
    char *dir = e2e_dir("argv"), text[4096];
    snprintf(text, sizeof text,
             "iterations: {warmup: 0, measured: 1}\n"
             "experiments:\n"
             "  - name: words\n"
             "    experiment: exec\n"
             "    params:\n"
             "      command: >-\n"
             "        sh -c 'printf \"[%%s]\" \"$@\" > \"$0\"' %s/argv-{size}\n"
             "        'one two' \"{words}\" {{literal}} a\\ b \"say \\\"hi\\\"\" --n={neg} --f={frac}\n"
             "      words: [\"x  y\"]\n"
             "      size: {from: 1, to: 4, mul: 2}\n"
             "      neg: -7\n"
             "      frac: 0.25\n",
             dir);
    json_t *doc = run_spec(text, 0, NULL);
    json_t *pt = json_array_get(json_object_get(doc, "points"), 2);
    assert_string_equal(e2e_text(pt, "label"), "words[words=x  y,size=4]");
    assert_string_equal(e2e_text(pt, "params/size"), "4");
    assert_string_equal(e2e_text(pt, "params/neg"), "-7");
    assert_string_equal(e2e_text(pt, "params/frac"), "0.25");
    for (int i = 1; i <= 4; i *= 2) {
        char name[32];
        snprintf(name, sizeof name, "argv-%d", i);
        char *got = slurp(dir, name);
        assert_string_equal(got, "[one two][x  y][{literal}][a b][say \"hi\"][--n=-7][--f=0.25]");
        free(got);
    }
    json_decref(doc);
    free(dir);
}

/* A name that is not a parameter is refused when the spec is loaded, naming it; so are a
 * parameter no {name} uses (a typo) and one named as a builtin. */
static void unknown_names_are_refused_at_load(void **state)
{
    (void)state;
    char *dir = e2e_dir("bad");
    char *spec = e2e_write(dir, "bad.yaml",
                           "experiments:\n"
                           "  - experiment: exec\n"
                           "    params: {command: \"work --size {size}\"}\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", plugins, "validate", spec, NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "bad.yaml:2:17: experiment 'exec', point exec: command: '{size}' "
                                  "names no parameter the spec gives (give it under params:, or "
                                  "write {{size}} for the text); there are {seed}, {point_id}, "
                                  "{scratch}"));
    e2e_proc_free(&p);
    free(spec);
    spec = e2e_write(dir, "typo.yaml",
                     "experiments:\n"
                     "  - experiment: exec\n"
                     "    params: {command: \"work --size {size}\", size: 1, sise: [2, 3]}\n");
    e2e_run(&p, (const char *[]){"--plugin-path", plugins, "validate", spec, NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "typo.yaml:2:17: experiment 'exec', point exec[sise=2]: "
                                  "parameter 'sise' is given, but no {sise} in command, prepare, "
                                  "setup, cleanup, env or cwd uses it"));
    e2e_proc_free(&p);
    free(spec);
    spec = e2e_write(dir, "builtin.yaml",
                     "experiments:\n"
                     "  - experiment: exec\n"
                     "    params: {command: \"work {seed}\", seed: 7}\n");
    e2e_run(&p, (const char *[]){"--plugin-path", plugins, "validate", spec, NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "parameter 'seed': {seed} is exec's own (the point's); name "
                                  "the parameter otherwise"));
    e2e_proc_free(&p);
    free(spec);
    /* --set EXPERIMENT.NAME=VALUE adds an open parameter; bhost list says exec takes them. */
    spec = e2e_write(dir, "set.yaml",
                     "experiments:\n"
                     "  - experiment: exec\n"
                     "    params: {command: \"true {mode}\"}\n");
    e2e_run(&p, (const char *[]){"--plugin-path", plugins, "validate", spec, "--set",
                                 "exec.mode=[fast, safe]", NULL});
    assert_int_equal(p.rc, 0);
    assert_non_null(strstr(p.out, "2 sweep points"));
    assert_non_null(strstr(p.out, "exec[mode=safe]"));
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"--plugin-path", plugins, "validate", spec, "--set",
                                 "mode=fast", NULL});
    assert_int_equal(p.rc, 2); /* unscoped: it cannot say which experiment it adds to */
    assert_non_null(strstr(p.err, "--set mode=fast: no experiment has a parameter or setting "
                                  "'mode'; an open parameter is added with the experiment's "
                                  "name: --set exec.mode=..."));
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"--plugin-path", plugins, "list", "exec", NULL});
    assert_int_equal(p.rc, 0);
    assert_non_null(strstr(p.out, "(any other)"));
    e2e_proc_free(&p);
    free(spec);
    free(dir);
}

/* shell: true runs /bin/sh -c LINE, in `cwd`, with `env` added and BHOST_FD set. */
static void shell_env_and_cwd(void **state)
{
    (void)state;
    char *dir = e2e_dir("shell"), *cwd = e2e_dir("cwd"), text[4096];
    snprintf(text, sizeof text,
             "iterations: {warmup: 0, measured: 2}\n"
             "experiments:\n"
             "  - experiment: exec\n"
             "    params:\n"
             "      shell: true\n"
             "      command: 'pwd > %s/pwd; echo \"$GREETING|$BHOST_FD|$1\" > %s/env; "
             "test -t 0 || echo stdin-not-a-tty > %s/stdin'\n"
             "      env: \"GREETING='hello world' EMPTY=\"\n"
             "      cwd: %s\n",
             dir, dir, dir, cwd);
    json_t *doc = run_spec(text, 0, NULL);
    char *pwd = slurp(dir, "pwd"), *env = slurp(dir, "env"), *in = slurp(dir, "stdin");
    char want[4200];
    snprintf(want, sizeof want, "%s\n", cwd);
    assert_string_equal(pwd, want);
    assert_string_equal(env, "hello world|3|\n");
    assert_string_equal(in, "stdin-not-a-tty\n");
    assert_int_equal((int)e2e_number(json_array_get(json_object_get(doc, "points"), 0),
                                     "failures/count"), 0);
    free(pwd);
    free(env);
    free(in);
    json_decref(doc);
    free(dir);
    free(cwd);
}

/*
 * A non-zero exit, a signal and a timeout each fail the iteration with the reason and
 * stderr's tail; a timeout kills the command's process group, its background child too.
 */
static void failures_have_reasons(void **state)
{
    (void)state;
    char *dir = e2e_dir("fail"), text[4096];
    snprintf(text, sizeof text,
             "iterations: {warmup: 0, measured: 2}\n"
             "experiments:\n"
             "  - name: status\n"
             "    experiment: exec\n"
             "    params: {shell: true, command: 'echo first >&2; echo boom >&2; exit 3'}\n"
             "  - name: signal\n"
             "    experiment: exec\n"
             "    params: {shell: true, command: 'kill -SEGV $$'}\n"
             "  - name: slow\n"
             "    experiment: exec\n"
             "    params:\n"
             "      shell: true\n"
             "      command: 'sleep 60 & echo $! >> %s/bg; echo waiting >&2; wait'\n"
             "      iteration_timeout: 0.2\n"
             "  - name: missing\n"
             "    experiment: exec\n"
             "    params: {command: 'no-such-command-here x'}\n",
             dir);
    json_t *doc = run_spec(text, 1, NULL);
    expect_reason(point_named(doc, "status"), "exit status 3; stderr: first | boom", 2);
    expect_reason(point_named(doc, "signal"), "killed by signal 11 (Segmentation fault)", 2);
    expect_reason(point_named(doc, "slow"), "timed out after 0.2 s (killed); stderr: waiting", 2);
    json_t *missing = point_named(doc, "missing");
    assert_string_equal(e2e_text(missing, "status"), "failed");
    assert_non_null(strstr(e2e_text(missing, "error"), "command: 'no-such-command-here' is not in PATH"));
    /* Each timed-out iteration's background sleep went with it. */
    char *bg = slurp(dir, "bg");
    int pids[2] = {0, 0};
    assert_int_equal(sscanf(bg, "%d %d", &pids[0], &pids[1]), 2);
    assert_true(gone_within(pids[0], 5));
    assert_true(gone_within(pids[1], 5));
    free(bg);
    json_decref(doc);
    free(dir);
}

/* counter, gauge and record lines become the point's metrics and histograms. */
static void line_protocol(void **state)
{
    (void)state;
    json_t *doc = run_spec(
        "iterations: {warmup: 0, measured: 4}\n"
        "experiments:\n"
        "  - name: good\n"
        "    experiment: exec\n"
        "    params:\n"
        "      shell: true\n"
        "      command: >-\n"
        "        printf 'counter tokens 5\\n# a comment\\n\\ncounter tokens 2\\n"
        "gauge accuracy 0.75\\nrecord phase 1000\\nrecord phase 3000\\ngauge last 9' >&$BHOST_FD\n"
        "  - name: bad\n"
        "    experiment: exec\n"
        "    params:\n"
        "      shell: true\n"
        "      command: \"echo 'counter tokens 1' >&3; echo 'counter tokens five' >&3; "
        "echo why >&2\"\n"
        "  - name: reserved\n"
        "    experiment: exec\n"
        "    params: {shell: true, command: \"echo 'record iteration 5' >&3\"}\n",
        1, NULL);
    json_t *good = point_named(doc, "good");
    assert_int_equal((int)e2e_number(good, "failures/count"), 0);
    assert_string_equal(e2e_text(good, "metrics/tokens/kind"), "counter");
    assert_true(e2e_number(good, "metrics/tokens/value") == 28.0);
    assert_true(e2e_number(good, "metrics/tokens/per_iteration") == 7.0);
    assert_string_equal(e2e_text(good, "metrics/accuracy/kind"), "gauge");
    assert_true(e2e_number(good, "metrics/accuracy/value") == 0.75);
    assert_true(e2e_number(good, "metrics/last/value") == 9.0); /* a last line without \n */
    assert_int_equal((int)e2e_number(good, "histograms/phase/count"), 8);
    assert_true(e2e_number(good, "histograms/phase/min") == 1000.0);
    assert_true(e2e_number(good, "histograms/phase/max") >= 2990.0 &&
                e2e_number(good, "histograms/phase/max") <= 3010.0);
    assert_int_equal((int)e2e_number(good, "histograms/iteration/count"), 4);
    expect_reason(point_named(doc, "bad"),
                  "BHOST_FD line 2: 'five' is not a finite number: 'counter tokens five'; "
                  "stderr: why",
                  4);
    expect_reason(point_named(doc, "reserved"),
                  "BHOST_FD line 1: 'iteration' is bhost's own histogram: 'record iteration 5'",
                  4);
    json_decref(doc);
}

/* setup once, prepare before every iteration (warm-up too), cleanup once. */
static void setup_prepare_cleanup(void **state)
{
    (void)state;
    char *dir = e2e_dir("phases"), text[4096];
    snprintf(text, sizeof text,
             "iterations: {warmup: 1, measured: 3}\n"
             "experiments:\n"
             "  - experiment: exec\n"
             "    params:\n"
             "      shell: true\n"
             "      setup: 'echo setup >> %s/log'\n"
             "      prepare: 'echo prepare >> %s/log'\n"
             "      command: 'echo run >> %s/log'\n"
             "      cleanup: 'echo cleanup >> %s/log'\n",
             dir, dir, dir, dir);
    json_t *doc = run_spec(text, 0, NULL);
    char *log = slurp(dir, "log");
    assert_string_equal(log, "setup\nprepare\nrun\nprepare\nrun\nprepare\nrun\nprepare\nrun\n"
                             "cleanup\n");
    free(log);
    json_decref(doc);
    free(dir);
}

/* A failing setup fails the point, a failing prepare its iteration, a failing cleanup is logged. */
static void failing_setup_prepare_and_cleanup(void **state)
{
    (void)state;
    char *dir = e2e_dir("failing"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "f.yaml",
                           "iterations: {warmup: 0, measured: 2}\n"
                           "experiments:\n"
                           "  - name: setup\n"
                           "    experiment: exec\n"
                           "    params: {shell: true, command: 'true', setup: 'echo no >&2; exit 4'}\n"
                           "  - name: prepare\n"
                           "    experiment: exec\n"
                           "    params: {shell: true, command: 'true', prepare: 'exit 2'}\n"
                           "  - name: cleanup\n"
                           "    experiment: exec\n"
                           "    params: {shell: true, command: 'true', cleanup: 'echo gone >&2; exit 1'}\n");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", plugins, "run", spec, "--out", out, "-q", NULL});
    assert_int_equal(p.rc, 1);
    json_t *doc = e2e_results(out);
    json_t *pt = point_named(doc, "setup");
    assert_string_equal(e2e_text(pt, "status"), "failed");
    assert_non_null(strstr(e2e_text(pt, "error"), "setup: exit status 4; stderr: no"));
    expect_reason(point_named(doc, "prepare"), "prepare: exit status 2", 2);
    assert_string_equal(e2e_text(point_named(doc, "cleanup"), "status"), "ok");
    assert_non_null(strstr(p.err, "cleanup: exit status 1; stderr: gone"));
    json_decref(doc);
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
}

/* With `rate:`, the host schedules the commands: both histograms, every iteration. */
static void open_loop(void **state)
{
    (void)state;
    json_t *doc = run_spec("iterations: {warmup: 1, measured: 5}\n"
                           "experiments:\n"
                           "  - experiment: exec\n"
                           "    rate: 50\n"
                           "    params: {command: 'true'}\n",
                           0, NULL);
    json_t *pt = json_array_get(json_object_get(doc, "points"), 0);
    assert_int_equal((int)e2e_number(pt, "histograms/iteration/count"), 5);
    assert_int_equal((int)e2e_number(pt, "histograms/response/count"), 5);
    assert_int_equal((int)e2e_number(pt, "failures/count"), 0);
    json_decref(doc);
}

/* A point killed by its timeout leaves none of its commands (or their children) running. */
static void nothing_outlives_a_killed_point(void **state)
{
    (void)state;
    char *dir = e2e_dir("killed"), text[4096];
    snprintf(text, sizeof text,
             "iterations: {warmup: 0, measured: 1}\n"
             "timeout: 1\n"
             "experiments:\n"
             "  - experiment: exec\n"
             "    params:\n"
             "      shell: true\n"
             "      command: 'sleep 60 & echo $! >> %s/pids; echo $$ >> %s/pids; wait'\n",
             dir, dir);
    json_t *doc = run_spec(text, 1, NULL);
    json_t *pt = json_array_get(json_object_get(doc, "points"), 0);
    assert_string_equal(e2e_text(pt, "status"), "failed");
    char *text_pids = slurp(dir, "pids");
    int pids[2] = {0, 0};
    assert_int_equal(sscanf(text_pids, "%d %d", &pids[0], &pids[1]), 2);
    assert_true(gone_within(pids[0], 5));
    assert_true(gone_within(pids[1], 5));
    free(text_pids);
    json_decref(doc);
    free(dir);
}

/* specs/agent_goals.yaml as shipped (one run per goal): every gate met. */
static void agent_goals_meet_their_gates(void **state)
{
    (void)state;
    char *out = e2e_dir("agent");
    if (chdir(BHOST_SOURCE_DIR) < 0)
        fail_msg("cannot enter %s", BHOST_SOURCE_DIR);
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", plugins, "run", "specs/agent_goals.yaml",
                                 "--out", out, "-q", "--set", "warmup=0", "--set", "measured=1",
                                 NULL});
    if (p.rc != 0)
        fail_msg("bhost exited with %d: %s", p.rc, p.err);
    json_t *doc = e2e_results(out);
    size_t i, met = 0;
    json_t *gate;
    json_array_foreach(json_object_get(doc, "gates"), i, gate) {
        if (strcmp(e2e_text(gate, "state"), "met") != 0)
            fail_msg("gate %s at %s: %s", e2e_text(gate, "gate"), e2e_text(gate, "label"),
                     e2e_text(gate, "state"));
        met++;
    }
    assert_int_equal(json_array_size(json_object_get(doc, "points")), 13);
    assert_true(met >= 13 * 2);
    json_t *runaway = point_named(doc, "runaway[goal=exact_pi]");
    assert_true(e2e_number(runaway, "metrics/iterations/value") == 20.0);
    assert_true(e2e_number(runaway, "metrics/stopped/value") == 1.0);
    json_t *simple = point_named(doc, "simple[goal=add]");
    assert_true(e2e_number(simple, "metrics/api_calls/value") == 2.0);
    assert_int_equal((int)e2e_number(simple, "histograms/agent_run/count"), 1);
    json_decref(doc);
    e2e_proc_free(&p);
    /* Its RESULTS.md: each goal's iterations, tokens and API calls in a metrics table. */
    e2e_run(&p, (const char *[]){"report", out, "--markdown", "--out", "-", "--history", "off",
                                 NULL});
    assert_int_equal(p.rc, 0);
    assert_non_null(strstr(p.out, "Metrics (a counter per iteration, a gauge as measured):\n\n"
                                  "| goal | iterations | tokens | api\\_calls |"));
    assert_non_null(strstr(p.out, "| exact\\_pi | 20 | "));
    e2e_proc_free(&p);
    free(out);
}

int main(void)
{
    setenv("BHOST_HISTORY", "off", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(command_words_and_substitution),
        cmocka_unit_test(unknown_names_are_refused_at_load),
        cmocka_unit_test(shell_env_and_cwd),
        cmocka_unit_test(failures_have_reasons),
        cmocka_unit_test(line_protocol),
        cmocka_unit_test(setup_prepare_cleanup),
        cmocka_unit_test(failing_setup_prepare_and_cleanup),
        cmocka_unit_test(open_loop),
        cmocka_unit_test(nothing_outlives_a_killed_point),
        cmocka_unit_test(agent_goals_meet_their_gates),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
