/*
 * services_reports.c — the ABI 1.2 services: what a plugin reports besides
 * numbers. A metric it cannot measure here (with the reason), facts in
 * words, tables of rows, and the point's label to title what it writes.
 */
#include "run/services_reports.h"
#include "util/mem.h"
#include "util/text.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

static struct host_ctx *host(bhost_ctx *ctx)
{
    return (struct host_ctx *)ctx;
}

/* [a-z][a-z0-9_]*, at most 31 characters: a column's name. */
static int valid_column_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= 31 && *s >= 'a' && *s <= 'z' &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* A plugin's name for something it reports: UTF-8, not empty. */
static int valid_name(struct host_ctx *c, const char *name, const char *call)
{
    if (name && *name && utf8_valid(name) && strlen(name) <= 128)
        return 1;
    ctx_misuse(c, "plugin bug: %s() needs a UTF-8 name of 1 to 128 bytes", call);
    return 0;
}

/* Tables and notes may be reported from any of a point's threads. */
static void lock(struct host_ctx *c)
{
    if (c->ps)
        pthread_mutex_lock(&c->ps->lock);
}

static void unlock(struct host_ctx *c)
{
    if (c->ps)
        pthread_mutex_unlock(&c->ps->lock);
}

void api_unavailablev(bhost_ctx *ctx, const char *name, const char *fmt, va_list ap)
{
    struct host_ctx *c = host(ctx);
    if (!valid_name(c, name, "bhost_unavailable"))
        return;
    struct metric *m = ctx_metric(c, name, METRIC_UNAVAILABLE);
    if (!m || m->reason)
        return; /* the first reason stands */
    m->kind = METRIC_UNAVAILABLE;
    m->value = NAN;
    m->reason = utf8_sanitize(xvasprintf(fmt ? fmt : "unavailable", ap));
}

void api_notev(bhost_ctx *ctx, const char *name, const char *fmt, va_list ap)
{
    struct host_ctx *c = host(ctx);
    if (!valid_name(c, name, "bhost_note"))
        return;
    if (!c->notes) {
        ctx_misuse(c, "plugin bug: bhost_note(\"%s\") where there is no point or run", name);
        return;
    }
    char *full = xasprintf("%s%s", c->prefix, name);
    char *text = utf8_sanitize(xvasprintf(fmt ? fmt : "", ap));
    lock(c);
    struct notes *n = c->notes;
    size_t i = 0;
    while (i < n->n && strcmp(n->v[i].name, full) != 0)
        i++;
    if (i < n->n) {
        free(n->v[i].text);
        n->v[i].text = text;
        free(full);
    } else {
        grow(&n->v, &n->cap, n->n, sizeof *n->v);
        n->v[n->n++] = (struct note){.name = full, .text = text};
    }
    unlock(c);
}

/* Whether `t` has exactly these columns. */
static int same_columns(const struct bhost_table *t, const struct bhost_column *cols,
                        uint32_t n, uint32_t size)
{
    if (t->ncolumns != n)
        return 0;
    for (uint32_t i = 0; i < n; i++) {
        const struct bhost_column *col =
            (const struct bhost_column *)(const void *)((const char *)cols + (size_t)i * size);
        const char *a = t->columns[i].unit, *b = col->unit;
        if (strcmp(t->columns[i].name, col->name) != 0 || (!a) != (!b) || (a && strcmp(a, b)))
            return 0;
    }
    return 1;
}

/* Why the options cannot make a table, or NULL if they can. */
static const char *bad_options(const struct bhost_table_options *o)
{
    if (!o || o->size < offsetof(struct bhost_table_options, column_size) + sizeof(uint32_t))
        return "give options filled with BHOST_TABLE_OPTIONS";
    if (o->column_size < sizeof(struct bhost_column))
        return "column_size is smaller than a column: fill the options with BHOST_TABLE_OPTIONS";
    if (!o->columns || o->column_count < 1 || o->column_count > 32)
        return "a table has 1 to 32 columns";
    if (o->flags & ~(uint32_t)(BHOST_TABLE_SHOW | BHOST_TABLE_SERIES))
        return "unknown flags";
    for (uint32_t i = 0; i < o->column_count; i++) {
        const struct bhost_column *col = (const struct bhost_column *)(const void *)(
            (const char *)o->columns + (size_t)i * o->column_size);
        if (!valid_column_name(col->name))
            return "a column's name is [a-z][a-z0-9_]*, at most 31 characters";
        if (col->unit && (!utf8_valid(col->unit) || strlen(col->unit) > 31))
            return "a column's unit is UTF-8, at most 31 bytes";
        for (uint32_t k = 0; k < i; k++) {
            const struct bhost_column *other = (const struct bhost_column *)(const void *)(
                (const char *)o->columns + (size_t)k * o->column_size);
            if (strcmp(other->name, col->name) == 0)
                return "two columns have the same name";
        }
    }
    if ((o->flags & BHOST_TABLE_SERIES) && !o->columns->unit)
        return "a series' first column is its time, a number";
    if (o->title && !utf8_valid(o->title))
        return "the title is not UTF-8";
    return NULL;
}

