/*
 * test_hlog_c_rules.c — run.hlog as HdrHistogram_c's log reader needs it.
 *
 * HdrHistogram_c (src/hdr_histogram_log.c, version 0.11.10) is the strictest
 * reader of interval logs; CI does not build it, so this test checks, on the
 * run.hlog of real runs (a run, and a merge of two), the rules its source
 * sets (docs/hdr-tools.md says what was run against the library itself):
 *
 *  - hdr_log_read_header() reads lines while they start with '#', each with
 *    fgets() into 128 bytes, and stops after the legend (a line starting
 *    with '"'), or at any other line: so the log starts with comment lines,
 *    each shorter than 128 bytes with its newline, then the legend; no blank
 *    line among them. It needs "#[Histogram log format version 1.N]",
 *    N from 0 to 3, among them.
 *  - hdr_log_read_entry() then takes every line as an interval: "Tag=" and
 *    a tag (any bytes but ',', CR and LF; it copies at most the caller's
 *    tag_len of them, and ends the tag with a NUL only when it is shorter:
 *    its own test gives 32 bytes), a comma, three numbers of digits and '.'
 *    only (no sign, no exponent) each ended by a comma, and the Base64
 *    histogram up to the line's end. A comment line there stops it.
 *
 * The runs' labels hold spaces, commas, '=', brackets and UTF-8, and one is
 * 300 bytes long; a histogram of probes adds a Unit line.
 */
#define _GNU_SOURCE /* asprintf */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../e2e/e2e.h"

/* HdrHistogram_c's HEADER_LINE_LENGTH, the fgets() buffer of a header line. */
#define C_HEADER_LINE_BUFFER 128
/* The tag buffer HdrHistogram_c's own log test reads tags into. */
#define C_TEST_TAG_BUFFER 32

/* Whether `s` (n bytes) is a number HdrHistogram_c's read_ahead_timestamp takes. */
static int c_number(const char *s, size_t n)
{
    size_t digits = strspn(s, "0123456789");
    if (digits == 0 || digits > n)
        return 0;
    if (digits == n)
        return 1;
    if (s[digits] != '.' || digits + 1 == n)
        return 0;
    return strspn(s + digits + 1, "0123456789") >= n - digits - 1;
}

/*
 * NULL if `text` keeps every rule above, else what breaks first (static).
 * `intervals` counts the interval lines.
 */
