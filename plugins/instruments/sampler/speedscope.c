/*
 * speedscope.c — speedscope's file format
 * (https://www.speedscope.app/file-format-schema.json): the profile's frames
 * shared, one "sampled" profile per thread with its runs in time order.
 * Written as it goes rather than built as a tree: a long profile has
 * millions of frame indices.
 */
#include "profile.h"

#include <inttypes.h>

#include "output.h"
#include "profile_check.h"
#include "utf8.h"

#define SPEEDSCOPE_SCHEMA "https://www.speedscope.app/file-format-schema.json"

/* The inside of a JSON string: quotes, backslashes and control characters
 * escaped, bytes that are not UTF-8 replaced by U+FFFD, so that any name
 * gives valid JSON. */
static void json_chars(FILE *out, const char *s)
{
    while (*s) {
        unsigned char c = (unsigned char)*s;
        uint32_t code_point;
        size_t length = utf8_decode(s, &code_point);
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
        } else if (c == '\n') {
            fputs("\\n", out);
        } else if (c == '\t') {
            fputs("\\t", out);
        } else if (c < 0x20) {
            fprintf(out, "\\u%04x", c);
        } else if (length) {
            fwrite(s, 1, length, out);
        } else {
            fputs(UTF8_REPLACEMENT, out);
        }
        s += length ? length : 1;
    }
}

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    json_chars(out, s);
    fputc('"', out);
}

static void write_frames(const struct profile *p, FILE *out)
{
    fputs("\"shared\":{\"frames\":[", out);
    for (size_t f = 0; f < p->frame_count; f++) {
        const struct profile_frame *frame = &p->frames[f];
        fputs(f ? ",\n{\"name\":" : "\n{\"name\":", out);
        json_string(out, frame->name);
        if (frame->file) {
            fputs(",\"file\":", out);
            json_string(out, frame->file);
        }
        if (frame->line)
            fprintf(out, ",\"line\":%" PRIu32, frame->line);
        fputc('}', out);
    }
    fputs("]},\n", out);
}

/* One profile_run is one sample of speedscope's, weighing `count`. */
static void write_thread(const struct profile *p, const struct profile_thread *thread, FILE *out)
{
    fputs("{\"type\":\"sampled\",\"name\":\"", out);
    json_chars(out, thread->name);
    fprintf(out, " (tid %" PRId64 ")\",\"unit\":\"none\",\"startValue\":0,"
                 "\"endValue\":%" PRIu64 ",\n\"samples\":[",
            thread->tid, thread->samples);
    for (size_t r = 0; r < thread->run_count; r++) {
        const struct profile_stack *stack = &p->stacks[thread->runs[r].stack];
        fputs(r ? ",[" : "[", out);
        for (uint32_t i = 0; i < stack->depth; i++)
            fprintf(out, i ? ",%" PRIu32 : "%" PRIu32, stack->frames[i]);
        fputc(']', out);
    }
    fputs("],\n\"weights\":[", out);
    for (size_t r = 0; r < thread->run_count; r++)
        fprintf(out, r ? ",%" PRIu32 : "%" PRIu32, thread->runs[r].count);
    fputs("]}", out);
}

int profile_write_speedscope(const struct profile *p, FILE *out, const char *exporter)
{
    if (profile_check(p) < 0)
        return -1;
    fputs("{\"$schema\":\"" SPEEDSCOPE_SCHEMA "\",\n", out);
    write_frames(p, out);
    fputs("\"profiles\":[", out);
    for (size_t t = 0; t < p->thread_count; t++) {
        fputs(t ? ",\n" : "\n", out);
        write_thread(p, &p->threads[t], out);
    }
    fputs("],\n\"name\":", out);
    json_string(out, p->title ? p->title : "");
    fputs(",\"activeProfileIndex\":0", out);
    if (exporter) {
        fputs(",\"exporter\":", out);
        json_string(out, exporter);
    }
    fputs("}\n", out);
    return output_finish(out);
}
