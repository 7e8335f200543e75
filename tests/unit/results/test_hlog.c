/*
 * test_hlog.c — interval logs: writer and reader round trip, tags, comments
 * (long ones cut into header lines HdrHistogram_c can read, and joined
 * again) and times, malformed lines rejected with their line numbers, CR
 * line ends named; run.hlog from a results document, in the layout
 * HdrHistogram_c's reader needs; the percentile-distribution text; bhost hdr
 * on logs of every HdrHistogram version (V0, V1 and V2 encodings).
 */
#define _GNU_SOURCE /* asprintf */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../e2e/e2e.h"
#include "hdr/base64.h"
#include "hdr/hdr_v2.h"
#include "hdr/hdr.h"
#include "hdr/hdr_text.h"
#include "hdr/hlog.h"
#include "results/run_hlog.h"

/* A histogram in bhost's layout holding value v[i] count[i] times. */
static void make_hist(struct hdr *h, const int64_t *v, const int64_t *count, size_t n)
{
    assert_int_equal(hdr_init_bhost(h), 0);
    for (size_t i = 0; i < n; i++)
        hdr_record_n(h, v[i], count[i]);
}

static void assert_same_counts(const struct hdr *a, const struct hdr *b)
{
    assert_int_equal(a->total_count, b->total_count);
    assert_int_equal(a->counts_len, b->counts_len);
    for (int32_t i = 0; i < a->counts_len; i++)
        assert_int_equal(a->counts[i], b->counts[i]);
}

/* Reads every interval of `text`: their count, or -1 with the message in err. */
static int read_all(const char *text, struct hlog_interval *out, int max, char *err,
                    size_t errlen, struct hlog_reader *state)
{
    FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
    assert_non_null(f);
    struct hlog_reader r;
    hlog_reader_init(&r, f, "test.hlog");
    int n = 0, rc;
    struct hlog_interval iv;
    while ((rc = hlog_read_interval(&r, &iv, err, errlen)) == 1) {
        if (n < max)
            out[n] = iv;
        else
            hlog_interval_fini(&iv);
        n++;
    }
    if (state)
        *state = r;
    hlog_reader_fini(&r);
    fclose(f);
    return rc < 0 ? -1 : n;
}

static char *write_to_string(void (*fill)(FILE *, void *), void *arg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    fill(f, arg);
    assert_int_equal(fclose(f), 0);
    return text;
}

struct two_hists {
    struct hdr a, b;
};

static void fill_round_trip(FILE *f, void *arg)
{
    struct two_hists *t = arg;
    hlog_write_header(f, "[made by test_hlog]", 1700000000.5);
    hlog_write_comment(f, "[Point abc: a label,\nwith a newline]");
    hlog_write_legend(f);
    assert_int_equal(hlog_write_interval(f, "abc/iteration/1", 0.25, 1.5, &t->a), 0);
    assert_int_equal(hlog_write_interval(f, NULL, 2.0, 0.125, &t->b), 0);
}

static void test_round_trip(void **state)
{
    (void)state;
    static const int64_t va[] = {0, 1, 999, 2048, 123456789, INT64_C(3000000000000)};
    static const int64_t ca[] = {3, 5, 7, 11, 13, 17};
    static const int64_t vb[] = {42};
    static const int64_t cb[] = {1000};
    struct two_hists t;
    make_hist(&t.a, va, ca, 6);
    make_hist(&t.b, vb, cb, 1);
    char *text = write_to_string(fill_round_trip, &t);

    /* The header Java's writer writes, in its order; the comment stays one line. */
    assert_non_null(strstr(text, "#[made by test_hlog]\n#[Histogram log format version 1.3]\n"
                                 "#[StartTime: 1700000000.500 (seconds since epoch), Tue Nov "
                                 "14 22:13:20 UTC 2023]\n#[BaseTime: 1700000000.500 (seconds "
                                 "since epoch)]\n#[Point abc: a label, with a newline]\n"
                                 "\"StartTimestamp\",\"Interval_Length\","
                                 "\"Interval_Max\",\"Interval_Compressed_Histogram\"\n"));
    assert_non_null(strstr(text, "\nTag=abc/iteration/1,0.250000,1.500000,3000034.656255,HISTF"));
    assert_non_null(strstr(text, "\n2.000000,0.125000,0.000042,HISTF"));

    struct hlog_interval iv[2];
    struct hlog_reader r;
    char err[256] = "";
    assert_int_equal(read_all(text, iv, 2, err, sizeof err, &r), 2);
    assert_true(r.has_start_time && r.has_base_time);
    assert_true(r.start_time_s == 1700000000.5 && r.base_time_s == 1700000000.5);
    assert_string_equal(iv[0].tag, "abc/iteration/1");
    assert_true(iv[0].start_s == 0.25 && iv[0].length_s == 1.5);
    assert_int_equal(iv[0].line, 7);
    assert_same_counts(&iv[0].hist, &t.a);
    assert_null(iv[1].tag);
    assert_true(iv[1].start_s == 2.0 && iv[1].length_s == 0.125 && iv[1].max_scaled == 42e-6);
    assert_same_counts(&iv[1].hist, &t.b);
    for (int i = 0; i < 2; i++)
        hlog_interval_fini(&iv[i]);
    hdr_fini(&t.a);
    hdr_fini(&t.b);
    free(text);
}

