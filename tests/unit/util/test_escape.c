/*
 * test_escape.c — each format's escaping on the strings a hostile results
 * file could hold: markup, separators, line ends, controls, bytes that are
 * not UTF-8, and characters XML forbids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/escape.h"
#include "util/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one escaping function writes for s. */
static char *escaped(void (*escape)(FILE *, const char *), const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    escape(f, s);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void expect(void (*escape)(FILE *, const char *), const char *in, const char *want)
{
    char *got = escaped(escape, in);
    if (strcmp(got, want) != 0)
        fail_msg("escaping \"%s\": got \"%s\", want \"%s\"", in, got, want);
    free(got);
}

#define FFFD "\xEF\xBF\xBD"

static void html_references_markup_and_quotes(void **state)
{
    (void)state;
    expect(escape_html, "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(escape_html, "\"><img src=x onerror='x'>",
           "&quot;&gt;&lt;img src=x onerror=&#39;x&#39;&gt;");
    expect(escape_html, "a & b", "a &amp; b");
    expect(escape_html, "tab\tline\nbell\a", "tab\tline\nbell" FFFD);
    expect(escape_html, "caf\xC3\xA9 \xFF\xFE ok", "caf\xC3\xA9 " FFFD FFFD " ok");
    /* An overlong '<' is not UTF-8: it must not pass as one. */
    expect(escape_html, "\xC0\xBC", FFFD FFFD);
}

static void xml_refuses_what_xml_forbids(void **state)
{
    (void)state;
    expect(escape_xml, "<a b=\"c\">&'", "&lt;a b=&quot;c&quot;&gt;&amp;&#39;");
    expect(escape_xml, "nul\x01vt\x0b", "nul" FFFD "vt" FFFD);
    expect(escape_xml, "cr\r\nlf", "cr&#13;\nlf");
    expect(escape_xml, "\xEF\xBF\xBE\xEF\xBF\xBF", FFFD FFFD);
    expect(escape_xml, "\xED\xA0\x80", FFFD FFFD FFFD); /* a surrogate is not UTF-8 */
    /* In an attribute a parser reads tab and newline as spaces: kept as references. */
    expect(escape_xml_attr, "a\tb\nc\r\"d\"\x01", "a&#9;b&#10;c&#13;&quot;d&quot;" FFFD);
    expect(escape_xml, "a\tb\nc", "a\tb\nc");
}

static void markdown_keeps_a_cell_one_cell_of_text(void **state)
{
    (void)state;
    expect(escape_markdown, "a|b", "a\\|b");
    expect(escape_markdown, "line1\nline2\r\nline3", "line1<br>line2<br>line3");
    expect(escape_markdown, "<b>x</b> & [link](http://e)",
           "&lt;b&gt;x&lt;/b&gt; &amp; \\[link\\](http://e)");
    expect(escape_markdown, "*em* _u_ `code` ~s~ \\", "\\*em\\* \\_u\\_ \\`code\\` \\~s\\~ \\\\");
    expect(escape_markdown, "p99 1.5 ms (ok)", "p99 1.5 ms (ok)");
}

static void csv_quotes_when_needed_and_defuses_formulas(void **state)
{
    (void)state;
    expect(escape_csv, "plain", "plain");
    expect(escape_csv, "a,b", "\"a,b\"");
    expect(escape_csv, "say \"hi\"", "\"say \"\"hi\"\"\"");
    expect(escape_csv, "two\nlines", "\"two\nlines\"");
    expect(escape_csv, " padded", "\" padded\"");
    expect(escape_csv, "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"");
    expect(escape_csv, "@SUM(A1)", "\"'@SUM(A1)\"");
    expect(escape_csv, "", "");
    expect(escape_csv, "bad\xFF", "bad" FFFD);
}

/* A cut at a byte count never leaves a character in pieces (a results file's names and
 * reasons go into fixed-size cells and messages). */
static void utf8_prefix_cuts_between_characters(void **state)
{
    (void)state;
    const char *s = "ab\xef\xbf\xbd\xc3\xa9z"; /* a b U+FFFD é z */
    assert_int_equal(utf8_prefix(s, 0), 0);
    assert_int_equal(utf8_prefix(s, 2), 2);
    assert_int_equal(utf8_prefix(s, 3), 2);
    assert_int_equal(utf8_prefix(s, 4), 2);
    assert_int_equal(utf8_prefix(s, 5), 5);
    assert_int_equal(utf8_prefix(s, 6), 5);
    assert_int_equal(utf8_prefix(s, 7), 7);
    assert_int_equal(utf8_prefix(s, 100), 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(html_references_markup_and_quotes),
        cmocka_unit_test(xml_refuses_what_xml_forbids),
        cmocka_unit_test(markdown_keeps_a_cell_one_cell_of_text),
        cmocka_unit_test(csv_quotes_when_needed_and_defuses_formulas),
        cmocka_unit_test(utf8_prefix_cuts_between_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