static const char *c_rule_broken(const char *text, int *intervals)
{
    static char why[256];
    int line = 0, version = 0;
    const char *p = text;
    *intervals = 0;
    /* The header: comment lines, then the legend. */
    for (;;) {
        const char *nl = strchr(p, '\n');
        line++;
        if (!nl)
            return "the log ends before its legend";
        size_t len = (size_t)(nl - p) + 1;
        if (len >= C_HEADER_LINE_BUFFER) {
            snprintf(why, sizeof why, "line %d: a header line of %zu bytes", line, len);
            return why;
        }
        int minor;
        char close;
        if (sscanf(p, "#[Histogram log format version 1.%d%c", &minor, &close) == 2 &&
            close == ']' && minor >= 0 && minor <= 3)
            version = 1;
        char first = *p;
        p = nl + 1;
        if (first == '"')
            break;
        if (first != '#') {
            snprintf(why, sizeof why, "line %d: not a comment before the legend", line);
            return why;
        }
    }
    if (!version)
        return "no '#[Histogram log format version 1.N]' (N from 0 to 3) before the legend";
    /* Then intervals only. */
    for (; *p; p = strchr(p, '\n') + 1) {
        line++;
        const char *nl = strchr(p, '\n');
        if (!nl)
            return "the last line has no newline";
        if (strncmp(p, "Tag=", 4) != 0) {
            snprintf(why, sizeof why, "line %d: not a tagged interval: %.20s", line, p);
            return why;
        }
        const char *tag = p + 4;
        size_t tag_len = strcspn(tag, ",\r\n");
        if (tag[tag_len] != ',' || tag_len == 0 || tag_len >= C_TEST_TAG_BUFFER) {
            snprintf(why, sizeof why, "line %d: a tag of %zu bytes (it needs 1 to %d, then a "
                     "comma)", line, tag_len, C_TEST_TAG_BUFFER - 1);
            return why;
        }
        const char *field = tag + tag_len + 1;
        for (int i = 0; i < 3; i++) {
            size_t n = strcspn(field, ",\n");
            if (field[n] != ',' || !c_number(field, n)) {
                snprintf(why, sizeof why, "line %d: field %d is not digits and a point: %.*s",
                         line, i + 1, (int)n, field);
                return why;
            }
            field += n + 1;
        }
        size_t b64 = strspn(field, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789+/=");
        if (field + b64 != nl || b64 == 0) {
            snprintf(why, sizeof why, "line %d: the histogram is not Base64 to the line's end",
                     line);
            return why;
        }
        (*intervals)++;
    }
    return NULL;
}

/* The checker itself refuses each rule broken. */
static void test_checker_refuses(void **state)
{
    (void)state;
    const char *v = "#[Histogram log format version 1.3]\n";
    const char *legend = "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
                         "\"Interval_Compressed_Histogram\"\n";
    const char *ok = "Tag=a/b/1,0.5,1.000000,0.001,HISTFAAAAA==\n";
    char text[1024];
    int n;
    snprintf(text, sizeof text, "%s%s%s%s", v, legend, ok, ok);
    assert_null(c_rule_broken(text, &n));
    assert_int_equal(n, 2);
    char xs[200], long_line[200];
    memset(xs, 'x', sizeof xs);
    snprintf(long_line, sizeof long_line, "#%.*s\n", 125, xs);
    snprintf(text, sizeof text, "%s%s%s%s", v, long_line, legend, ok);
    assert_null(c_rule_broken(text, &n)); /* 127 bytes with the newline: fits */
    snprintf(long_line, sizeof long_line, "#%.*s\n", 126, xs);
    snprintf(text, sizeof text, "%s%s%s%s", v, long_line, legend, ok);
    assert_non_null(strstr(c_rule_broken(text, &n), "a header line of 128 bytes"));
    const char *broken[][2] = {
        {"#[Histogram log format version 1.4]\n", "no '#[Histogram log format version"},
        {"#[Histogram log format version 1.3]\n\n", "line 2: not a comment before the legend"},
    };
    for (int i = 0; i < 2; i++) {
        snprintf(text, sizeof text, "%s%s%s", broken[i][0], legend, ok);
        const char *why = c_rule_broken(text, &n);
        if (!why || !strstr(why, broken[i][1]))
            fail_msg("'%s' gave '%s'", broken[i][0], why ? why : "nothing");
    }
    const char *lines[][2] = {
        {"#[Point x: y]\n", "line 3: not a tagged interval"},
        {"Tag=a,b,0.5,1,0.001,HISTFAAAAA==\n", "field 1 is not digits"},
        {"Tag=,0.5,1,0.001,HISTFAAAAA==\n", "a tag of 0 bytes"},
        {"Tag=0123456789abcdef/iteration/12345,0.5,1,0.001,HISTFAAAAA==\n", "a tag of 32 bytes"},
        {"Tag=a,-0.5,1,0.001,HISTFAAAAA==\n", "field 1 is not digits"},
        {"Tag=a,0.5,1e-05,0.001,HISTFAAAAA==\n", "field 2 is not digits"},
        {"Tag=a,0.5,1,.5,HISTFAAAAA==\n", "field 3 is not digits"},
        {"Tag=a,0.5,1,0.5,HIST FAAAAA==\n", "not Base64"},
        {"Tag=a,0.5,1,0.5,HISTFAAAAA==\r\n", "not Base64"},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        snprintf(text, sizeof text, "%s%s%s", v, legend, lines[i][0]);
        const char *why = c_rule_broken(text, &n);
        if (!why || !strstr(why, lines[i][1]))
            fail_msg("'%s' gave '%s', wanted '%s'", lines[i][0], why ? why : "nothing",
                     lines[i][1]);
    }
}

static char *read_whole(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t cap = 1 << 16, len = 0, got;
    char *text = malloc(cap);
    while ((got = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len < 2)
            text = realloc(text, cap *= 2);
    }
    text[len] = '\0';
    fclose(f);
    return text;
}

static void run_ok(const char *const *args)
{
    struct proc p;
    e2e_run(&p, args);
    if (p.rc != 0)
        fail_msg("bhost %s %s exited with %d: %s", args[0], args[1], p.rc, p.err);
    e2e_proc_free(&p);
}

/* Checks DIR/run.hlog against the rules and against DIR/results.json: one
 * interval per point, histogram and repetition. */
static void check_run_log(const char *dir)
{
    char path[600];
    snprintf(path, sizeof path, "%s/run.hlog", dir);
    char *text = read_whole(path);
    int intervals;
    const char *why = c_rule_broken(text, &intervals);
    if (why)
        fail_msg("%s breaks a rule of HdrHistogram_c's reader: %s\n%s", path, why, text);
    json_t *doc = e2e_results(dir);
    assert_non_null(doc);
    int want = 0;
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt) {
        const char *name;
        json_t *h;
        json_object_foreach(json_object_get(pt, "histograms"), name, h)
            want += (int)json_array_size(json_object_get(h, "repetitions"));
    }
    assert_true(want >= 14);
    assert_int_equal(intervals, want);
    /* The labels are there, and so is the unit of probes. */
    assert_non_null(strstr(text, "\n#[Point "));
    assert_non_null(strstr(text, ": test_good[label=a b, c=d [e] f \xc3\xa9]]\n"));
    assert_non_null(strstr(text, "\n#+"));
    assert_non_null(strstr(text, "/probes probes]\n"));
    json_decref(doc);
    free(text);
}