static void test_tags(void **state)
{
    (void)state;
    assert_true(hlog_tag_ok("b2a3a2ca91f115d7/iteration/1"));
    assert_true(hlog_tag_ok("x=y;z%2C"));
    assert_false(hlog_tag_ok(""));
    assert_false(hlog_tag_ok(NULL));
    assert_false(hlog_tag_ok("a,b"));
    assert_false(hlog_tag_ok("a b"));
    assert_false(hlog_tag_ok("a\tb"));
    assert_false(hlog_tag_ok("a\nb"));

    /* A tag that would break the line is refused and nothing is written. */
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    errno = 0;
    assert_int_equal(hlog_write_interval(f, "a,b", 0, 1, &h), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(hlog_write_encoded(f, "ok", 0, 1, 0, NULL), -1);
    fclose(f);
    assert_int_equal(len, 0);
    free(text);
    hdr_fini(&h);

    /* run.hlog tags: point id, escaped histogram name, repetition from 1. */
    char *tag = run_hlog_tag("b2a3a2ca91f115d7", "iteration", 1);
    assert_string_equal(tag, "b2a3a2ca91f115d7/iteration/1");
    free(tag);
    tag = run_hlog_tag("7e31", "my hist,a/b%", 12);
    assert_string_equal(tag, "7e31/my%20hist%2Ca%2Fb%25/12");
    assert_true(hlog_tag_ok(tag));
    free(tag);
}

/* Each line of `text` up to `end` (NULL: all) is shorter than 128 bytes with its newline. */
static void assert_header_lines_fit(const char *text, const char *end)
{
    for (const char *p = text; *p && (!end || p < end);) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        if (nl - p + 1 > HLOG_HEADER_LINE_MAX)
            fail_msg("a header line of %d bytes: %.*s", (int)(nl - p + 1), (int)(nl - p), p);
        p = nl + 1;
    }
}

static void test_long_comments(void **state)
{
    (void)state;
    /* 3 x 100 characters, two bytes each in UTF-8 ("é"), with line breaks of
     * every kind Java's reader ends a line at. */
    char text[1024] = "[Point x: ";
    for (int i = 0; i < 100; i++)
        strcat(text, "\xc3\xa9");
    strcat(text, "\r|\xc2\x85|\xe2\x80\xa8|\xe2\x80\xa9|");
    for (int i = 0; i < 100; i++)
        strcat(text, "a\xc3\xa9");
    strcat(text, "]");
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    hlog_write_comment(f, text);
    hlog_write_comment(f, "[short]");
    fclose(f);
    assert_header_lines_fit(out, NULL);
    /* Cut into lines, never inside a character; continuation lines start "#+". */
    assert_true(strncmp(out, "#[Point x: \xc3\xa9", 13) == 0);
    int lines = 0;
    for (const char *p = out; (p = strchr(p, '\n')); p++) {
        lines++;
        if (p[1] && p[1] != '#')
            fail_msg("a line that is not a comment after line %d", lines);
        if (p[1] == '#' && (unsigned char)p[2] >= 0x80 && ((unsigned char)p[2] & 0xc0) == 0x80)
            fail_msg("a character cut at line %d", lines);
    }
    assert_int_equal(lines, 6);
    assert_non_null(strstr(out, "\n#+"));
    assert_null(strstr(out, "\xe2\x80\xa8"));
    assert_null(strstr(out, "\xc2\x85"));
    assert_non_null(strstr(out, "\n#[short]\n"));

    /* Joined again, the breaks made spaces; an interval line or a legend between
     * comments does not join. */
    size_t pos = 0;
    char *comment;
    assert_int_equal(hlog_next_comment(out, len, &pos, &comment), 1);
    char want[1024];
    snprintf(want, sizeof want, "%s", text);
    for (char *p = want; *p; p++) {
        if (*p == '\r')
            *p = ' ';
        if (strncmp(p, "\xc2\x85", 2) == 0 || strncmp(p, "\xe2\x80\xa8", 3) == 0 ||
            strncmp(p, "\xe2\x80\xa9", 3) == 0) {
            size_t n = (unsigned char)*p == 0xc2 ? 2 : 3;
            *p = ' ';
            memmove(p + 1, p + n, strlen(p + n) + 1);
        }
    }
    assert_string_equal(comment, want);
    free(comment);
    assert_int_equal(hlog_next_comment(out, len, &pos, &comment), 1);
    assert_string_equal(comment, "[short]");
    free(comment);
    assert_int_equal(hlog_next_comment(out, len, &pos, &comment), 0);
    free(out);

    const char *log = "#a\r\n#+b\n\"StartTimestamp\"\n#+c\n1,2,3,X\n#d\n#+e";
    pos = 0;
    const char *want_comments[] = {"ab", "+c", "de"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(hlog_next_comment(log, strlen(log), &pos, &comment), 1);
        assert_string_equal(comment, want_comments[i]);
        free(comment);
    }
    assert_int_equal(hlog_next_comment(log, strlen(log), &pos, &comment), 0);
}

