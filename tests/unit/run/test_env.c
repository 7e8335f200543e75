/*
 * test_env.c — env_capture() and env_clock_read_ns(): every documented key
 * with its JSON type, figures that agree with the system, and the git
 * facts inside the source tree, a fresh repository and a plain directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/env.h"
#include "util/files.h"
#include "util/mem.h"

enum nullable { NOT_NULL = 0, MAY_BE_NULL = 1 };

/* obj[key], failing the test if it is missing, not of `type`, or null
 * where null is not allowed. JSON_TRUE stands for either boolean. */
static json_t *expect_key(json_t *obj, const char *key, json_type type, enum nullable nullable)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        fail_msg("missing key \"%s\"", key);
    if (json_is_null(v) && nullable == MAY_BE_NULL)
        return v;
    if (type == JSON_TRUE ? !json_is_boolean(v) : json_typeof(v) != type)
        fail_msg("key \"%s\" has JSON type %d, want %d", key, (int)json_typeof(v), (int)type);
    return v;
}

static int is_hex(const char *s, size_t len)
{
    if (strlen(s) != len)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s) && !(*s >= 'a' && *s <= 'f'))
            return 0;
    return 1;
}

/* 0 if the shell command exits 0; its output is discarded. */
static int sh(const char *cmd)
{
    char *full = xasprintf("%s >/dev/null 2>&1", cmd);
    int rc = system(full);
    free(full);
    return rc == 0 ? 0 : -1;
}

/* First line of a command's output, or "" if it fails. */
static void sh_line(const char *cmd, char *line, size_t n)
{
    char *full = xasprintf("%s 2>/dev/null", cmd);
    FILE *p = popen(full, "r");
    free(full);
    line[0] = '\0';
    if (!p)
        return;
    char buf[256];
    int first = 1;
    while (fgets(buf, sizeof(buf), p)) {
        if (first) {
            buf[strcspn(buf, "\r\n")] = '\0';
            snprintf(line, n, "%s", buf);
        }
        first = 0;
    }
    if (pclose(p) != 0)
        line[0] = '\0';
}

static int have_git(void)
{
    return sh("git --version") == 0;
}

/* A new empty directory under /tmp, made the working directory; returns
 * its malloc'd path. */
