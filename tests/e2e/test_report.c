/*
 * test_report.c — `bhost report` end to end, on a real run: spin with a
 * swept ns and gates, and test_exit, whose point fails. The Markdown's
 * tables hold the results' figures, the gates' counts and judgements and
 * the failure's reason and output; the HTML page is self-contained (its
 * Content-Security-Policy, no script, no outside reference) with one
 * distribution plot per measured point and one plot per swept parameter;
 * strings planted in a results file come out escaped in both; --compare
 * and the history add the comparison, the baseline's distributions and
 * sparklines; --out, --markdown, --html and stdout; and refusals with
 * their exit codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PLUGINS BHOST_TEST_PLUGIN_DIR ":" BHOST_MISBEHAVING_PLUGIN_DIR

static const char spec_text[] =
    "name: report-e2e\n"
    "iterations: {warmup: 5, measured: 100}\n"
    "repetitions: 2\n"
    "gates:\n"
    "  - p99 < 1s\n"
    "  - failures == 0\n"
    "experiments:\n"
    "  - experiment: spin\n"
    "    params: {ns: [1000, 10000], mode: clock}\n"
    "  - experiment: test_exit\n";

static const char csp_meta[] =
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "style-src 'unsafe-inline'; img-src data:\">";

static char *run_dir; /* the run every test reads, made once */

static char *slurp_file(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *text = calloc(1, (size_t)len + 1);
    if (fread(text, 1, (size_t)len, f) != (size_t)len)
        fail_msg("cannot read %s", path);
    fclose(f);
    return text;
}

static int exists(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static size_t count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

#define assert_contains(text, needle)                                                     \
    do {                                                                                  \
        if (!strstr((text), (needle)))                                                    \
            fail_msg("no \"%s\" in:\n%s", (needle), (text));                              \
    } while (0)

#define assert_lacks(text, needle)                                                        \
    do {                                                                                  \
        if (strstr((text), (needle)))                                                     \
            fail_msg("\"%s\" should not be in the report:\n%s", (needle), (text));        \
    } while (0)

/* A time as docs/report.md says the reports write it: three significant digits in ns, µs,
 * ms or s (whole nanoseconds below 1 µs). */
static void time_text(char *buf, size_t n, double ns)
{
    static const char *const names[] = {"ns", "µs", "ms", "s"};
    int u = ns >= 1e9 ? 3 : ns >= 1e6 ? 2 : ns >= 1e3 ? 1 : 0;
    static const double scales[] = {1, 1e3, 1e6, 1e9};
    double v = ns / scales[u];
    int decimals = u == 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
    /* 999.96 ns rounds to 1000: shown as 1.00 µs. */
    if (u < 3 && round(v * pow(10, decimals)) / pow(10, decimals) >= 1000) {
        v = ns / scales[++u];
        decimals = 2;
    }
    snprintf(buf, n, "%.*f %s", decimals, v, names[u]);
}

static char *run_spec(const char *spec, const char *history)
{
    char *dir = e2e_dir("run");
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", PLUGINS, "run", spec, "--out", dir, "-q",
                                 "--history", history ? history : "off", NULL});
    if (p.rc != 0 && p.rc != 1 && p.rc != 6)
        fail_msg("bhost run exited %d: %s", p.rc, p.err);
    e2e_proc_free(&p);
    return dir;
}

static int setup(void **state)
{
    (void)state;
    char *sdir = e2e_dir("spec");
    char *spec = e2e_write(sdir, "report.yaml", spec_text);
    run_dir = run_spec(spec, NULL);
    free(spec);
    free(sdir);
    return 0;
}

static int teardown(void **state)
{
    free(run_dir);
    return e2e_cleanup(state);
}

/* bhost report with these arguments: its exit code, stdout and stderr in p. */
static void report(struct proc *p, const char *const *args)
{
    const char *argv[16] = {"report"};
    size_t n = 1;
    while (args[n - 1] && n < 15) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    e2e_run(p, argv);
}