static void test_comments_and_blank_lines_are_skipped(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    hdr_record_n(&h, 500, 4);
    char *b64 = hdr_encode_v2_base64(&h);
    char *text;
    assert_true(asprintf(&text, "# free text, with commas, and Tag=x,1,2,3\n\n"
                               "\"StartTimestamp\",\"Interval_Length\"\r\n"
                               "#[StartTime: 12.5 (seconds since epoch), whenever]\r\n"
                               "Tag=t,1.0,2.0,0.0005,%s\r\n   \n", b64) > 0);
    struct hlog_interval iv;
    struct hlog_reader r;
    char err[256] = "";
    assert_int_equal(read_all(text, &iv, 1, err, sizeof err, &r), 1);
    assert_true(r.has_start_time && r.start_time_s == 12.5 && !r.has_base_time);
    assert_string_equal(iv.tag, "t");
    assert_int_equal(iv.line, 5);
    assert_same_counts(&iv.hist, &h);
    hlog_interval_fini(&iv);
    free(text);
    free(b64);
    hdr_fini(&h);
}

/* `line` after a valid header: the read must fail with `want` in the message. */
static void assert_rejected(const char *line, const char *want)
{
    char *text;
    assert_true(asprintf(&text, "#[Histogram log format version 1.3]\n\"StartTimestamp\"\n%s\n",
                         line) > 0);
    struct hlog_interval iv[1];
    char err[512] = "";
    assert_int_equal(read_all(text, iv, 1, err, sizeof err, NULL), -1);
    if (!strstr(err, want))
        fail_msg("'%s' gave '%s', wanted '%s'", line, err, want);
    free(text);
}

static void test_malformed_lines_rejected(void **state)
{
    (void)state;
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    hdr_record(&h, 7);
    char *b64 = hdr_encode_v2_base64(&h);
    char line[4096];

    assert_rejected("1.0,2.0,3.0", "test.hlog:3: an interval line needs 4 comma-separated "
                                   "fields");
    snprintf(line, sizeof line, "1.0,2.0,3.0,%s,extra", b64);
    assert_rejected(line, "test.hlog:3: an interval line needs 4 comma-separated fields "
                          "(StartTimestamp, Interval_Length, Interval_Max, "
                          "Interval_Compressed_Histogram), found 5");
    snprintf(line, sizeof line, "one,2.0,3.0,%s", b64);
    assert_rejected(line, "test.hlog:3: StartTimestamp is not a number: 'one'");
    snprintf(line, sizeof line, "1.0,2.0x,3.0,%s", b64);
    assert_rejected(line, "test.hlog:3: Interval_Length is not a number: '2.0x'");
    snprintf(line, sizeof line, "1.0,2.0,nan,%s", b64);
    assert_rejected(line, "test.hlog:3: Interval_Max is not a number: 'nan'");
    snprintf(line, sizeof line, "1.0,-2.0,3.0,%s", b64);
    assert_rejected(line, "test.hlog:3: Interval_Length is negative");
    snprintf(line, sizeof line, "Tag=,1.0,2.0,3.0,%s", b64);
    assert_rejected(line, "test.hlog:3: the tag '' is empty");
    assert_rejected("Tag=abc", "test.hlog:3: Tag= is not followed by a comma");
    assert_rejected("#[StartTime: soon]", "test.hlog:3: #[StartTime: is not followed by a "
                                          "number");
    assert_rejected("#[BaseTime: ]", "test.hlog:3: #[BaseTime: is not followed by a number");

    /* Base64 garbage, a truncated histogram, another cookie: not a histogram. */
    assert_rejected("1.0,2.0,3.0,HISTF!!!", "test.hlog:3: Interval_Compressed_Histogram is "
                                            "not a base64 HdrHistogram compressed histogram (V0, V1 or V2)");
    assert_rejected("1.0,2.0,3.0,", "Interval_Compressed_Histogram is not a base64");
    snprintf(line, sizeof line, "1.0,2.0,3.0,%.*s", (int)strlen(b64) - 8, b64);
    assert_rejected(line, "Interval_Compressed_Histogram is not a base64");
    assert_rejected("1.0,2.0,3.0,AAAAAAAAAAAAAAAA", "Interval_Compressed_Histogram is not a "
                                                    "base64 HdrHistogram compressed histogram "
                                                    "(V0, V1 or V2)");
    /* A DoubleHistogram's encoding (conversion ratio 2): named, not called garbage. */
    uint8_t dbl[41] = {0x1c, 0x84, 0x93, 0x13, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3,
                       0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x10, 0,
                       0x40, 0, 0, 0, 0, 0, 0, 0, 0x02};
    char *dbl_b64 = b64_encode(dbl, sizeof dbl);
    snprintf(line, sizeof line, "1.0,2.0,3.0,%s", dbl_b64);
    assert_rejected(line, "test.hlog:3: Interval_Compressed_Histogram holds a histogram of "
                          "values that are not integers (a DoubleHistogram's) or one shifted by "
                          "a normalizing index offset: bhost reads neither");
    free(dbl_b64);

    /* CR alone ends no line: said, with the line it is on. */
    snprintf(line, sizeof line, "1.0,2.0,3.0,%s\r1.0,2.0,3.0,%s", b64, b64);
    assert_rejected(line, "test.hlog:3: a line ends with CR alone (old Mac OS line ends): an "
                          "interval log's lines end with LF or CRLF (tr '\\r' '\\n' converts "
                          "them)");
    char *cr_only;
    assert_true(asprintf(&cr_only, "#[Histogram log format version 1.3]\r\"StartTimestamp\"\r"
                                   "1.0,2.0,3.0,%s\r", b64) > 0);
    struct hlog_interval none[1];
    char cr_err[512] = "";
    assert_int_equal(read_all(cr_only, none, 1, cr_err, sizeof cr_err, NULL), -1);
    assert_non_null(strstr(cr_err, "test.hlog:1: a line ends with CR alone"));
    free(cr_only);

    /* The line number counts comments and blank lines. */
    char *text;
    assert_true(asprintf(&text, "#c\n\n1.0,2.0,3.0,%s\n#c\nbad\n", b64) > 0);
    struct hlog_interval iv[2];
    char err[512] = "";
    assert_int_equal(read_all(text, iv, 2, err, sizeof err, NULL), -1);
    assert_non_null(strstr(err, "test.hlog:5: an interval line needs 4"));
    hlog_interval_fini(&iv[0]);
    free(text);
    free(b64);
    hdr_fini(&h);
}

