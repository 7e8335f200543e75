/*
 * test_terminal.c — what bhost run prints on a terminal: a progress line
 * rewritten in place ("\r", erase line, "[i/n] label ...") instead of the
 * plain per-point lines it prints into a pipe or a file, a failure on a line
 * of its own, and the table at the end. bhost runs on a pseudo-terminal.
 */
#define _GNU_SOURCE /* forkpty */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <errno.h>
#include <pty.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs bhost with its stdout and stderr on a pseudo-terminal; returns all it printed. */
static char *run_on_terminal(const char *const *args, int *rc)
{
    int master;
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    assert_true(pid >= 0);
    if (pid == 0) {
        size_t n = 0;
        while (args[n])
            n++;
        char **argv = calloc(n + 2, sizeof *argv);
        argv[0] = (char *)BHOST_EXE;
        for (size_t i = 0; i < n; i++)
            argv[i + 1] = (char *)(uintptr_t)args[i];
        setenv("BHOST_HISTORY", "off", 1); /* it records nothing */
        execv(BHOST_EXE, argv);
        _exit(127);
    }
    size_t len = 0, cap = 1 << 16;
    char *text = malloc(cap);
    for (;;) {
        if (len + 4096 > cap)
            text = realloc(text, cap *= 2);
        ssize_t got = read(master, text + len, 4096);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) /* EIO once the child has closed the terminal */
            break;
        len += (size_t)got;
    }
    text[len] = '\0';
    close(master);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    *rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return text;
}

static void progress_line_on_a_terminal(void **state)
{
    (void)state;
    char *dir = e2e_dir("tty"), *out = e2e_dir("out");
    char *spec = e2e_write(dir, "tty.yaml",
                           "iterations: {warmup: 0, measured: 10}\n"
                           "experiments:\n"
                           "  - experiment: spin\n"
                           "    params: {ns: [1000, 2000]}\n"
                           "  - experiment: test_exit\n");
    int rc;
    char *text = run_on_terminal(
        (const char *[]){"--plugin-path", BHOST_MISBEHAVING_PLUGIN_DIR, "run", spec, "--out", out,
                         NULL}, &rc);
    assert_int_equal(rc, 1);
    /* Each point's start rewrites the one line; the terminal turns \n into \r\n. */
    assert_non_null(strstr(text, "\r\033[K[1/3] spin[ns=1000] ..."));
    assert_non_null(strstr(text, "\r\033[K[2/3] spin[ns=2000] ..."));
    assert_non_null(strstr(text, "\r\033[K[3/3] test_exit ..."));
    /* The progress line says the time elapsed (and, once a point ran, what remains). */
    assert_non_null(strstr(text, "[1/3] spin[ns=1000] ... (elapsed "));
    assert_non_null(strstr(text, "[3/3] test_exit ... (elapsed "));
    assert_non_null(strstr(text, " left)"));
    /* The point's own output does not run on from the progress line. */
    assert_non_null(strstr(text, " left)\r\033[Kexiting with 3"));
    /* A failure stays on the screen, on a line of its own. */
    assert_non_null(strstr(text, "\r\033[K[3/3] test_exit FAILED: exited with status 3\r\n"));
    /* The plain lines for pipes and files are not printed here. */
    assert_null(strstr(text, "ok (p50"));
    assert_non_null(strstr(text, "point "));
    assert_non_null(strstr(text, "3 of 3 points run, 1 failed; results: "));
    free(text);
    /* Into a pipe (the e2e harness captures to a file): plain lines, no escapes. */
    struct proc p;
    e2e_run(&p, (const char *[]){"--plugin-path", BHOST_MISBEHAVING_PLUGIN_DIR, "run", spec,
                                 "--out", out, NULL});
    assert_int_equal(p.rc, 1);
    assert_null(strchr(p.out, '\033'));
    assert_non_null(strstr(p.out, "[1/3] spin[ns=1000] ok (p50 "));
    e2e_proc_free(&p);
    free(spec);
    free(dir);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(progress_line_on_a_terminal),
    };
    return cmocka_run_group_tests(tests, NULL, e2e_cleanup);
}