static void writes_both_beside_the_run(void **state)
{
    (void)state;
    struct proc p;
    report(&p, (const char *[]){run_dir, NULL});
    assert_int_equal(p.rc, 0);
    char expected[2048];
    snprintf(expected, sizeof expected, "%s/report.md\n%s/report.html\n", run_dir, run_dir);
    assert_string_equal(p.out, expected);
    assert_true(exists(run_dir, "report.md") && exists(run_dir, "report.html"));
    e2e_proc_free(&p);
}

static void markdown_has_tables_gates_and_failures(void **state)
{
    (void)state;
    struct proc p;
    report(&p, (const char *[]){run_dir, "--markdown", NULL});
    assert_int_equal(p.rc, 0);
    e2e_proc_free(&p);
    char *md = slurp_file(run_dir, "report.md");
    json_t *doc = e2e_results(run_dir);
    assert_non_null(md);
    assert_non_null(doc);
    assert_true(strncmp(md, "# report-e2e: results\n", 22) == 0);
    char line[1024];
    snprintf(line, sizeof line, "Run of %s, status **failed**, gates **missed**.",
             e2e_text(doc, "run/started_utc"));
    assert_contains(md, line);
    assert_contains(md, "| points | 3 points: 2 ok, 1 failed |");
    assert_contains(md, "| gates | **missed**: 4 met, 2 missed |");
    /* The experiment's table: its swept parameter as a column, the fixed one above it. */
    assert_contains(md, "### spin\n\nFixed parameters: mode=clock.\n\n"
                        "| ns | count | p50 | p90 | p99 | max | throughput | status |\n"
                        "|--:|--:|--:|--:|--:|--:|--:|:--|\n");
    for (size_t i = 0; i < 2; i++) {
        char path[64], a[4][32];
        static const char *const keys[] = {"p50", "p90", "p99", "max"};
        for (size_t k = 0; k < 4; k++) {
            snprintf(path, sizeof path, "points/%zu/histograms/iteration/%s", i, keys[k]);
            time_text(a[k], sizeof a[k], e2e_number(doc, path));
        }
        snprintf(line, sizeof line, "| %s | 200 | %s | %s | %s | %s | ", i ? "10000" : "1000",
                 a[0], a[1], a[2], a[3]);
        assert_contains(md, line);
    }
    assert_contains(md, "| test\\_exit | – | – | – | – | – | – | **failed** |");
    /* spin in clock mode reports no metric of its own: no metrics table. */
    assert_lacks(md, "Metrics (");
    /* The gates, counted and judged one by one, with the figure and the limit. */
    assert_int_equal(count(md, " | 2 | **1** | 0 | 0 |\n"), 2);
    assert_contains(md, "| p99 &lt; 1s | spin\\[ns=1000\\] | met | p99 = ");
    assert_contains(md, "| p99 &lt; 1s | test\\_exit | **missed** | the point failed: no "
                        "iteration histogram (exited with status 3) |");
    assert_contains(md, "| failures == 0 | test\\_exit | **missed** | the point failed "
                        "(exited with status 3) |");
    /* The failure, its reason and what its process printed. */
    assert_contains(md, "## Failures\n\n| point | status | error | output (last lines) |");
    assert_contains(md, "| test\\_exit | failed | exited with status 3 | exiting with 3 |");
    assert_contains(md, "## Environment\n");
    assert_contains(md, "| host | ");
    json_decref(doc);
    free(md);
}