/* --- run.hlog from a results document ---------------------------------------- */

static char *temp_dir(void)
{
    char *dir = strdup("/tmp/test_hlog-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static json_t *rep_json(const struct hdr *h, double started, double wall)
{
    struct hdr_summary s;
    hdr_summarize(h, &s);
    char *b64 = hdr_encode_v2_base64(h);
    json_t *o = json_pack("{s:I, s:I, s:s, s:f}", "count", (json_int_t)s.count, "max",
                          (json_int_t)s.max, "hdr", b64, "wall_s", wall);
    if (started > 0)
        json_object_set_new(o, "started_unix_s", json_real(started));
    free(b64);
    return o;
}

/* The text of a file, NUL-terminated (owned). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char text[1 << 16];
    size_t len = fread(text, 1, sizeof text - 1, f);
    text[len] = '\0';
    fclose(f);
    return strdup(text);
}

static void test_run_hlog_from_results(void **state)
{
    (void)state;
    static const int64_t v1[] = {100, 200}, c1[] = {5, 5};
    static const int64_t v2[] = {3000}, c2[] = {2};
    struct hdr h1, h2;
    make_hist(&h1, v1, c1, 2);
    make_hist(&h2, v2, c2, 1);
    /* 2026-11-22T08:45:16Z is 1795337116 s since the epoch. */
    json_t *reps_a = json_pack("[o, o]", rep_json(&h1, 1795337116.5, 0.25),
                               rep_json(&h2, 1795337117.0, 0.5));
    json_t *reps_b = json_pack("[o, o]", rep_json(&h2, 1795337116.5, 0.25),
                               rep_json(&h1, 1795337117.0, 0.5));
    /* An older results file: no started_unix_s, placed after what came before;
     * a repetition without a histogram is left out, and said so in the header. */
    json_t *reps_c = json_pack("[o, {s:I}]", rep_json(&h1, 0, 0.125), "count", (json_int_t)0);
    /* A long label, in UTF-8, and a long histogram name of values that are not times. */
    char label[400] = "ddd[text=a b, c=[d] ";
    for (int i = 0; i < 60; i++)
        strcat(label, "\xc3\xa9=x ");
    strcat(label, "]");
    char long_name[200] = "";
    for (int i = 0; i < 12; i++)
        strcat(long_name, "lengths, ");
    json_t *reps_d = json_pack("[o]", rep_json(&h2, 1795337118.0, 0.25));
    json_t *doc = json_pack(
        "{s:{s:s}, s:{s:s}, s:[{s:s, s:s, s:{s:{s:o}, s:{s:o}}}, {s:s, s:s, s:{}},"
        " {s:s, s:s, s:{s:{s:o}}}, {s:s, s:s, s:{s:{s:s, s:o}}}]}",
        "bhost", "version", "9.9", "run", "started_utc", "2026-11-22T08:45:16Z", "points",
        "id", "aaaa", "label", "spin[ns=1,\nx]", "histograms", "iteration", "repetitions",
        reps_a, "my hist", "repetitions", reps_b, "id", "bbbb", "label", "failed one",
        "histograms", "id", "cccc", "label", "old", "histograms", "iteration", "repetitions",
        reps_c, "id", "dddd", "label", label, "histograms", long_name, "unit", "probes",
        "repetitions", reps_d);
    assert_non_null(doc);
    char *dir = temp_dir(), path[512], err[256] = "";
    snprintf(path, sizeof path, "%s/run.hlog", dir);
    assert_int_equal(run_hlog_write(doc, path, err, sizeof err), 0);
    char *text = slurp(path);

    /* The header: who, the format, the times, the tags' and units' meaning, a
     * Unit line, one Point line per point, what was left out, then the legend. */
    const char *order[] = {
        "#[Logged with bhost 9.9]\n#[Histogram log format version 1.3]\n",
        "#[StartTime: 1795337116.000 (seconds since epoch), Sun Nov 22 08:45:16 UTC 2026]\n"
        "#[BaseTime: 1795337116.000 (seconds since epoch)]\n",
        "#[One interval per point, histogram and repetition: Tag=<point id>/<histogram>/"
        "<repetition>]\n",
        "\n#[Unit dddd/lengths%2C%20lengths%2C%20",
        "\n#[Point aaaa: spin[ns=1,?x]]\n#[Point bbbb: failed one]\n#[Point cccc: old]\n"
        "#[Left out: cccc/iteration/2, the results hold no histogram for it]\n#[Point dddd: ddd[",
        "\n\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n"
        "Tag=aaaa/iteration/1,0.500000,0.250000,0.000200,HISTF",
        /* Repetition-major within a point, so starts rise. */
        "\nTag=aaaa/my%20hist/1,0.500000,0.250000,0.003001,HISTF",
        "\nTag=aaaa/iteration/2,1.000000,0.500000,0.003001,HISTF",
        "\nTag=aaaa/my%20hist/2,1.000000,0.500000,0.000200,HISTF",
        "\nTag=cccc/iteration/1,1.500000,0.125000,",
        "\nTag=dddd/lengths%2C%20"};
    const char *at = text;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *found = strstr(at, order[i]);
        if (!found)
            fail_msg("'%s' missing or out of order in:\n%s", order[i], text);
        at = found + 1;
    }
    /* What HdrHistogram_c's reader needs: header lines under 128 bytes, and
     * after the legend intervals only. */
    const char *legend = strstr(text, "\"StartTimestamp\"");
    assert_header_lines_fit(text, legend);
    for (const char *p = strchr(legend, '\n'); p && p[1]; p = strchr(p + 1, '\n'))
        if (strncmp(p + 1, "Tag=", 4) != 0)
            fail_msg("not an interval after the legend: %.60s", p + 1);
    /* The long label and Unit line are whole again when joined. */
    size_t pos = 0;
    char *comment, *want_point, *want_unit, *escaped = run_hlog_tag("dddd", long_name, 1);
    *strrchr(escaped, '/') = '\0';
    assert_true(asprintf(&want_point, "[Point dddd: %s]", label) > 0);
    assert_true(asprintf(&want_unit, "[Unit %s probes]", escaped) > 0);
    int points = 0, units = 0;
    while (hlog_next_comment(text, strlen(text), &pos, &comment)) {
        points += strcmp(comment, want_point) == 0;
        units += strcmp(comment, want_unit) == 0;
        free(comment);
    }
    assert_int_equal(points, 1);
    assert_int_equal(units, 1);

    /* What was written reads back to the same histograms. */
    struct hlog_interval iv[6];
    assert_int_equal(read_all(text, iv, 6, err, sizeof err, NULL), 6);
    assert_same_counts(&iv[0].hist, &h1);
    assert_same_counts(&iv[1].hist, &h2);
    assert_same_counts(&iv[4].hist, &h1);
    assert_same_counts(&iv[5].hist, &h2);
    for (int i = 0; i < 6; i++)
        hlog_interval_fini(&iv[i]);

    /* bhost hdr finds the unit of the long-named histogram across its lines. */
    char *tag;
    assert_true(asprintf(&tag, "%s/1", escaped) > 0);
    struct proc p;
    e2e_run(&p, (const char *[]){"hdr", path, "--tag", tag, "--summary", NULL});
    assert_int_equal(p.rc, 0);
    assert_non_null(strstr(p.out, " intervals=1 unit=probes count=2 "));
    e2e_proc_free(&p);
    free(tag);
    free(want_point);
    free(want_unit);
    free(escaped);
    free(text);

    /* Written atomically: no temporary file is left. */
    snprintf(path, sizeof path, "rm -f %s/run.hlog && rmdir %s", dir, dir);
    assert_int_equal(system(path), 0);

    /* An unwritable path fails with the reason. */
    assert_int_equal(run_hlog_write(doc, "/nonexistent-dir/run.hlog", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent-dir/run.hlog: cannot write the interval log"));
    json_decref(doc);
    free(dir);
    hdr_fini(&h1);
    hdr_fini(&h2);
}

/* --- the percentile-distribution text ----------------------------------------- */

static void test_java_fixed_rounds_like_java(void **state)
{
    (void)state;
    char buf[64];
    /* Half up on the shortest decimal form, where C's printf gives 0.12 and 2.562. */
    hdr_text_java_fixed(buf, sizeof buf, 0.125, 1, 2);
    assert_string_equal(buf, "0.13");
    hdr_text_java_fixed(buf, sizeof buf, 2.5625, 12, 3);
    assert_string_equal(buf, "       2.563");
    /* 1.005 is a little below 1.005 in binary: Java still rounds it up. */
    hdr_text_java_fixed(buf, sizeof buf, 1.005, 1, 2);
    assert_string_equal(buf, "1.01");
    hdr_text_java_fixed(buf, sizeof buf, 9.9996, 1, 3);
    assert_string_equal(buf, "10.000");
    hdr_text_java_fixed(buf, sizeof buf, 0.0, 12, 3);
    assert_string_equal(buf, "       0.000");
    hdr_text_java_fixed(buf, sizeof buf, 0.5, 2, 12);
    assert_string_equal(buf, "0.500000000000");
    hdr_text_java_fixed(buf, sizeof buf, 1e-9, 1, 3);
    assert_string_equal(buf, "0.000");
    hdr_text_java_fixed(buf, sizeof buf, -1.5, 1, 0);
    assert_string_equal(buf, "-2");
    hdr_text_java_fixed(buf, sizeof buf, 123456789012.0, 1, 1);
    assert_string_equal(buf, "123456789012.0");
}

static void test_percentile_text(void **state)
{
    (void)state;
    /* 1..10 once each: Java's outputPercentileDistribution(System.out, 5, 1.0). */
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    for (int64_t v = 1; v <= 10; v++)
        hdr_record(&h, v);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    hdr_text_percentiles(f, &h, 5, 1.0);
    fclose(f);
    assert_string_equal(text,
        "       Value     Percentile TotalCount 1/(1-Percentile)\n"
        "\n"
        "       1.000 0.000000000000          1           1.00\n"
        "       1.000 0.100000000000          1           1.11\n"
        "       2.000 0.200000000000          2           1.25\n"
        "       3.000 0.300000000000          3           1.43\n"
        "       4.000 0.400000000000          4           1.67\n"
        "       5.000 0.500000000000          5           2.00\n"
        "       6.000 0.550000000000          6           2.22\n"
        "       6.000 0.600000000000          6           2.50\n"
        "       7.000 0.650000000000          7           2.86\n"
        "       7.000 0.700000000000          7           3.33\n"
        "       8.000 0.750000000000          8           4.00\n"
        "       8.000 0.775000000000          8           4.44\n"
        "       8.000 0.800000000000          8           5.00\n"
        "       9.000 0.825000000000          9           5.71\n"
        "       9.000 0.850000000000          9           6.67\n"
        "       9.000 0.875000000000          9           8.00\n"
        "       9.000 0.887500000000          9           8.89\n"
        "       9.000 0.900000000000          9          10.00\n"
        "      10.000 0.912500000000         10          11.43\n"
        "      10.000 1.000000000000         10\n"
        "#[Mean    =        5.500, StdDeviation   =        2.872]\n"
        "#[Max     =       10.000, Total count    =           10]\n"
        "#[Buckets =           32, SubBuckets     =         2048]\n");
    free(text);

    /* Empty: the header and a footer of zeros, as Java prints it. */
    hdr_reset(&h);
    text = NULL;
    f = open_memstream(&text, &len);
    hdr_text_percentiles(f, &h, 5, 1e6);
    fclose(f);
    assert_string_equal(text,
        "       Value     Percentile TotalCount 1/(1-Percentile)\n"
        "\n"
        "#[Mean    =        0.000, StdDeviation   =        0.000]\n"
        "#[Max     =        0.000, Total count    =            0]\n"
        "#[Buckets =           32, SubBuckets     =         2048]\n");
    free(text);
    hdr_fini(&h);

    /* Only bucket 0 of a histogram from 1000 (unit magnitude 9): Java's Max is
     * that bucket's top, 511, as every row's value is. */
    assert_int_equal(hdr_init(&h, 1000, INT64_C(3600000000000), 3), 0);
    hdr_record(&h, 5);
    hdr_record(&h, 300);
    text = NULL;
    f = open_memstream(&text, &len);
    hdr_text_percentiles(f, &h, 5, 1.0);
    fclose(f);
    assert_string_equal(text,
        "       Value     Percentile TotalCount 1/(1-Percentile)\n"
        "\n"
        "     511.000 0.000000000000          2           1.00\n"
        "     511.000 1.000000000000          2\n"
        "#[Mean    =      256.000, StdDeviation   =        0.000]\n"
        "#[Max     =      511.000, Total count    =            2]\n"
        "#[Buckets =           23, SubBuckets     =         2048]\n");
    free(text);
    hdr_fini(&h);
}

/* Lines in `text`, and whether it ends with `tail`. */
static size_t count_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; (p = strchr(p, '\n')); p++)
        n++;
    return n;
}

