/*
 * test_fork — an experiment that leaves processes behind, and says where
 * they are. setup() forks a child that keeps the point's stdout, stderr and
 * results pipe open and sleeps for `sleep_s` (in a new session with
 * `setsid`, out of the point's process group); with `hang`, iterate() never
 * returns. The point's pid goes to DIR/point.pid and the forked child's to
 * DIR/forked.pid (`pid_dir`). The tests check that the host neither waits
 * for a process the point left behind nor loses the point's result to it,
 * and that a point's process dies with the host.
 */
#include <bhost/bhost.h>

#include <stdio.h>
#include <unistd.h>

static void write_pid(const char *dir, const char *name, pid_t pid)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fprintf(f, "%d\n", (int)pid);
        fclose(f);
    }
}

static int setup(bhost_ctx *ctx, void **state)
{
    (void)state;
    const char *dir = bhost_param_str(ctx, "pid_dir");
    write_pid(dir, "point.pid", getpid());
    if (bhost_param_int(ctx, "sleep_s") == 0)
        return BHOST_OK;
    int ready[2]; /* the child says when it has left the group, so the test never races it */
    if (pipe(ready) != 0)
        return bhost_fail(ctx, "pipe failed");
    pid_t child = fork();
    if (child < 0)
        return bhost_fail(ctx, "fork failed");
    if (child == 0) {
        if (bhost_param_bool(ctx, "setsid"))
            setsid();
        if (write(ready[1], "x", 1) != 1)
            _exit(1);
        sleep((unsigned)bhost_param_int(ctx, "sleep_s"));
        _exit(0);
    }
    char x;
    close(ready[1]);
    if (read(ready[0], &x, 1) != 1)
        return bhost_fail(ctx, "the forked child did not start");
    close(ready[0]);
    write_pid(dir, "forked.pid", child);
    return BHOST_OK;
}

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)state;
    if (bhost_param_bool(ctx, "hang"))
        for (;;)
            pause();
    return BHOST_OK;
}

static const struct bhost_param params[] = {
    {.name = "pid_dir", .type = BHOST_STRING, .def = "/tmp", .doc = "where the pid files go"},
    {.name = "sleep_s", .type = BHOST_INT, .def = "0", .min = "0", .max = "3600", .unit = "s",
     .doc = "0: fork nothing; else the forked child sleeps this long"},
    {.name = "setsid", .type = BHOST_BOOL, .def = "false",
     .doc = "the forked child leaves the point's process group (a new session)"},
    {.name = "hang", .type = BHOST_BOOL, .def = "false", .doc = "iterate() never returns"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_fork",
    .version = "1.0",
    .summary = "test plugin: leaves a forked child behind, or hangs; writes pid files",
    BHOST_PARAMS(params),
    .setup = setup,
    .iterate = iterate,
};
