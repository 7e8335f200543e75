/*
 * test_param.c — parameter declarations as the loader checks them, value
 * parsing and canonical text, and the UTF-8 helpers that keep plugin text
 * out of JSON unless it is valid.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plugin/param.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>

static char err[1024];

/* pdef_from_plugin's verdict on `p`: NULL if accepted, else its message. */
static const char *declare(const struct bhost_param *p)
{
    struct pdef d;
    err[0] = '\0';
    int rc = pdef_from_plugin(&d, p, err, sizeof err);
    pdef_free(&d);
    return rc == 0 ? NULL : err;
}

static void good_declarations_are_accepted(void **state)
{
    (void)state;
    static const char *const modes[] = {"a", "b", NULL};
    const struct bhost_param ok[] = {
        {.name = "n", .type = BHOST_INT, .def = "5", .min = "1", .max = "9"},
        {.name = "x2", .type = BHOST_FLOAT, .def = "0.5", .min = "0", .max = "1"},
        {.name = "on", .type = BHOST_BOOL, .def = "yes"},
        {.name = "label", .type = BHOST_STRING, .def = "é ü"},
        {.name = "mode", .type = BHOST_ENUM, .def = "b", .choices = modes},
        {.name = "must", .type = BHOST_INT}, /* no default: required */
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (declare(&ok[i]))
            fail_msg("%s refused: %s", ok[i].name, err);
}

static void bad_declarations_are_refused_with_the_reason(void **state)
{
    (void)state;
    static const char *const empty[] = {NULL};
    static const char *const dup[] = {"a", "b", "a", NULL};
    static const char *const blank[] = {"a", "", NULL};
    static const struct {
        struct bhost_param p;
        const char *message;
    } cases[] = {
        {{.name = "Bad", .type = BHOST_INT}, "parameter name 'Bad' is not [a-z][a-z0-9_]*"},
        {{.name = "seed", .type = BHOST_INT},
         "parameter name 'seed' is reserved for spec settings; rename it"},
        {{.name = "repetitions", .type = BHOST_INT},
         "parameter name 'repetitions' is reserved for spec settings; rename it"},
        {{.name = "n", .type = BHOST_INT, .flags = 4},
         "parameter 'n' sets reserved flags 0x4; they must be 0"},
        {{.name = "n", .type = 9}, "parameter 'n' has unknown type 9"},
        {{.name = "n", .type = BHOST_STRING, .doc = "bad \xff byte"},
         "parameter 'n' has text that is not UTF-8"},
        {{.name = "m", .type = BHOST_ENUM, .choices = empty}, "enum parameter 'm' has no choices"},
        {{.name = "m", .type = BHOST_ENUM, .choices = dup},
         "enum parameter 'm' lists choice 'a' twice"},
        {{.name = "m", .type = BHOST_ENUM, .choices = blank},
         "enum parameter 'm' has an empty or non-UTF-8 choice"},
        {{.name = "n", .type = BHOST_BOOL, .min = "0"},
         "parameter 'n': min/max only apply to int and float"},
        {{.name = "n", .type = BHOST_INT, .min = "9", .max = "1"},
         "parameter 'n' has min 9 above max 1"},
        {{.name = "n", .type = BHOST_INT, .max = "ten"}, "parameter 'n': max 'ten' is not a valid int"},
        {{.name = "n", .type = BHOST_INT, .def = "12", .max = "10"},
         "default of parameter 'n' does not validate: n = 12 is out of range: expected <= 10"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = declare(&cases[i].p);
        if (!got)
            fail_msg("case %zu was accepted", i);
        if (strcmp(got, cases[i].message) != 0)
            fail_msg("case %zu:\n got: %s\nwant: %s", i, got, cases[i].message);
    }
}

static void values_have_one_canonical_text(void **state)
{
    (void)state;
    static const char *const modes[] = {"wal", "delete", NULL};
    struct bhost_param decl[] = {
        {.name = "f", .type = BHOST_FLOAT, .def = "0"},
        {.name = "i", .type = BHOST_INT, .def = "0"},
        {.name = "b", .type = BHOST_BOOL, .def = "false"},
        {.name = "e", .type = BHOST_ENUM, .def = "wal", .choices = modes},
    };
    static const struct {
        int decl;
        const char *in, *canonical;
    } cases[] = {
        {0, "0.1", "0.1"},   {0, "1e-1", "0.1"},  {0, "1e6", "1e+06"}, {0, "-2.50", "-2.5"},
        {1, "0x10", "16"},   {1, "010", "10"},    {1, "-7", "-7"},     {2, "On", "true"},
        {2, "0", "false"},   {3, "delete", "delete"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pdef d;
        assert_int_equal(pdef_from_plugin(&d, &decl[cases[i].decl], err, sizeof err), 0);
        struct pvalue v;
        if (param_parse(&d, cases[i].in, &v, err, sizeof err) != 0)
            fail_msg("'%s' refused: %s", cases[i].in, err);
        char *text = pvalue_text(&v);
        if (strcmp(text, cases[i].canonical) != 0)
            fail_msg("'%s' reads as '%s', want '%s'", cases[i].in, text, cases[i].canonical);
        free(text);
        pvalue_free(&v);
        pdef_free(&d);
    }
}

static void utf8_is_checked_and_mended(void **state)
{
    (void)state;
    assert_true(utf8_valid("plain"));
    assert_true(utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80")); /* é € 😀 */
    assert_false(utf8_valid("\xff"));
    assert_false(utf8_valid("\xc0\xaf"));         /* overlong '/' */
    assert_false(utf8_valid("\xed\xa0\x80"));     /* a surrogate */
    assert_false(utf8_valid("\xf4\x90\x80\x80")); /* past U+10FFFF */
    assert_false(utf8_valid("\xe2\x82"));         /* cut short */
    char s[] = "a\xffz\xc3\xa9";
    assert_string_equal(utf8_sanitize(s), "a?z\xc3\xa9");
}

static void names_join_within_their_buffer(void **state)
{
    (void)state;
    const char *names[] = {"alpha", "beta", "gamma"};
    char buf[64], tiny[8];
    join_names(buf, sizeof buf, names, 3);
    assert_string_equal(buf, "alpha, beta, gamma");
    join_names(tiny, sizeof tiny, names, 3);
    assert_string_equal(tiny, "alpha, ");
    join_names(buf, sizeof buf, names, 0);
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_declarations_are_accepted),
        cmocka_unit_test(bad_declarations_are_refused_with_the_reason),
        cmocka_unit_test(values_have_one_canonical_text),
        cmocka_unit_test(utf8_is_checked_and_mended),
        cmocka_unit_test(names_join_within_their_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
