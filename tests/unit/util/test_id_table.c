/*
 * test_id_table.c — the id table a resume matches its journal with: every
 * key found with its value after the table grew, absent keys not found,
 * keys given by length (not NUL-terminated), and a put that replaces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/id_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NKEYS 5000

static void test_finds_every_key(void **state)
{
    (void)state;
    static char keys[NKEYS][20];
    struct id_table t;
    id_table_init(&t);
    for (size_t i = 0; i < NKEYS; i++) {
        snprintf(keys[i], sizeof keys[i], "%016zx", i * 2654435761u);
        id_table_put(&t, keys[i], i);
    }
    assert_int_equal(t.n, NKEYS);
    assert_true(t.cap >= 2 * NKEYS);
    for (size_t i = 0; i < NKEYS; i++) {
        size_t v = SIZE_MAX;
        assert_int_equal(id_table_get(&t, keys[i], strlen(keys[i]), &v), 1);
        assert_int_equal(v, i);
    }
    size_t v;
    assert_int_equal(id_table_get(&t, "not-a-key", 9, &v), 0);
    assert_int_equal(id_table_get(&t, "", 0, &v), 0);
    id_table_free(&t);
}

static void test_key_by_length(void **state)
{
    (void)state;
    struct id_table t;
    id_table_init(&t);
    id_table_put(&t, "abc", 1);
    id_table_put(&t, "abcd", 2);
    size_t v = 0;
    /* A key inside a longer text, as a journal line holds it. */
    assert_int_equal(id_table_get(&t, "abcdef", 3, &v), 1);
    assert_int_equal(v, 1);
    assert_int_equal(id_table_get(&t, "abcdef", 4, &v), 1);
    assert_int_equal(v, 2);
    assert_int_equal(id_table_get(&t, "abcdef", 5, &v), 0);
    assert_int_equal(id_table_get(&t, "ab", 2, &v), 0);
    id_table_free(&t);
}

static void test_put_replaces(void **state)
{
    (void)state;
    struct id_table t;
    id_table_init(&t);
    size_t v = 0;
    assert_int_equal(id_table_get(&t, "x", 1, &v), 0); /* empty: no slots yet */
    id_table_put(&t, "x", 7);
    id_table_put(&t, "x", 9);
    assert_int_equal(t.n, 1);
    assert_int_equal(id_table_get(&t, "x", 1, &v), 1);
    assert_int_equal(v, 9);
    id_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finds_every_key),
        cmocka_unit_test(test_key_by_length),
        cmocka_unit_test(test_put_replaces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