static void html_is_self_contained_with_its_plots(void **state)
{
    (void)state;
    struct proc p;
    report(&p, (const char *[]){run_dir, "--html", NULL});
    assert_int_equal(p.rc, 0);
    e2e_proc_free(&p);
    char *html = slurp_file(run_dir, "report.html");
    json_t *doc = e2e_results(run_dir);
    assert_non_null(html);
    assert_true(strncmp(html, "<!DOCTYPE html>\n", 16) == 0);
    assert_contains(html, csp_meta);
    /* Nothing that runs, nothing fetched: no script, no source, no outside address. */
    assert_lacks(html, "<script");
    assert_lacks(html, " src=");
    assert_lacks(html, "url(");
    assert_lacks(html, "@import");
    assert_lacks(html, "http://");
    assert_lacks(html, "https://");
    /* One distribution plot per point that measured, one plot per swept parameter. */
    assert_int_equal(count(html, "<svg class=\"plot dist\""), 2);
    assert_int_equal(count(html, "<svg class=\"plot param\""), 1);
    assert_int_equal(count(html, "<section class=\"point\""), 3);
    for (size_t i = 0; i < 3; i++) {
        char id[64];
        snprintf(id, sizeof id, "<section class=\"point\" id=\"p%zu\">", i);
        assert_contains(html, id);
        snprintf(id, sizeof id, "<a href=\"#p%zu\">", i);
        assert_contains(html, id);
    }
    assert_contains(html, "No measured iteration: no distribution to draw.");
    assert_contains(html, "<span class=\"badge missed\">missed</span>");
    assert_contains(html, "exited with status 3");
    assert_contains(html, "<pre>exiting with 3</pre>");
    char p50[32], cell[128];
    time_text(p50, sizeof p50, e2e_number(doc, "points/1/histograms/iteration/p50"));
    snprintf(cell, sizeof cell, "<tr><th>p50</th><td class=\"n\">%s</td></tr>", p50);
    assert_contains(html, cell);
    assert_contains(html, "<h2 id=\"environment\">Environment</h2>");
    assert_true(strstr(html, "</html>\n") == html + strlen(html) - 8);
    json_decref(doc);
    free(html);
}

/* A copy of the run whose results hold what a hostile plugin or spec could put there. */
static char *planted_copy(void)
{
    json_t *doc = e2e_results(run_dir);
    json_t *points = json_object_get(doc, "points");
    json_t *failed = json_array_get(points, 2), *first = json_array_get(points, 0);
    json_object_set_new(failed, "label",
                        json_string("<img src=x onerror=alert(1)> | *x* [a](javascript:b)"));
    json_object_set_new(failed, "error", json_string("<script>alert(2)</script>"));
    json_object_set_new(failed, "stderr_tail", json_string("</pre><script>alert(3)</script>\n"));
    json_object_set_new(json_object_get(first, "notes"), "n", json_string("<b onmouseover=x>"));
    json_object_set_new(first, "artifacts",
                        json_pack("[{s:s, s:s, s:s, s:i}, {s:s, s:s, s:s, s:i}]", "name",
                                  "<i>flame</i>", "path", "javascript:alert(4)", "media_type",
                                  "text/html", "size", 1, "name", "graph", "path",
                                  "artifacts/x y/g#1.svg", "media_type", "image/svg+xml",
                                  "size", 2));
    json_object_set_new(json_object_get(doc, "spec"), "notes",
                        json_string("</title><script>alert(5)</script>"));
    json_object_set_new(json_object_get(json_object_get(json_array_get(points, 1), "histograms"),
                                        "iteration"),
                        "unit", json_string("<u>x|y</u>"));
    json_object_set_new(json_object_get(doc, "run"), "status", json_string("interrupted"));
    char *dir = e2e_dir("planted");
    char path[1024];
    snprintf(path, sizeof path, "%s/results.json", dir);
    assert_int_equal(json_dump_file(doc, path, JSON_INDENT(1)), 0);
    json_decref(doc);
    return dir;
}