static struct bhost_table *new_table(const char *full, const struct bhost_table_options *o)
{
    struct bhost_table *t = xcalloc(1, sizeof *t);
    t->name = xstrdup(full);
    t->title = o->title ? xstrdup(o->title) : NULL;
    t->flags = o->flags;
    t->ncolumns = o->column_count;
    t->columns = xcalloc(t->ncolumns, sizeof *t->columns);
    for (uint32_t i = 0; i < t->ncolumns; i++) {
        const struct bhost_column *col = (const struct bhost_column *)(const void *)(
            (const char *)o->columns + (size_t)i * o->column_size);
        t->columns[i] = (struct table_column){.name = xstrdup(col->name),
                                              .unit = col->unit ? xstrdup(col->unit) : NULL};
    }
    return t;
}

bhost_table *api_table_get(bhost_ctx *ctx, const char *name, const struct bhost_table_options *o)
{
    struct host_ctx *c = host(ctx);
    if (!valid_name(c, name, "bhost_table_get"))
        return NULL;
    const char *why = bad_options(o);
    if (why) {
        ctx_misuse(c, "plugin bug: bhost_table_get(\"%s\"): %s", name, why);
        return NULL;
    }
    if (!c->tables) {
        ctx_misuse(c, "plugin bug: bhost_table_get(\"%s\") where there is no point or run", name);
        return NULL;
    }
    char *full = xasprintf("%s%s", c->prefix, name);
    struct bhost_table *t = NULL;
    lock(c);
    struct tables *all = c->tables;
    for (size_t i = 0; i < all->n && !t; i++)
        if (strcmp(all->v[i]->name, full) == 0)
            t = all->v[i];
    if (!t) {
        grow(&all->v, &all->cap, all->n, sizeof *all->v);
        t = all->v[all->n++] = new_table(full, o);
    } else if (!same_columns(t, o->columns, o->column_count, o->column_size)) {
        ctx_misuse(c, "plugin bug: bhost_table_get(\"%s\"): the table was made with other columns",
                   name);
        t = NULL;
    }
    unlock(c);
    free(full);
    return t;
}

void api_table_row(bhost_ctx *ctx, bhost_table *t, const struct bhost_cell *cells)
{
    struct host_ctx *c = host(ctx);
    if (!t)
        return;
    if (!cells) {
        ctx_misuse(c, "plugin bug: bhost_table_row(\"%s\") without cells", t->name);
        return;
    }
    for (uint32_t i = 0; i < t->ncolumns; i++)
        if (t->columns[i].unit && cells[i].text) {
            ctx_misuse(c, "plugin bug: bhost_table_row(\"%s\"): column '%s' holds numbers, "
                          "not text", t->name, t->columns[i].name);
            return;
        }
    lock(c);
    if (t->nrows >= TABLE_MAX_ROWS) {
        t->rows_dropped++;
    } else {
        grow(&t->cells, &t->cap, t->nrows, (size_t)t->ncolumns * sizeof *t->cells);
        struct table_cell *row = &t->cells[t->nrows * t->ncolumns];
        for (uint32_t i = 0; i < t->ncolumns; i++)
            row[i] = t->columns[i].unit
                         ? (struct table_cell){.number = cells[i].number}
                         : (struct table_cell){.text = cells[i].text
                                                           ? utf8_sanitize(xstrdup(cells[i].text))
                                                           : NULL};
        t->nrows++;
    }
    unlock(c);
}

const char *api_point_label(bhost_ctx *ctx)
{
    struct host_ctx *c = host(ctx);
    return c->ps ? c->ps->label : NULL;
}
