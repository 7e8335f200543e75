/*
 * protocol.c — parses and applies the lines an exec command writes to $BHOST_FD.
 */
#include "protocol.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { KIND_COUNTER, KIND_GAUGE, KIND_RECORD };

static const char *const kind_words[] = {"counter", "gauge", "record"};

/* Longest an hour of nanoseconds: what a histogram of times holds. */
#define RECORD_MAX_NS 3.6e12

void protocol_start(struct protocol *p, bhost_ctx *ctx)
{
    p->ctx = ctx;
    p->len = 0;
    p->too_long = 0;
    p->line_no = 0;
    p->error[0] = '\0';
}

const char *protocol_error(const struct protocol *p)
{
    return p->error[0] ? p->error : NULL;
}

/* Keeps the first error only: it is the one that explains the others. */
__attribute__((format(printf, 3, 4)))
static void refuse(struct protocol *p, const char *line, const char *fmt, ...)
{
    if (p->error[0])
        return;
    char why[200], shown[121];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    size_t i = 0;
    for (; line[i] && i < sizeof shown - 1; i++)
        shown[i] = (line[i] >= 0x20 && line[i] < 0x7f) ? line[i] : '?';
    shown[i] = '\0';
    snprintf(p->error, sizeof p->error, "BHOST_FD line %u: %s: '%s%s'", p->line_no, why, shown,
             line[i] ? "..." : "");
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof(((struct protocol_name *)0)->name))
        return 0;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

/* The entry for `name`, made on first use; NULL (refused) on a kind clash or a full table. */
static struct protocol_name *entry(struct protocol *p, const char *line, const char *name,
                                   int kind)
{
    for (size_t i = 0; i < p->name_count; i++) {
        struct protocol_name *e = &p->names[i];
        if (strcmp(e->name, name) != 0 || (e->kind == KIND_RECORD) != (kind == KIND_RECORD))
            continue;
        if (e->kind != kind) {
            refuse(p, line, "'%s' is a %s already, not a %s", name, kind_words[e->kind],
                   kind_words[kind]);
            return NULL;
        }
        return e;
    }
    if (p->name_count == PROTOCOL_NAMES_MAX) {
        refuse(p, line, "more than %d names in one point", PROTOCOL_NAMES_MAX);
        return NULL;
    }
    struct protocol_name *e = &p->names[p->name_count++];
    snprintf(e->name, sizeof e->name, "%s", name);
    e->kind = kind;
    e->hist = kind == KIND_RECORD ? bhost_histogram(p->ctx, name) : NULL;
    return e;
}

static void apply(struct protocol *p, char *line)
{
    char copy[PROTOCOL_LINE_MAX + 1];
    snprintf(copy, sizeof copy, "%s", line);
    const char *blanks = " \t\r";
    char *save = NULL;
    char *word = strtok_r(line, blanks, &save);
    if (!word || word[0] == '#')
        return;
    char *name = strtok_r(NULL, blanks, &save);
    char *value = name ? strtok_r(NULL, blanks, &save) : NULL;
    char *extra = value ? strtok_r(NULL, blanks, &save) : NULL;
    int kind = -1;
    for (int k = 0; k < 3; k++)
        if (strcmp(word, kind_words[k]) == 0)
            kind = k;
    if (kind < 0) {
        refuse(p, copy, "unknown kind '%.40s' (counter, gauge or record)", word);
        return;
    }
    if (!value || extra) {
        refuse(p, copy, "want '%s NAME VALUE'", word);
        return;
    }
    if (!valid_name(name)) {
        refuse(p, copy, "a name is a letter then letters, digits or _, at most 63");
        return;
    }
    if (kind == KIND_RECORD && (strcmp(name, "iteration") == 0 || strcmp(name, "response") == 0)) {
        refuse(p, copy, "'%s' is bhost's own histogram", name);
        return;
    }
    char *end;
    double v = strtod(value, &end);
    if (end == value || *end || !isfinite(v)) {
        refuse(p, copy, "'%.40s' is not a finite number", value);
        return;
    }
    if (kind == KIND_RECORD && (v < 0 || v > RECORD_MAX_NS)) {
        refuse(p, copy, "a recorded value is 0 to 3.6e12 ns (an hour)");
        return;
    }
    struct protocol_name *e = entry(p, copy, name, kind);
    if (!e)
        return;
    if (kind == KIND_COUNTER)
        bhost_counter_add(p->ctx, name, v);
    else if (kind == KIND_GAUGE)
        bhost_gauge_set(p->ctx, name, v);
    else
        bhost_record(p->ctx, e->hist, llround(v));
}

static void line_done(struct protocol *p)
{
    p->line_no++;
    p->line[p->len] = '\0';
    if (p->too_long)
        refuse(p, p->line, "a line is at most %d bytes", PROTOCOL_LINE_MAX);
    else if (memchr(p->line, '\0', p->len))
        refuse(p, p->line, "a NUL byte in the line");
    else
        apply(p, p->line);
    p->len = 0;
    p->too_long = 0;
}

void protocol_feed(struct protocol *p, const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (data[i] == '\n') {
            line_done(p);
        } else if (p->len < PROTOCOL_LINE_MAX) {
            p->line[p->len++] = data[i];
        } else {
            p->too_long = 1;
        }
    }
}

void protocol_end(struct protocol *p)
{
    if (p->len > 0 || p->too_long)
        line_done(p);
}