static void strings_from_the_results_are_escaped(void **state)
{
    (void)state;
    char *dir = planted_copy();
    struct proc p;
    report(&p, (const char *[]){dir, NULL});
    assert_int_equal(p.rc, 0);
    e2e_proc_free(&p);
    char *html = slurp_file(dir, "report.html"), *md = slurp_file(dir, "report.md");
    assert_lacks(html, "<img src=x");
    assert_lacks(html, "<script");
    assert_lacks(html, "<b onmouseover");
    assert_lacks(html, "<i>flame");
    assert_lacks(html, "href=\"javascript:");
    assert_contains(html, "&lt;img src=x onerror=alert(1)&gt; | *x* [a](javascript:b)");
    assert_contains(html, "&lt;script&gt;alert(2)&lt;/script&gt;");
    assert_contains(html, "<pre>&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;</pre>");
    assert_contains(html, "&lt;b onmouseover=x&gt;");
    /* A link into the run directory, percent-encoded: never a scheme, never a fragment. */
    assert_contains(html, "<a href=\"javascript%3Aalert%284%29\">&lt;i&gt;flame&lt;/i&gt;</a>");
    assert_contains(html, "<a href=\"artifacts/x%20y/g%231.svg\">graph</a>");
    assert_lacks(md, "<script");
    assert_lacks(md, "<img");
    assert_contains(md, "| &lt;img src=x onerror=alert(1)&gt; \\| \\*x\\* \\[a\\](javascript:b) "
                        "| failed | &lt;script&gt;alert(2)&lt;/script&gt; | "
                        "&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt; |");
    assert_contains(md, "- **spec**: &lt;/title&gt;&lt;script&gt;alert(5)&lt;/script&gt;\n");
    assert_contains(md, "- **spin\\[ns=1000\\]**: n: &lt;b onmouseover=x&gt;\n");
    /* A plugin's unit is text too, in both. */
    assert_lacks(md, "<u>");
    assert_contains(md, " &lt;u&gt;x\\|y&lt;/u&gt; |");
    assert_lacks(html, "<u>");
    assert_contains(html, " &lt;u&gt;x|y&lt;/u&gt;</td>");
    /* An interrupted run says so first. */
    assert_contains(md, "## Notes\n\n- ⚠️ **run**: the run was interrupted (SIGINT or SIGTERM)");
    assert_contains(html, "<li class=\"warning\"><b>run</b>: the run was interrupted");
    free(html);
    free(md);
    free(dir);
}

static const char compare_spec_text[] =
    "name: report-compare\n"
    "iterations: {warmup: 5, measured: 100}\n"
    "repetitions: 4\n"
    "experiments:\n"
    "  - experiment: spin\n"
    "    params: {ns: [1000, 2000], mode: clock}\n";

