/*
 * test_unloadable — files that must never be loaded in the host: one source,
 * built once per way of breaking (a -D of the variant's name). Each is a
 * valid plugin but for its one defect, so that a refusal names that defect.
 *
 *   CTOR_ABORT   a constructor that prints a line and calls abort()
 *   CTOR_SEGV    a constructor that writes to a page it may not touch
 *   CTOR_HANG    a constructor that never returns
 *   CTOR_EXIT    a constructor that calls exit(7)
 *   CTOR_STOP    a constructor that stops its own process (SIGSTOP)
 *   CTOR_FORK    a constructor that starts a daemon (setsid, sleep 300), its pid
 *                in $BHOST_TEST_PID_DIR/daemon.pid
 *   BAD_NAME     a descriptor whose name points nowhere
 *   BAD_PARAMS   a descriptor whose parameter table points nowhere
 *   PAST_TABLE   param_count far past the table it points to
 */
#include <bhost/bhost.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(CTOR_ABORT) || defined(CTOR_SEGV) || defined(CTOR_HANG) || defined(CTOR_EXIT) || \
    defined(CTOR_STOP) || defined(CTOR_FORK)
__attribute__((constructor)) static void on_load(void)
{
#if defined(CTOR_ABORT)
    fprintf(stderr, "test_unloadable: cannot find my configuration\n");
    abort();
#elif defined(CTOR_SEGV)
    void *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *(volatile int *)page = 42;
#elif defined(CTOR_HANG)
    for (;;)
        pause();
#elif defined(CTOR_EXIT)
    exit(7);
#elif defined(CTOR_STOP)
    raise(SIGSTOP);
#elif defined(CTOR_FORK)
    pid_t daemon = fork();
    if (daemon == 0) {
        setsid();
        sleep(300);
        _exit(0);
    }
    /* Written before the constructor returns: the test never races the daemon. */
    const char *dir = getenv("BHOST_TEST_PID_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/daemon.pid", dir ? dir : "/tmp");
    FILE *f = fopen(path, "a");
    if (f) {
        fprintf(f, "%d\n", (int)daemon);
        fclose(f);
    }
#endif
}
#endif

static int iterate(bhost_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    return BHOST_OK;
}

__attribute__((unused)) static const struct bhost_param params[] = {
    {.name = "n", .type = BHOST_INT, .def = "1", .doc = "unused"},
};

/* An address no process maps: the first page is never mapped on Linux. */
#define NOWHERE ((const void *)16)

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
#ifdef BAD_NAME
    .name = NOWHERE,
#else
    .name = PLUGIN_NAME,
#endif
    .version = "1.0",
    .summary = "test plugin: cannot be loaded safely",
#if defined(BAD_PARAMS)
    .params = NOWHERE, .param_count = 2, .param_size = sizeof(struct bhost_param),
#elif defined(PAST_TABLE)
    .params = params, .param_count = 1000, .param_size = sizeof(struct bhost_param),
#else
    BHOST_PARAMS(params),
#endif
    .iterate = iterate,
};