static int ends_with(const char *text, const char *tail)
{
    size_t n = strlen(text), m = strlen(tail);
    return n >= m && strcmp(text + n - m, tail) == 0;
}

static void test_percentile_text_near_100_terminates(void **state)
{
    (void)state;
    /* Above ~1.4e16 counts the running percentile rounds to 100 while counts
       remain, and near 100% a tick no longer moves the level: the rows must
       still end, with the 100% row at the last value. */
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    hdr_record_n(&h, 1, INT64_C(100000000000000000));
    hdr_record_n(&h, 1000, 1);
    for (int ticks = 1; ticks <= 1000; ticks *= 10) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        assert_non_null(f);
        hdr_text_percentiles(f, &h, ticks, 1.0);
        assert_int_equal(fclose(f), 0);
        /* At most one row per tick for each of the ~53 halvings a double allows. */
        if (count_lines(text) > 5 + 60 * (size_t)ticks)
            fail_msg("%zu lines with %d ticks", count_lines(text), ticks);
        assert_true(ends_with(text,
            "    1000.000 1.000000000000 100000000000000001\n"
            "#[Mean    =        1.000, StdDeviation   =        0.000]\n"
            "#[Max     =     1000.000, Total count    = 100000000000000001]\n"
            "#[Buckets =           32, SubBuckets     =         2048]\n"));
        /* One 100% row (the only one without 1/(1-Percentile)). */
        assert_non_null(strstr(text, "       1.000 0.999"));
        assert_null(strstr(text, " 100000000000000000\n"));
        free(text);
    }
    hdr_fini(&h);
}