static void compare_and_history(void **state)
{
    (void)state;
    char *dir = e2e_dir("history");
    char *spec = e2e_write(dir, "compare.yaml", compare_spec_text);
    char db[1024];
    snprintf(db, sizeof db, "%s/history.sqlite", dir);
    char *first = run_spec(spec, db), *second = run_spec(spec, db);
    struct proc p;
    report(&p, (const char *[]){second, "--compare", first, "--history", db, NULL});
    assert_int_equal(p.rc, 0);
    e2e_proc_free(&p);
    char *md = slurp_file(second, "report.md"), *html = slurp_file(second, "report.html");
    char line[2048];
    snprintf(line, sizeof line, "## Comparison\n\nThis run (B) against %s (A)", first);
    assert_contains(md, line);
    assert_contains(md, "| point | figure | A | B | ratio | interval | verdict |");
    /* Two points, three percentiles each. */
    assert_int_equal(count(md, "\n| spin\\[ns="), 6);
    assert_contains(md, "| spin\\[ns=2000\\] | p99 | ");
    /* The page: the section, each point's own rows, the baseline's distributions dashed. */
    assert_contains(html, "<h2 id=\"comparison\">Comparison</h2>");
    assert_int_equal(count(html, "<table class=\"cmp\">"), 3);
    assert_int_equal(count(html, "<path class=\"base\""), 4); /* each line, and its legend */
    assert_int_equal(count(html, "<title>baseline: p50 "), 2);
    /* The history holds both runs: each point's p50 and p99, this run marked. */
    assert_int_equal(count(html, "<svg class=\"plot spark\""), 4);
    assert_int_equal(count(html, "1 past run and this one (marked)"), 2);
    assert_int_equal(count(html, "<circle class=\"now\""), 4);
    free(md);
    free(html);

    /* The rolling baseline of the history: the first run. */
    report(&p, (const char *[]){second, "--compare", "history", "--history", db, "--markdown",
                                "--out", "-", NULL});
    assert_int_equal(p.rc, 0);
    snprintf(line, sizeof line, "| compared with | history (%s) |", db);
    assert_contains(p.out, line);
    e2e_proc_free(&p);

    /* No history: said once, in the notes; no point has a sparkline. */
    report(&p, (const char *[]){second, "--history", "off", "--html", "--out", "-", NULL});
    assert_int_equal(p.rc, 0);
    assert_contains(p.out, "<b>history</b>: the history is off");
    assert_lacks(p.out, "class=\"plot spark\"");
    e2e_proc_free(&p);
    snprintf(line, sizeof line, "%s/none.sqlite", dir);
    report(&p, (const char *[]){second, "--history", line, "--html", "--out", "-", NULL});
    assert_int_equal(p.rc, 0);
    snprintf(line, sizeof line, "<b>history</b>: no history database at %s/none.sqlite", dir);
    assert_contains(p.out, line);
    assert_true(!exists(dir, "none.sqlite")); /* a report never creates one */
    e2e_proc_free(&p);

    /* A baseline with none of the run's points (another spec): a note, no comparison. */
    char *other_spec = e2e_write(dir, "other.yaml", "name: other\n"
                                                    "iterations: {warmup: 5, measured: 100}\n"
                                                    "experiments:\n"
                                                    "  - experiment: noop\n");
    char *other = run_spec(other_spec, NULL);
    report(&p, (const char *[]){second, "--compare", other, "--history", "off", "--markdown",
                                "--out", "-", NULL});
    assert_int_equal(p.rc, 0);
    assert_contains(p.err, "holds none of this run's points");
    assert_contains(p.out, "## Results");
    assert_lacks(p.out, "## Comparison");
    e2e_proc_free(&p);
    free(other);
    free(other_spec);
    free(first);
    free(second);
    free(spec);
    free(dir);
}

/* `threads: [1, 2]` is an axis as a swept parameter is: a column and a plot of its own. */
static void threads_are_an_axis(void **state)
{
    (void)state;
    char *dir = e2e_dir("threads");
    char *spec = e2e_write(dir, "threads.yaml", "name: threads\n"
                                                "iterations: {warmup: 5, measured: 100}\n"
                                                "experiments:\n"
                                                "  - experiment: spin\n"
                                                "    params: {ns: [1000, 10000], mode: clock}\n"
                                                "    threads: [1, 2]\n");
    char *run = run_spec(spec, NULL);
    struct proc p;
    report(&p, (const char *[]){run, "--history", "off", "--markdown", "--out", "-", NULL});
    assert_int_equal(p.rc, 0);
    assert_contains(p.out, "| ns | threads | count |");
    for (size_t k = 0; k < 4; k++) {
        char row[64];
        snprintf(row, sizeof row, "\n| %s | %s | ", k < 2 ? "1000" : "10000", k % 2 ? "2" : "1");
        assert_contains(p.out, row);
    }
    e2e_proc_free(&p);
    report(&p, (const char *[]){run, "--history", "off", "--html", "--out", "-", NULL});
    assert_int_equal(p.rc, 0);
    /* One plot per axis; against ns, a line per thread count. */
    assert_int_equal(count(p.out, "<svg class=\"plot param\""), 2);
    assert_contains(p.out, "data-lines=\"2\"");
    e2e_proc_free(&p);
    free(run);
    free(spec);
    free(dir);
}

