/*
 * test_plugin.c — the ABI rules of docs/sdk.md, checked against plugins
 * built for the purpose (tests/plugins/): what loads, what is refused, and
 * that each refusal is one line naming the file, the plugin, both versions
 * and what to do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plugin/registry.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char err[2048];

/* "ABI 1.1" for this SDK's minor plus `ahead`: tests survive a minor bump. */
static const char *abi_text(const char *before, int ahead)
{
    static char buf[4][64];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "%sABI %d.%d", before, BHOST_ABI_MAJOR, BHOST_ABI_MINOR + ahead);
    return b;
}

static struct plugin *load(const char *name)
{
    char *path = xasprintf("%s/%s.so", BHOST_TEST_PLUGIN_DIR, name);
    err[0] = '\0';
    struct plugin *p = plugin_load(path, err, sizeof err);
    free(path);
    return p;
}

static void assert_refused(const char *name, const char *const *phrases)
{
    struct plugin *p = load(name);
    assert_null(p);
    assert_non_null(strstr(err, name)); /* the file */
    assert_null(strchr(err, '\n'));     /* one line */
    for (; *phrases; phrases++) {
        if (!strstr(err, *phrases))
            fail_msg("refusal of %s lacks \"%s\": %s", name, *phrases, err);
    }
}

static void good_plugin_loads_with_typed_defaults(void **state)
{
    (void)state;
    struct plugin *p = load("test_good");
    assert_non_null(p);
    assert_string_equal(p->desc.name, "test_good");
    assert_int_equal(p->desc.kind, BHOST_EXPERIMENT);
    assert_int_equal(p->nparams, 6);
    const struct pdef *count = &p->params[pdef_find(p->params, p->nparams, "count")];
    assert_int_equal(count->type, BHOST_INT);
    assert_int_equal(count->def.i, 3);
    assert_true(count->has_min && count->has_max);
    assert_int_equal(count->min.i, 1);
    assert_int_equal(count->max.i, 100);
    const struct pdef *color = &p->params[pdef_find(p->params, p->nparams, "color")];
    assert_int_equal(color->nchoices, 3);
    assert_string_equal(color->def.s, "green");
    assert_int_equal(color->def.i, 1);
    const struct pdef *ratio = &p->params[pdef_find(p->params, p->nparams, "ratio")];
    assert_true(ratio->def.f == 0.5);
    plugin_free(p);
}

static void wrong_magic_is_refused(void **state)
{
    (void)state;
    static const char *const phrases[] = {"bad descriptor magic 0xdeadbeef", "not a bhost plugin",
                                          NULL};
    assert_refused("test_bad_magic", phrases);
}

static void newer_major_is_refused_by_symbol(void **state)
{
    (void)state;
    const char *const phrases[] = {"built for bhost ABI 2", "bhost_plugin_v2",
                                   abi_text("this bhost has ", 0), "rebuild", NULL};
    assert_refused("test_newer_major", phrases);
}

static void newer_minor_without_compat_is_refused(void **state)
{
    (void)state;
    const char *const phrases[] = {"plugin 'test_newer_minor'", abi_text("built for ", 1),
                                   abi_text("needs at least ", 1), abi_text("this bhost has ", 0),
                                   "Upgrade bhost", "BHOST_PLUGIN_HEADER_COMPAT", NULL};
    assert_refused("test_newer_minor", phrases);
}

/* A 1.2 flag on a descriptor that claims 1.1 hosts: they would refuse it, so this one does. */
static void one_thread_flag_needs_a_1_2_host(void **state)
{
    (void)state;
    const char *const phrases[] = {"BHOST_ONE_THREAD", "ABI 1.1", "BHOST_PLUGIN_HEADER", NULL};
    assert_refused("test_one_thread_compat", phrases);
}

/* A 1.3 flag on a descriptor that claims 1.2 hosts; and on an instrument, which declares all
 * its parameters. */
static void open_params_need_a_1_3_host_and_an_experiment(void **state)
{
    (void)state;
    const char *const compat[] = {"BHOST_OPEN_PARAMS", "ABI 1.2", "BHOST_PLUGIN_HEADER", NULL};
    assert_refused("test_open_compat", compat);
    const char *const instrument[] = {"BHOST_OPEN_PARAMS", "only experiments may set", NULL};
    assert_refused("test_open_instrument", instrument);
}

/* Built "by a newer SDK": a larger descriptor and larger parameter records. */
static void newer_minor_that_declares_compat_loads(void **state)
{
    (void)state;
    struct plugin *p = load("test_newer_minor_compat");
    assert_non_null(p);
    assert_int_equal(p->desc.abi_minor, BHOST_ABI_MINOR + 1);
    assert_true(p->desc.size > sizeof(struct bhost_plugin));
    assert_int_equal(p->nparams, 2);
    /* Walked by the plugin's element size: the second record is read right. */
    assert_string_equal(p->params[0].name, "alpha");
    assert_int_equal(p->params[0].def.i, 7);
    assert_string_equal(p->params[1].name, "beta");
    assert_string_equal(p->params[1].def.s, "x");
    plugin_free(p);
}

static void descriptor_smaller_than_header_is_refused(void **state)
{
    (void)state;
    static const char *const phrases[] = {"declares 12 bytes", "ABI header", NULL};
    assert_refused("test_short_size", phrases);
}