/* --- bhost hdr ---------------------------------------------------------------------- */

/* `cat file | bhost hdr ARGS 2>&1`: its exit code and output (owned). The e2e
   runner gives bhost /dev/null for stdin, so this goes through a shell. */
static int run_piped(const char *file, const char *args, char **out)
{
    char *cmd;
    assert_true(asprintf(&cmd, "cat '%s' | '%s' hdr %s 2>&1", file, BHOST_EXE, args) > 0);
    fflush(NULL);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += got;
        if (cap - len < 2) {
            buf = realloc(buf, cap *= 2);
            assert_non_null(buf);
        }
    }
    buf[len] = '\0';
    int status = pclose(p);
    free(cmd);
    *out = buf;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void test_hdr_command(void **state)
{
    (void)state;
    char *dir = e2e_dir("hdr");
    struct hdr h;
    assert_int_equal(hdr_init_bhost(&h), 0);
    for (int64_t v = 1; v <= 10; v++)
        hdr_record(&h, v);
    char *b64 = hdr_encode_v2_base64(&h);
    char *text;
    assert_true(asprintf(&text, "#[StartTime: 5]\nTag=p/iteration/1,0,1,0,%s\n"
                               "Tag=p/iteration/2,1,1,0,%s\nTag=q/x/1,2,1,0,%s\n", b64, b64,
                         b64) > 0);
    char *good = e2e_write(dir, "good.hlog", text);
    free(text);

    /* --tag selects a tag and the tags below it, merged. */
    struct proc p;
    e2e_run(&p, (const char *[]){"hdr", good, "--tag", "p", "--summary", NULL});
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.out, "tag=p intervals=2 count=20 min=1 max=10 mean=5.5 p50=5 p90=9 "
                               "p99=10 p99.9=10\n");
    e2e_proc_free(&p);
    /* Without it, one table per tag, headed. */
    e2e_run(&p, (const char *[]){"hdr", good, NULL});
    assert_int_equal(p.rc, 0);
    assert_non_null(strstr(p.out, "#[Tag: p/iteration/1, intervals: 1]\n       Value"));
    assert_non_null(strstr(p.out, "\n\n#[Tag: q/x/1, intervals: 1]\n"));
    assert_non_null(strstr(p.out, "#[Max     =       10.000, Total count    =           10]"));
    e2e_proc_free(&p);
    /* --unit-ratio divides the values. */
    e2e_run(&p, (const char *[]){"hdr", good, "--tag", "q/x/1", "--unit-ratio", "4", NULL});
    assert_int_equal(p.rc, 0);
    assert_non_null(strstr(p.out, "\n       2.500 1.000000000000         10\n"));
    e2e_proc_free(&p);

    /* Bad input: file, line and what is wrong, exit 2. */
    char *bad = e2e_write(dir, "bad.hlog", "#c\n\n1,2,3,AAAA\n");
    e2e_run(&p, (const char *[]){"hdr", bad, NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "bad.hlog:3: Interval_Compressed_Histogram is not a base64"));
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"hdr", good, "--tag", "pp", NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "no interval is tagged 'pp' or 'pp/...' (tags: "
                                  "p/iteration/1, p/iteration/2, q/x/1)"));
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"hdr", good, "--unit-ratio", "0", NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "--unit-ratio needs a positive number"));
    e2e_proc_free(&p);
    char *empty = e2e_write(dir, "empty.hlog", "#[Histogram log format version 1.3]\n");
    e2e_run(&p, (const char *[]){"hdr", empty, NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "empty.hlog: holds no interval lines"));
    e2e_proc_free(&p);
    char *json = e2e_write(dir, "results.json", "{\"schema\": \"bhost.result/1\",\n"
                                                "\"points\": [}");
    e2e_run(&p, (const char *[]){"hdr", json, "--point", "x", NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "results.json:2:"));
    assert_non_null(strstr(p.err, "not valid JSON"));
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"hdr", json, NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "name a point with --point"));
    e2e_proc_free(&p);
    /* A point without an id and with a numeric label: refused, not printed as (null). */
    char *damaged = e2e_write(dir, "damaged.json",
                              "{\"schema\": \"bhost.result/1\", \"run\": {}, \"spec\": {},"
                              " \"environment\": {}, \"instruments\": [],"
                              " \"points\": [{\"label\": 5}]}\n");
    e2e_run(&p, (const char *[]){"hdr", damaged, "--point", "x", NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "bhost hdr: "));
    assert_non_null(strstr(p.err, "damaged.json: not a bhost results file: point (no id): "));
    assert_null(strstr(p.err, "(null)"));
    assert_string_equal(p.out, "");
    e2e_proc_free(&p);

    /* Standard input, a pipe: "-" or /dev/stdin, a log or a results file. */
    char *out = NULL;
    int rc = run_piped(good, "- --tag p --summary", &out);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "tag=p intervals=2 count=20 min=1 max=10 mean=5.5 p50=5 p90=9 "
                             "p99=10 p99.9=10\n");
    free(out);
    rc = run_piped(good, "/dev/stdin --tag q", &out);
    assert_int_equal(rc, 0);
    assert_true(ends_with(out, "#[Buckets =           32, SubBuckets     =         2048]\n"));
    free(out);
    rc = run_piped(bad, "-", &out);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "bhost hdr: stdin:3: Interval_Compressed_Histogram is not"));
    free(out);
    rc = run_piped(damaged, "- --point x", &out);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "bhost hdr: stdin: not a bhost results file: point (no id)"));
    free(out);

    /* A file whose lines end with CR alone: its line ends named. */
    char *cr = e2e_write(dir, "cr.hlog", "#[Histogram log format version 1.3]\r"
                                         "\"StartTimestamp\",\"Interval_Length\"\r");
    e2e_run(&p, (const char *[]){"hdr", cr, NULL});
    assert_int_equal(p.rc, 2);
    assert_non_null(strstr(p.err, "cr.hlog:1: a line ends with CR alone (old Mac OS line ends)"));
    assert_null(strstr(p.err, "holds no interval lines"));
    e2e_proc_free(&p);
    free(cr);

    /* Bucket 0 only, from 1000: Max is its top (511), for one interval or an
     * empty one, as HistogramLogProcessor prints (tests/interop checks it). */
    struct hdr from_1000;
    assert_int_equal(hdr_init(&from_1000, 1000, INT64_C(3600000000000), 3), 0);
    char *empty_b64 = hdr_encode_v2_base64(&from_1000);
    hdr_record(&from_1000, 5);
    hdr_record(&from_1000, 300);
    char *zero_b64 = hdr_encode_v2_base64(&from_1000);
    assert_true(asprintf(&text, "Tag=zero,0,1,0,%s\nTag=empty,0,1,0,%s\n", zero_b64,
                         empty_b64) > 0);
    char *zero = e2e_write(dir, "zero.hlog", text);
    free(text);
    e2e_run(&p, (const char *[]){"hdr", zero, "--tag", "zero", NULL});
    assert_int_equal(p.rc, 0);
    assert_non_null(strstr(p.out, "\n#[Max     =      511.000, Total count    =            2]\n"));
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"hdr", zero, "--tag", "empty", NULL});
    assert_int_equal(p.rc, 0);
    assert_non_null(strstr(p.out, "\n#[Max     =      511.000, Total count    =            0]\n"));
    e2e_proc_free(&p);
    free(zero);
    free(zero_b64);
    free(empty_b64);
    hdr_fini(&from_1000);

    /* Logs of older HdrHistogram versions: V0 (jHiccup 2.0.1, log format 1.01)
     * and V1 (jHiccup 2.0.6, 1.1), untagged. */
    e2e_run(&p, (const char *[]){"hdr", BHOST_INTEROP_DIR "/data/jHiccup-2.0.1.logV0.hlog",
                                 "--summary", NULL});
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.out, "tag=- intervals=81 count=61256 min=0 max=1577058303 "
                               "mean=33138446.610421836 p50=393215 p90=409599 p99=1107296255 "
                               "p99.9=1518338047\n");
    e2e_proc_free(&p);
    e2e_run(&p, (const char *[]){"hdr", BHOST_INTEROP_DIR "/data/jHiccup-2.0.6.logV1.hlog",
                                 NULL});
    assert_int_equal(p.rc, 0);
    assert_true(strncmp(p.out, "#[Untagged, intervals: 88]\n       Value     Percentile", 53) == 0);
    assert_non_null(strstr(p.out, "\n#[Max     = 1895825407.00, Total count    =        65964]\n"));
    e2e_proc_free(&p);

    free(good);
    free(bad);
    free(empty);
    free(json);
    free(damaged);
    free(b64);
    hdr_fini(&h);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_long_comments),
        cmocka_unit_test(test_comments_and_blank_lines_are_skipped),
        cmocka_unit_test(test_malformed_lines_rejected),
        cmocka_unit_test(test_run_hlog_from_results),
        cmocka_unit_test(test_java_fixed_rounds_like_java),
        cmocka_unit_test(test_percentile_text),
        cmocka_unit_test(test_percentile_text_near_100_terminates),
        cmocka_unit_test(test_hdr_command),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    e2e_cleanup(NULL);
    return failed;
}
