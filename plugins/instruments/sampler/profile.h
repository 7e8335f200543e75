/*
 * profile.h — one sweep point's CPU profile, as the sampler hands it to its
 * writers (collapsed stacks, speedscope, flame-graph SVG, the top table).
 *
 * Frames are symbolised: a frame is a function (an inlined function is a
 * frame of its own, above the one it was inlined into). Stacks are distinct
 * call stacks, root first. Each thread keeps its samples in time order as
 * runs of one stack, so a writer can give both the aggregate (a flame graph)
 * and the timeline (speedscope's "time order" view).
 *
 * Everything is owned by whoever built the profile; writers only read.
 */
#ifndef BHOST_SAMPLER_PROFILE_H
#define BHOST_SAMPLER_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct profile_frame {
    const char *name;     /* "sqlite3VdbeExec"; "libfoo.so+0x1a2b" when no symbol covers it;
                             "[truncated]" as the root of a stack the unwinder could not finish */
    const char *module;   /* the ELF file's path, NULL if unknown */
    const char *file;     /* source file from the debug info, NULL if unknown */
    uint32_t line;        /* its line, 0 if unknown */
    uint32_t inlined;     /* 1: inlined into the frame below it in the stack */
};

struct profile_stack {
    const uint32_t *frames; /* indices into profile.frames, root first */
    uint32_t depth;         /* at least 1 */
};

/* `count` consecutive samples of one thread that had the same stack. */
struct profile_run {
    uint32_t stack;         /* index into profile.stacks */
    uint32_t count;         /* at least 1 */
};

struct profile_thread {
    const char *name;       /* "memory_db" (the thread's comm), never NULL */
    int64_t tid;
    const struct profile_run *runs; /* in time order */
    size_t run_count;
    uint64_t samples;       /* the sum of its runs' counts */
};

struct profile {
    const char *title;      /* what was profiled: "memory_db mode=disk" */
    double period_ns;       /* the CPU (or wall) time one sample stands for */
    uint64_t samples;       /* over all threads */
    const struct profile_frame *frames;
    size_t frame_count;
    const struct profile_stack *stacks;
    size_t stack_count;
    const struct profile_thread *threads; /* threads with at least one sample */
    size_t thread_count;
};

/*
 * Collapsed stacks, the format flamegraph.pl, inferno and speedscope read:
 * one line per distinct stack over all threads, "root;caller;leaf count",
 * sorted. Inlined frames carry inferno's "_[i]" suffix. ';' and control
 * characters in names become '_'. Returns 0, or -1 with errno on a write error.
 */
int profile_write_collapsed(const struct profile *p, FILE *out);

/*
 * A speedscope file (https://www.speedscope.app/file-format-schema.json):
 * shared frames, one "sampled" profile per thread with its stacks in time
 * order and weights in samples (summing to the thread's sample count).
 * `exporter` names the program ("bhost 0.4.0"). Returns 0 or -1 with errno.
 */
int profile_write_speedscope(const struct profile *p, FILE *out, const char *exporter);

struct flamegraph_options {
    const char *title;      /* NULL: p->title */
    const char *subtitle;   /* a second line, NULL: none */
    uint32_t width;         /* pixels; 0: 1200 */
};

/*
 * A self-contained flame graph in SVG: every thread's samples merged, one
 * box per frame, its width its share of samples. Works offline in a browser:
 * details on mouse-over, click to zoom, search with highlight and the share
 * matched, reset. Returns 0 or -1 with errno.
 */
int profile_write_flamegraph(const struct profile *p, FILE *out,
                             const struct flamegraph_options *options);

#endif
