/* export_csv.c — see export_csv.h; docs/export.md gives every column. */
#include "export/export_csv.h"
#include "export/export_common.h"
#include "util/escape.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* The columns before and after the swept parameters' (the figures are a histogram's). */
static const char *const leading[] = {"id", "label", "experiment"};
static const char *const trailing[] = {"status", "histogram", "count", "min",  "mean",
                                       "stddev", "p50",       "p90",   "p99",  "p99_9",
                                       "max",    "throughput", "unit", "error"};
#define FIGURES_FROM 2 /* trailing[2..] up to "throughput" are figures of the histogram */
#define FIGURES_TO 11

/* RFC 4180 ends records with CRLF. */
static const char eol[] = "\r\n";

/* Every swept parameter of the run's points, in the order they first come. */
static json_t *all_axes(const json_t *doc)
{
    json_t *axes = json_array(), *seen = json_object();
    size_t i, j;
    json_t *point, *axis;
    json_array_foreach(json_object_get(doc, "points"), i, point) {
        json_t *own = export_axes(export_spec_experiment(doc, export_text(point, "experiment", "")));
        json_array_foreach(own, j, axis) {
            if (!json_object_get(seen, json_string_value(axis))) {
                json_object_set_new(seen, json_string_value(axis), json_true());
                json_array_append(axes, axis);
            }
        }
        json_decref(own);
    }
    json_decref(seen);
    return axes;
}

static int is_fixed_column(const char *name)
{
    for (size_t k = 0; k < sizeof leading / sizeof *leading; k++)
        if (strcmp(name, leading[k]) == 0)
            return 1;
    for (size_t k = 0; k < sizeof trailing / sizeof *trailing; k++)
        if (strcmp(name, trailing[k]) == 0)
            return 1;
    return 0;
}

static void header(FILE *f, const json_t *axes)
{
    for (size_t k = 0; k < sizeof leading / sizeof *leading; k++)
        fprintf(f, "%s%s", k ? "," : "", leading[k]);
    size_t i;
    json_t *axis;
    json_array_foreach(axes, i, axis) {
        const char *name = json_string_value(axis);
        /* A parameter called like a column of ours keeps its column apart. */
        if (is_fixed_column(name)) {
            char *prefixed = xasprintf("param:%s", name);
            fputc(',', f);
            escape_csv(f, prefixed);
            free(prefixed);
        } else {
            fputc(',', f);
            escape_csv(f, name);
        }
    }
    for (size_t k = 0; k < sizeof trailing / sizeof *trailing; k++)
        fprintf(f, ",%s", trailing[k]);
    fputs(eol, f);
}


static void text_field(FILE *f, const char *s)
{
    if (s)
        escape_csv(f, s);
}

/* One row: the point, its value of each axis, and `h`'s figures (none when h is NULL). */
static void row(FILE *f, const json_t *point, const json_t *axes, const char *hname,
                const json_t *h)
{
    text_field(f, export_text(point, "id", ""));
    fputc(',', f);
    text_field(f, export_text(point, "label", ""));
    fputc(',', f);
    text_field(f, export_text(point, "experiment", ""));
    size_t i;
    json_t *axis;
    json_array_foreach(axes, i, axis) {
        int is_string = 0;
        char *value = export_axis_text(point, json_string_value(axis), &is_string);
        fputc(',', f);
        /* Numbers are not text: only a string goes through the escaper's formula guard. */
        if (value && is_string)
            escape_csv(f, value);
        else if (value)
            fputs(value, f);
        free(value);
    }
    fputc(',', f);
    text_field(f, export_text(point, "status", ""));
    fputc(',', f);
    text_field(f, hname);
    for (int k = FIGURES_FROM; k <= FIGURES_TO; k++) {
        fputc(',', f);
        const char *field = strcmp(trailing[k], "throughput") == 0 ? "throughput_per_s"
                                                                   : trailing[k];
        export_print_number(f, json_object_get(h, field)); /* nothing for null */
    }
    fputc(',', f);
    text_field(f, h ? export_text(h, "unit", "ns") : NULL);
    fputc(',', f);
    text_field(f, export_text(point, "error", NULL));
    fputs(eol, f);
}

void export_csv(FILE *f, const json_t *doc)
{
    json_t *axes = all_axes(doc);
    header(f, axes);
    size_t i;
    json_t *point;
    json_array_foreach(json_object_get(doc, "points"), i, point) {
        const json_t *histograms = json_object_get(point, "histograms");
        if (json_object_size(histograms) == 0)
            row(f, point, axes, NULL, NULL);
        const char *hname;
        json_t *h;
        json_object_foreach(json_object_get(point, "histograms"), hname, h)
            row(f, point, axes, hname, h);
    }
    json_decref(axes);
}
