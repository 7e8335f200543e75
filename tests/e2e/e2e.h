/*
 * e2e.h — running the real bhost from tests: spawn it with arguments and
 * environment, capture its exit code, stdout and stderr, read its results.
 */
#ifndef BHOST_TEST_E2E_H
#define BHOST_TEST_E2E_H

#include <jansson.h>
#include <sys/types.h>

struct proc {
    int rc;      /* exit code, or 128 + signal */
    char *out;   /* stdout, NUL-terminated; owned */
    char *err;   /* stderr, NUL-terminated; owned */
    size_t out_len, err_len; /* their sizes: a plugin may write NUL bytes */
};

/* A fresh directory under the test's temporary root (removed by e2e_cleanup). */
char *e2e_dir(const char *prefix);
/* Writes text to dir/name; returns the path (owned). */
char *e2e_write(const char *dir, const char *name, const char *text);
/* Runs bhost with the NULL-terminated arguments and waits for it. */
void e2e_run(struct proc *p, const char *const *args);
/* Starts bhost in the background; its output goes to files in `dir`. */
pid_t e2e_start(const char *dir, const char *const *args);
/* Waits for a background bhost; its exit code (or 128 + signal). */
int e2e_wait(pid_t pid);
/* Waits up to `seconds` until `path` holds at least `lines` lines. */
int e2e_wait_lines(const char *path, int lines, double seconds);
/* DIR/results.json, parsed (owned), or NULL. */
json_t *e2e_results(const char *dir);
void e2e_proc_free(struct proc *p);
/* The value at `path` in v ("points/0/metrics/x/value": object keys and array indices);
 * fails the test, naming the path, when there is none. */
json_t *e2e_at(json_t *v, const char *path);
/* e2e_at()'s number, and its string. */
double e2e_number(json_t *v, const char *path);
const char *e2e_text(json_t *v, const char *path);
/* Removes the temporary root; fits cmocka's group teardown (state unused). */
int e2e_cleanup(void **state);

#endif