static void invalid_default_is_refused(void **state)
{
    (void)state;
    const char *const phrases[] = {"plugin 'test_bad_default'", "default of parameter",
                                   "expected an integer, got 'abc'", abi_text("", 0),
                                   "fix its parameter table", NULL};
    assert_refused("test_bad_default", phrases);
}

/* Broken parameter tables are refused from the descriptor alone, before any table is read. */
static void broken_parameter_tables_are_refused(void **state)
{
    (void)state;
    static const struct {
        const char *file, *phrase;
    } cases[] = {
        {"test_huge_param_count", "it declares 4294967295 parameters, more than bhost's limit "
                                  "of 1024; fix its param_count"},
        {"test_no_param_table", "it declares 3 parameters but no parameter table; fix its "
                                "descriptor (BHOST_PARAMS sets both)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *path = xasprintf("%s/%s.so", BHOST_MISBEHAVING_PLUGIN_DIR, cases[i].file);
        err[0] = '\0';
        assert_null(plugin_load(path, err, sizeof err));
        free(path);
        if (!strstr(err, cases[i].phrase))
            fail_msg("refusal of %s lacks \"%s\": %s", cases[i].file, cases[i].phrase, err);
    }
}

static void missing_file_and_non_plugin_are_refused(void **state)
{
    (void)state;
    static const char *const missing[] = {"cannot load", NULL};
    assert_refused("no_such_plugin", missing);
    /* A shared object without the entry symbol: the C library itself. */
    err[0] = '\0';
    assert_null(plugin_load("libc.so.6", err, sizeof err));
    assert_non_null(strstr(err, "not a bhost plugin (no bhost_plugin_v1 symbol"));
    assert_non_null(strstr(err, abi_text("this bhost has ", 0)));
    assert_non_null(strstr(err, "take it off the plugin path"));
}

static void registry_finds_plugins_and_records_refusals(void **state)
{
    (void)state;
    const char *paths[] = {BHOST_TEST_PLUGIN_DIR};
    unsetenv("BHOST_PLUGIN_PATH");
    struct registry r;
    registry_init(&r, paths, 1);
    assert_string_equal(r.dirs[0], BHOST_TEST_PLUGIN_DIR);
    assert_string_equal(r.dirs[r.ndirs - 1], BHOST_BUILD_PLUGIN_DIR);
    registry_scan(&r);
    assert_non_null(registry_find(&r, "test_good"));
    assert_non_null(registry_find(&r, "noop"));
    assert_non_null(registry_find(&r, "spin"));
    assert_non_null(registry_find(&r, "rusage"));
    assert_null(registry_find(&r, "test_bad_magic"));
    /* bad magic, newer major, newer minor, short, default, one thread on 1.1, open parameters
     * on 1.2 and on an instrument */
    assert_int_equal(r.nproblems, 8);
    for (size_t i = 1; i < r.nplugins; i++)
        assert_true(strcmp(r.plugins[i - 1]->desc.name, r.plugins[i]->desc.name) < 0);
    assert_string_equal(registry_suggest(&r, "test_god", BHOST_EXPERIMENT), "test_good");
    assert_null(registry_suggest(&r, "test_god", BHOST_INSTRUMENT));
    assert_string_equal(registry_suggest(&r, "rusge", BHOST_INSTRUMENT), "rusage");
    registry_free(&r);
}

static void earlier_path_shadows_later(void **state)
{
    (void)state;
    /* A copy of spin in a folder of its own, first on the path: the build's is shadowed. */
    char dir[] = "/tmp/bhost-shadow-XXXXXX", cmd[512];
    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "cp '%s/spin.so' '%s/'", BHOST_BUILD_PLUGIN_DIR, dir);
    assert_int_equal(system(cmd), 0);
    const char *paths[] = {dir, BHOST_BUILD_PLUGIN_DIR};
    struct registry r;
    registry_init(&r, paths, 2);
    registry_scan(&r);
    const struct plugin *spin = registry_find(&r, "spin");
    assert_non_null(spin);
    assert_int_equal((int)spin->nshadowed, 1);
    assert_string_equal(spin->shadowed[0], BHOST_BUILD_PLUGIN_DIR "/spin.so");
    registry_free(&r);
    snprintf(cmd, sizeof cmd, "rm -r '%s'", dir);
    assert_int_equal(system(cmd), 0);
    /* The build's folder given first and also searched last by default: read once. */
    const char *again[] = {BHOST_BUILD_PLUGIN_DIR};
    registry_init(&r, again, 1);
    registry_scan(&r);
    spin = registry_find(&r, "spin");
    assert_non_null(spin);
    assert_int_equal((int)spin->nshadowed, 0);
    registry_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_plugin_loads_with_typed_defaults),
        cmocka_unit_test(wrong_magic_is_refused),
        cmocka_unit_test(newer_major_is_refused_by_symbol),
        cmocka_unit_test(newer_minor_without_compat_is_refused),
        cmocka_unit_test(one_thread_flag_needs_a_1_2_host),
        cmocka_unit_test(open_params_need_a_1_3_host_and_an_experiment),
        cmocka_unit_test(newer_minor_that_declares_compat_loads),
        cmocka_unit_test(descriptor_smaller_than_header_is_refused),
        cmocka_unit_test(invalid_default_is_refused),
        cmocka_unit_test(missing_file_and_non_plugin_are_refused),
        cmocka_unit_test(broken_parameter_tables_are_refused),
        cmocka_unit_test(registry_finds_plugins_and_records_refusals),
        cmocka_unit_test(earlier_path_shadows_later),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