static char *enter_temp_dir(void)
{
    char *dir = xstrdup("/tmp/bhost-test-env-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chdir(dir), 0);
    return dir;
}

static void leave_temp_dir(char *dir)
{
    assert_int_equal(chdir(BHOST_SOURCE_DIR), 0);
    assert_int_equal(remove_tree(dir), 0);
    free(dir);
}

static void test_shape(void **unused)
{
    (void)unused;
    json_t *env = env_capture();
    assert_non_null(env);
    assert_true(json_is_object(env));

    char *text = json_dumps(env, JSON_INDENT(2) | JSON_SORT_KEYS);
    assert_non_null(text);
    print_message("%s\n", text);
    free(text);

    expect_key(env, "hostname", JSON_STRING, MAY_BE_NULL);

    json_t *os = expect_key(env, "os", JSON_OBJECT, NOT_NULL);
    expect_key(os, "kernel", JSON_STRING, NOT_NULL);
    expect_key(os, "version", JSON_STRING, NOT_NULL);
    expect_key(os, "machine", JSON_STRING, NOT_NULL);

    json_t *cpu = expect_key(env, "cpu", JSON_OBJECT, NOT_NULL);
    expect_key(cpu, "model", JSON_STRING, MAY_BE_NULL);
    expect_key(cpu, "logical_count", JSON_INTEGER, NOT_NULL);
    json_t *gov = expect_key(cpu, "governor", JSON_STRING, MAY_BE_NULL);
    if (json_is_string(gov)) {
        const char *g = json_string_value(gov);
        assert_true(g[0] != '\0' && !isspace((unsigned char)g[strlen(g) - 1]));
    }
    json_t *mhz = expect_key(cpu, "mhz", JSON_REAL, MAY_BE_NULL);
    if (json_is_real(mhz))
        assert_true(json_real_value(mhz) > 0);

    json_t *mem = expect_key(env, "memory_kib", JSON_INTEGER, NOT_NULL);
    assert_true(json_integer_value(mem) > 0);

    json_t *build = expect_key(env, "build", JSON_OBJECT, NOT_NULL);
    json_t *compiler = expect_key(build, "compiler", JSON_STRING, NOT_NULL);
    assert_true(json_string_length(compiler) > 0);
    expect_key(build, "build_type", JSON_STRING, NOT_NULL);
    json_t *sanitized = expect_key(build, "sanitized", JSON_TRUE, NOT_NULL);
#ifdef __SANITIZE_ADDRESS__
    assert_true(json_is_true(sanitized));
#else
    assert_true(json_is_false(sanitized));
#endif
    const char *alloc = json_string_value(expect_key(build, "allocator", JSON_STRING, NOT_NULL));
    assert_true(strcmp(alloc, "jemalloc") == 0 || strcmp(alloc, "libc") == 0);

    json_t *git = expect_key(env, "git", JSON_OBJECT, MAY_BE_NULL);
    if (json_is_object(git)) {
        expect_key(git, "commit", JSON_STRING, MAY_BE_NULL);
        expect_key(git, "dirty", JSON_TRUE, MAY_BE_NULL);
    }

    json_t *clk = expect_key(env, "clock", JSON_OBJECT, NOT_NULL);
    assert_string_equal(json_string_value(expect_key(clk, "source", JSON_STRING, NOT_NULL)),
                        "CLOCK_MONOTONIC");
    assert_true(json_integer_value(expect_key(clk, "resolution_ns", JSON_INTEGER, NOT_NULL)) > 0);
    double read_ns = json_real_value(expect_key(clk, "read_ns", JSON_REAL, NOT_NULL));
    assert_true(read_ns > 0 && read_ns < 100000);

    json_decref(env);
}

static void test_logical_count(void **unused)
{
    (void)unused;
    json_t *env = env_capture();
    json_t *n = json_object_get(json_object_get(env, "cpu"), "logical_count");
    assert_true(json_is_integer(n));
    assert_int_equal(json_integer_value(n), sysconf(_SC_NPROCESSORS_ONLN));
    json_decref(env);
}

static void test_clock_read_ns(void **unused)
{
    (void)unused;
    double ns = env_clock_read_ns();
    print_message("clock read: %.2f ns\n", ns);
    assert_true(ns > 0 && ns < 100000);
}

/* The source tree: whatever state it is in, env agrees with git itself. */
static void test_git_source_dir(void **unused)
{
    (void)unused;
    assert_int_equal(chdir(BHOST_SOURCE_DIR), 0);
    json_t *env = env_capture();
    json_t *git = json_object_get(env, "git");
    char line[256];

    sh_line("git rev-parse --is-inside-work-tree", line, sizeof(line));
    if (!have_git() || strcmp(line, "true") != 0) {
        assert_true(json_is_null(git));
        json_decref(env);
        return;
    }
    assert_true(json_is_object(git));
    json_t *commit = json_object_get(git, "commit");
    sh_line("git rev-parse --verify -q HEAD", line, sizeof(line));
    if (line[0]) {
        assert_true(json_is_string(commit));
        assert_true(is_hex(json_string_value(commit), 40));
        assert_string_equal(json_string_value(commit), line);
    } else {
        assert_true(json_is_null(commit)); /* a repository without commits */
    }
    assert_true(json_is_boolean(json_object_get(git, "dirty")));
    json_decref(env);
}

/* A new repository: no commit yet, then a clean commit, then a dirty tree. */
static void test_git_fresh_repo(void **unused)
{
    (void)unused;
    if (!have_git())
        skip();
    char *dir = enter_temp_dir();
    assert_int_equal(sh("git init -q ."), 0);

    json_t *env = env_capture();
    json_t *git = json_object_get(env, "git");
    assert_true(json_is_object(git));
    assert_true(json_is_null(json_object_get(git, "commit")));
    assert_true(json_is_false(json_object_get(git, "dirty")));
    json_decref(env);

    FILE *f = fopen("file.txt", "w");
    assert_non_null(f);
    fputs("one\n", f);
    fclose(f);
    assert_int_equal(sh("git add file.txt && git -c user.name=test -c user.email=test@example.com "
                        "-c commit.gpgsign=false commit -q -m init"), 0);
    char head[256];
    sh_line("git rev-parse HEAD", head, sizeof(head));

    env = env_capture();
    git = json_object_get(env, "git");
    json_t *commit = json_object_get(git, "commit");
    assert_true(json_is_string(commit));
    assert_true(is_hex(json_string_value(commit), 40));
    assert_string_equal(json_string_value(commit), head);
    assert_true(json_is_false(json_object_get(git, "dirty")));
    json_decref(env);

    /* Untracked files do not count; a changed tracked file does. */
    f = fopen("untracked.txt", "w");
    assert_non_null(f);
    fclose(f);
    env = env_capture();
    assert_true(json_is_false(json_object_get(json_object_get(env, "git"), "dirty")));
    json_decref(env);

    f = fopen("file.txt", "a");
    assert_non_null(f);
    fputs("two\n", f);
    fclose(f);
    env = env_capture();
    assert_true(json_is_true(json_object_get(json_object_get(env, "git"), "dirty")));
    json_decref(env);

    leave_temp_dir(dir);
}

/* Outside any work tree git is null. */
static void test_git_not_repo(void **unused)
{
    (void)unused;
    char *dir = enter_temp_dir();
    /* Stop git's search for a repository at /tmp, whatever is above. */
    assert_int_equal(setenv("GIT_CEILING_DIRECTORIES", "/tmp", 1), 0);
    json_t *env = env_capture();
    unsetenv("GIT_CEILING_DIRECTORIES");
    assert_true(json_is_null(json_object_get(env, "git")));
    json_decref(env);
    leave_temp_dir(dir);
}

int main(void)
{
    /* Only the working directory decides which repository is looked at. */
    unsetenv("GIT_DIR");
    unsetenv("GIT_WORK_TREE");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_logical_count),
        cmocka_unit_test(test_clock_read_ns),
        cmocka_unit_test(test_git_source_dir),
        cmocka_unit_test(test_git_fresh_repo),
        cmocka_unit_test(test_git_not_repo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
