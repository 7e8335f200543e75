/*
 * test_fork — an experiment that leaves processes behind, and says where
 * they are. setup() forks `count` children that keep the point's stdout,
 * stderr and results pipe open and sleep for `sleep_s` (each in a new
 * session with `setsid`, out of the point's process group; with
 * `double_fork`, each is a grandchild whose parent has exited). With `hang`,
 * iterate() never returns (with `hang_after`, once called that often); with `crash`, the first iteration dies of
 * SIGSEGV; with `stop`, it stops its own process (SIGSTOP). The point's pid
 * goes to DIR/point.pid and the sleepers' pids, one a line, to
 * DIR/forked.pid (`pid_dir`). The tests check that nothing a point starts
 * outlives it, that the host neither waits for such a process nor loses the
 * point's result to it, and that a point's process dies with the host.
 */
#include <bhost/bhost.h>

#include <errno.h>

#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void write_pid(const char *dir, const char *name, pid_t pid)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "a");
    if (f) {
        fprintf(f, "%d\n", (int)pid);
        fclose(f);
    }
}

/* One sleeper: its pid is sent through `ready` once it has left the group. */
static void sleeper(bhost_ctx *ctx, int ready)
{
    if (bhost_param_bool(ctx, "setsid"))
        setsid();
    pid_t me = getpid();
    if (write(ready, &me, sizeof me) != sizeof me)
        _exit(1);
    sleep((unsigned)bhost_param_int(ctx, "sleep_s"));
    _exit(0);
}

static int setup(bhost_ctx *ctx, void **state)
{
    (void)state;
    const char *dir = bhost_param_str(ctx, "pid_dir");
    write_pid(dir, "point.pid", getpid());
    if (bhost_param_int(ctx, "sleep_s") == 0)
        return BHOST_OK;
    for (int64_t i = 0; i < bhost_param_int(ctx, "count"); i++) {
        int ready[2]; /* the sleeper says when it is set up, so the test never races it */
        if (pipe(ready) != 0)
            return bhost_fail(ctx, "pipe failed");
        pid_t child = fork();
        if (child < 0)
            return bhost_fail(ctx, "fork failed");
        if (child == 0) {
            close(ready[0]);
            if (!bhost_param_bool(ctx, "double_fork"))
                sleeper(ctx, ready[1]);
            pid_t grandchild = fork(); /* orphaned at once: its parent exits */
            if (grandchild == 0)
                sleeper(ctx, ready[1]);
            _exit(grandchild < 0);
        }
        close(ready[1]);
        pid_t sleeping;
        if (read(ready[0], &sleeping, sizeof sleeping) != sizeof sleeping)
            return bhost_fail(ctx, "the forked child did not start");
        close(ready[0]);
        write_pid(dir, "forked.pid", sleeping);
        /* The grandchild's parent is gone before the point goes on, as a daemon's is: else
         * it may still be exiting when the point dies, and count as one more left behind. */
        if (bhost_param_bool(ctx, "double_fork"))
            while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
                ;
    }
    return BHOST_OK;
}

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)state;
    static int64_t calls;
    int64_t hang_after = bhost_param_int(ctx, "hang_after");
    if (bhost_param_bool(ctx, "hang") || (hang_after > 0 && ++calls > hang_after))
        for (;;)
            pause();
    if (bhost_param_bool(ctx, "stop"))
        raise(SIGSTOP);
    if (bhost_param_bool(ctx, "crash")) {
        void *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        *(volatile int *)page = 42;
    }
    return BHOST_OK;
}

static const struct bhost_param params[] = {
    {.name = "pid_dir", .type = BHOST_STRING, .def = "/tmp", .doc = "where the pid files go"},
    {.name = "sleep_s", .type = BHOST_INT, .def = "0", .min = "0", .max = "3600", .unit = "s",
     .doc = "0: fork nothing; else the forked children sleep this long"},
    {.name = "count", .type = BHOST_INT, .def = "1", .min = "1", .max = "100",
     .doc = "how many sleepers to fork"},
    {.name = "setsid", .type = BHOST_BOOL, .def = "false",
     .doc = "each sleeper leaves the point's process group (a new session)"},
    {.name = "double_fork", .type = BHOST_BOOL, .def = "false",
     .doc = "each sleeper is a grandchild whose parent has exited"},
    {.name = "hang", .type = BHOST_BOOL, .def = "false", .doc = "iterate() never returns"},
    {.name = "hang_after", .type = BHOST_INT, .def = "0", .min = "0",
     .doc = "iterate() never returns once it has been called this often; 0: never"},
    {.name = "crash", .type = BHOST_BOOL, .def = "false", .doc = "iterate() dies of SIGSEGV"},
    {.name = "stop", .type = BHOST_BOOL, .def = "false",
     .doc = "iterate() stops its own process (SIGSTOP)"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "test_fork",
    .version = "1.0",
    .summary = "test plugin: leaves processes behind, hangs, crashes or stops; writes pid files",
    BHOST_PARAMS(params),
    .setup = setup,
    .iterate = iterate,
};
