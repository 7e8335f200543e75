/* e2e.c — see e2e.h. */
#include "e2e.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

static char root[256];
static int serial;

static const char *temp_root(void)
{
    if (!root[0]) {
        snprintf(root, sizeof root, "/tmp/bhost-e2e-XXXXXX");
        if (!mkdtemp(root)) {
            perror("mkdtemp");
            exit(1);
        }
    }
    return root;
}

char *e2e_dir(const char *prefix)
{
    size_t len = strlen(temp_root()) + strlen(prefix) + 16;
    char *dir = malloc(len);
    snprintf(dir, len, "%s/%s-%d", temp_root(), prefix, ++serial);
    if (mkdir(dir, 0755) != 0) {
        perror(dir);
        exit(1);
    }
    return dir;
}

char *e2e_write(const char *dir, const char *name, const char *text)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    snprintf(path, len, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    return path;
}

static char *slurp(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    *len = got;
    fclose(f);
    return s;
}

static void redirect(const char *dir, const char *name, int fd)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (f < 0 || dup2(f, fd) < 0)
        _exit(127);
    close(f);
}

pid_t e2e_start(const char *dir, const char *const *args)
{
    size_t n = 0;
    while (args[n])
        n++;
    char **argv = calloc(n + 2, sizeof *argv);
    argv[0] = (char *)BHOST_EXE;
    for (size_t i = 0; i < n; i++)
        argv[i + 1] = (char *)(uintptr_t)args[i];
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        dup2(null, STDIN_FILENO);
        redirect(dir, "stdout", STDOUT_FILENO);
        redirect(dir, "stderr", STDERR_FILENO);
        /* Under ASan a plugin's SIGSEGV must still kill its point the way it would in a
           normal build, not be turned into ASan's report and exit(1). */
        const char *asan = getenv("ASAN_OPTIONS");
        char opts[1024];
        snprintf(opts, sizeof opts, "%s%shandle_segv=0:handle_sigbus=0:handle_sigfpe=0",
                 asan ? asan : "", asan && *asan ? ":" : "");
        setenv("ASAN_OPTIONS", opts, 1);
        /* Runs record nothing in a history unless the test asks for one. */
        setenv("BHOST_HISTORY", "off", 0);
        execv(BHOST_EXE, argv);
        _exit(127);
    }
    free(argv);
    return pid;
}

int e2e_wait(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void e2e_run(struct proc *p, const char *const *args)
{
    char *dir = e2e_dir("proc");
    p->rc = e2e_wait(e2e_start(dir, args));
    char path[512];
    snprintf(path, sizeof path, "%s/stdout", dir);
    p->out = slurp(path, &p->out_len);
    snprintf(path, sizeof path, "%s/stderr", dir);
    p->err = slurp(path, &p->err_len);
    free(dir);
}

int e2e_wait_lines(const char *path, int lines, double seconds)
{
    for (double waited = 0; waited < seconds; waited += 0.02) {
        size_t len;
        char *text = slurp(path, &len);
        int n = 0;
        for (size_t i = 0; i < len; i++)
            n += text[i] == '\n';
        free(text);
        if (n >= lines)
            return 1;
        nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
    }
    return 0;
}

json_t *e2e_results(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/results.json", dir);
    return json_load_file(path, 0, NULL);
}

void e2e_proc_free(struct proc *p)
{
    free(p->out);
    free(p->err);
    p->out = p->err = NULL;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int e2e_cleanup(void **state)
{
    (void)state;
    if (root[0])
        nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

json_t *e2e_at(json_t *v, const char *path)
{
    char key[128];
    const char *whole = path;
    while (v && *path) {
        size_t n = strcspn(path, "/");
        snprintf(key, sizeof key, "%.*s", (int)n, path);
        v = json_is_array(v) ? json_array_get(v, (size_t)atoi(key)) : json_object_get(v, key);
        path += n + (path[n] == '/');
    }
    if (!v)
        fail_msg("no %s", whole);
    return v;
}

double e2e_number(json_t *v, const char *path)
{
    return json_number_value(e2e_at(v, path));
}

const char *e2e_text(json_t *v, const char *path)
{
    return json_string_value(e2e_at(v, path));
}
