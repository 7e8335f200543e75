/*
 * collapsed.c — collapsed stacks ("root;caller;leaf count", one line per
 * distinct stack, sorted), the input of flamegraph.pl, inferno and speedscope.
 */
#include "profile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "profile_check.h"

/* inferno's annotation of an inlined frame. */
#define INLINED_SUFFIX "_[i]"

struct collapsed_line {
    char *stack;            /* "root;caller;leaf" */
    uint64_t samples;
};

/* Separators and line breaks would change the stack a reader sees. */
static char collapsed_char(char c)
{
    unsigned char u = (unsigned char)c;
    return c == ';' || u < 0x20 || u == 0x7F ? '_' : c;
}

/* The stack's line without its count, malloc'd; NULL on ENOMEM. */
static char *collapsed_stack(const struct profile *p, const struct profile_stack *stack)
{
    size_t length = 0;
    for (uint32_t i = 0; i < stack->depth; i++) {
        const struct profile_frame *frame = &p->frames[stack->frames[i]];
        length += strlen(frame->name) + 1 + (frame->inlined ? strlen(INLINED_SUFFIX) : 0);
    }
    char *line = malloc(length);
    if (!line)
        return NULL;
    char *at = line;
    for (uint32_t i = 0; i < stack->depth; i++) {
        const struct profile_frame *frame = &p->frames[stack->frames[i]];
        if (i > 0)
            *at++ = ';';
        for (const char *c = frame->name; *c; c++)
            *at++ = collapsed_char(*c);
        if (frame->inlined)
            at = stpcpy(at, INLINED_SUFFIX);
    }
    *at = '\0';
    return line;
}

static int compare_lines(const void *a, const void *b)
{
    return strcmp(((const struct collapsed_line *)a)->stack,
                  ((const struct collapsed_line *)b)->stack);
}

/* One line per stack that has samples, NULL on ENOMEM. */
static struct collapsed_line *collapsed_lines(const struct profile *p, size_t *count)
{
    uint64_t *samples = profile_stack_samples(p);
    struct collapsed_line *lines = calloc(p->stack_count ? p->stack_count : 1, sizeof *lines);
    *count = 0;
    if (!samples || !lines)
        goto fail;
    for (size_t s = 0; s < p->stack_count; s++) {
        if (!samples[s])
            continue;
        lines[*count].stack = collapsed_stack(p, &p->stacks[s]);
        if (!lines[*count].stack)
            goto fail;
        lines[(*count)++].samples = samples[s];
    }
    free(samples);
    return lines;
fail:
    for (size_t i = 0; lines && i < *count; i++)
        free(lines[i].stack);
    free(lines);
    free(samples);
    return NULL;
}

int profile_write_collapsed(const struct profile *p, FILE *out)
{
    if (profile_check(p) < 0)
        return -1;
    size_t count;
    struct collapsed_line *lines = collapsed_lines(p, &count);
    if (!lines)
        return -1;
    qsort(lines, count, sizeof *lines, compare_lines);
    /* Stacks of different frames can read the same (two functions of one
     * name, or names that differ only where they were sanitised): one line. */
    for (size_t i = 0; i < count;) {
        uint64_t samples = 0;
        size_t j = i;
        for (; j < count && strcmp(lines[j].stack, lines[i].stack) == 0; j++)
            samples += lines[j].samples;
        fprintf(out, "%s %" PRIu64 "\n", lines[i].stack, samples);
        i = j;
    }
    for (size_t i = 0; i < count; i++)
        free(lines[i].stack);
    free(lines);
    return output_finish(out);
}
