/*
 * synthetic_profile.c — the profile of synthetic_profile.h, as constants.
 */
#include "synthetic_profile.h"

static const struct profile_frame frames[SYN_FRAME_COUNT] = {
    [SYN_MAIN] = {"main", "/usr/bin/app", "app/main.c", 10, 0},
    [SYN_RUN_QUERIES] = {"run_queries", "/usr/bin/app", "app/db.c", 42, 0},
    [SYN_SQLITE3_STEP] = {"sqlite3_step", "/usr/lib/libsqlite3.so.0", NULL, 0, 0},
    [SYN_VDBE_EXEC] = {"sqlite3VdbeExec", "/usr/lib/libsqlite3.so.0", "sqlite3.c", 93021, 0},
    [SYN_HASH_LOOKUP] = {"hash_lookup", "/usr/lib/libsqlite3.so.0", "sqlite3.c", 35000, 1},
    [SYN_MEMCPY] = {"memcpy", "/usr/lib/libc.so.6", NULL, 0, 0},
    [SYN_TEMPLATE] = {SYN_TEMPLATE_NAME, "/usr/bin/app", "app/vec.h", 7, 0},
    [SYN_SEMICOLON] = {"parse;tokens", "/usr/bin/app", NULL, 0, 0},
    [SYN_UNICODE] = {SYN_UNICODE_NAME, "/usr/bin/app", NULL, 0, 0},
    [SYN_INVALID_UTF8] = {SYN_INVALID_UTF8_NAME, "/usr/bin/app", NULL, 0, 0},
    [SYN_CONTROL] = {SYN_CONTROL_NAME, "/usr/bin/app", NULL, 0, 0},
    [SYN_RECURSE] = {"recurse", "/usr/bin/app", "app/tree.c", 3, 0},
    [SYN_UNSYMBOLISED] = {"libfoo.so+0x1a2b", "/opt/libfoo.so", NULL, 0, 0},
    [SYN_TRUNCATED] = {"[truncated]", NULL, NULL, 0, 0},
    [SYN_WORKER_MAIN] = {"worker_main", "/usr/bin/app", NULL, 0, 0},
    [SYN_OTHER_MEMCPY] = {"memcpy", "/usr/bin/app", "app/copy.c", 5, 0},
    [SYN_BACKSLASH] = {SYN_BACKSLASH_NAME, "/usr/bin/app", "dir\\file.c", 1, 0},
};

#define STACK(...)                                                                 \
    {(const uint32_t[]){__VA_ARGS__},                                              \
     sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t)}

static const struct profile_stack stacks[] = {
    /* 0 */ STACK(SYN_MAIN, SYN_RUN_QUERIES, SYN_SQLITE3_STEP, SYN_VDBE_EXEC),
    /* 1 */ STACK(SYN_MAIN, SYN_RUN_QUERIES, SYN_SQLITE3_STEP, SYN_VDBE_EXEC, SYN_HASH_LOOKUP),
    /* 2 */ STACK(SYN_MAIN, SYN_RUN_QUERIES, SYN_MEMCPY),
    /* 3 */ STACK(SYN_MAIN, SYN_RUN_QUERIES, SYN_OTHER_MEMCPY),
    /* 4 */ STACK(SYN_MAIN, SYN_TEMPLATE, SYN_SEMICOLON),
    /* 5 */ STACK(SYN_WORKER_MAIN, SYN_RECURSE, SYN_RECURSE, SYN_RECURSE),
    /* 6 */ STACK(SYN_WORKER_MAIN, SYN_RECURSE),
    /* 7 */ STACK(SYN_WORKER_MAIN, SYN_UNICODE, SYN_INVALID_UTF8, SYN_CONTROL),
    /* 8 */ STACK(SYN_TRUNCATED, SYN_UNSYMBOLISED),
    /* 9 */ STACK(SYN_MAIN),
    /* 10 */ STACK(SYN_MAIN, SYN_BACKSLASH),
};

static const struct profile_run main_runs[] = {
    {0, 5}, {1, 3}, {2, 2}, {0, 1}, {3, 4}, {4, 1}, {9, 2}, {8, 1},
};
static const struct profile_run worker_runs[] = {{5, 6}, {6, 2}, {7, 3}, {5, 1}};
static const struct profile_run idle_runs[] = {{0, 2}};

static const struct profile_thread threads[] = {
    {"main", 100, main_runs, sizeof main_runs / sizeof *main_runs, 19},
    {"worker \"1\"", 101, worker_runs, sizeof worker_runs / sizeof *worker_runs, 12},
    {"idle", 102, idle_runs, sizeof idle_runs / sizeof *idle_runs, 2},
};

static const struct profile synthetic = {
    .title = "synthetic <profile> & \"friends\"",
    .period_ns = 1e6,
    .samples = 33,
    .frames = frames,
    .frame_count = SYN_FRAME_COUNT,
    .stacks = stacks,
    .stack_count = sizeof stacks / sizeof *stacks,
    .threads = threads,
    .thread_count = sizeof threads / sizeof *threads,
};

const struct profile *synthetic_profile(void)
{
    return &synthetic;
}