static void test_real_runs_keep_the_rules(void **state)
{
    (void)state;
    char *dir = e2e_dir("c-rules");
    char long_label[400] = "";
    for (int i = 0; i < 30; i++)
        strcat(long_label, "x=[y], z ");
    char *spec_text;
    assert_true(asprintf(&spec_text,
                         "name: c-rules\n"
                         "experiments:\n"
                         "  - experiment: test_good\n"
                         "    params: {label: [\"a b, c=d [e] f \xc3\xa9\", \"%s\"]}\n"
                         "    iterations: {warmup: 2, measured: 200}\n"
                         "    repetitions: 2\n"
                         "  - experiment: test_sdk11\n"
                         "    iterations: {warmup: 2, measured: 200}\n"
                         "    repetitions: 2\n"
                         "  - experiment: noop\n"
                         "    iterations: {warmup: 10, measured: 1000}\n"
                         "    repetitions: 2\n",
                         long_label) > 0);
    char *spec = e2e_write(dir, "c-rules.yaml", spec_text);
    free(spec_text);
    char a[512], b[512], merged[512];
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(merged, sizeof merged, "%s/merged", dir);
    run_ok((const char *[]){"--plugin-path", BHOST_TEST_PLUGIN_DIR, "run", spec, "--out", a,
                            "-q", NULL});
    run_ok((const char *[]){"--plugin-path", BHOST_TEST_PLUGIN_DIR, "run", spec, "--out", b,
                            "-q", NULL});
    run_ok((const char *[]){"merge", a, b, "-o", merged, NULL});
    check_run_log(a);
    check_run_log(merged);
    free(spec);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checker_refuses),
        cmocka_unit_test(test_real_runs_keep_the_rules),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    e2e_cleanup(NULL);
    return failed;
}