static void out_dir_formats_and_stdout(void **state)
{
    (void)state;
    char *planted = planted_copy(), *other = e2e_dir("other");
    struct proc p;
    report(&p, (const char *[]){planted, "--out", other, NULL});
    assert_int_equal(p.rc, 0);
    char expected[2048];
    snprintf(expected, sizeof expected, "%s/report.md\n%s/report.html\n", other, other);
    assert_string_equal(p.out, expected);
    e2e_proc_free(&p);
    /* Links lead from the report's folder back into the run directory. */
    char *html = slurp_file(other, "report.html");
    const char *base = strrchr(planted, '/') + 1;
    snprintf(expected, sizeof expected, "<a href=\"../%s/artifacts/x%%20y/g%%231.svg\">", base);
    assert_contains(html, expected);
    free(html);
    assert_false(exists(planted, "report.md"));

    /* One format only. */
    char *only = e2e_dir("only");
    report(&p, (const char *[]){run_dir, "--markdown", "--out", only, NULL});
    assert_int_equal(p.rc, 0);
    assert_true(exists(only, "report.md"));
    assert_false(exists(only, "report.html"));
    e2e_proc_free(&p);

    /* To stdout: the document alone. */
    report(&p, (const char *[]){run_dir, "--markdown", "--out", "-", NULL});
    assert_int_equal(p.rc, 0);
    assert_true(strncmp(p.out, "# report-e2e: results\n", 22) == 0);
    e2e_proc_free(&p);
    report(&p, (const char *[]){run_dir, "--html", "--out", "-", NULL});
    assert_int_equal(p.rc, 0);
    assert_true(strncmp(p.out, "<!DOCTYPE html>\n", 16) == 0);
    assert_contains(p.out, csp_meta);
    e2e_proc_free(&p);
    free(only);
    free(other);
    free(planted);
}

static void expect_refusal(const char *const *args, int rc, const char *message)
{
    struct proc p;
    report(&p, args);
    if (p.rc != rc || !strstr(p.err, message))
        fail_msg("expected exit %d and \"%s\", got %d: %s", rc, message, p.rc, p.err);
    e2e_proc_free(&p);
}

static void refusals(void **state)
{
    (void)state;
    char *dir = e2e_dir("bad");
    char *missing = e2e_write(dir, "placeholder", "");
    char path[1024];
    snprintf(path, sizeof path, "%s/nothing.json", dir);
    expect_refusal((const char *[]){NULL}, 2, "needs a run");
    expect_refusal((const char *[]){path, NULL}, 2, path);
    char *bad = e2e_write(dir, "bad.json", "{\"schema\": \n");
    expect_refusal((const char *[]){bad, NULL}, 2, bad);
    expect_refusal((const char *[]){run_dir, "--out", "-", NULL}, 2,
                   "--out - writes one report to stdout");
    expect_refusal((const char *[]){run_dir, "--threshold", "5%", NULL}, 2,
                   "--threshold and --percentiles go with --compare");
    expect_refusal((const char *[]){run_dir, "--compare", path, NULL}, 2, path);
    expect_refusal((const char *[]){run_dir, "--compare", run_dir, "--percentiles", "x", NULL},
                   2, "--percentiles needs numbers");
    expect_refusal((const char *[]){run_dir, "--frob", NULL}, 2, "unknown option '--frob'");
    expect_refusal((const char *[]){run_dir, run_dir, NULL}, 2, "report takes one run");
    /* A folder that cannot be made: a file is in the way. */
    snprintf(path, sizeof path, "%s/sub", missing);
    expect_refusal((const char *[]){run_dir, "--out", path, NULL}, 3, "cannot create");
    struct proc p;
    report(&p, (const char *[]){"--help", NULL});
    assert_int_equal(p.rc, 0);
    assert_contains(p.out, "usage: bhost report RUN");
    e2e_proc_free(&p);
    free(bad);
    free(missing);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_both_beside_the_run),
        cmocka_unit_test(markdown_has_tables_gates_and_failures),
        cmocka_unit_test(html_is_self_contained_with_its_plots),
        cmocka_unit_test(strings_from_the_results_are_escaped),
        cmocka_unit_test(compare_and_history),
        cmocka_unit_test(threads_are_an_axis),
        cmocka_unit_test(out_dir_formats_and_stdout),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
