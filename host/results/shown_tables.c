/* shown_tables.c — see shown_tables.h. */
#include "results/shown_tables.h"
#include "results/table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows printed of a table without -v; results.json has them all. */
#define SHOWN_ROWS 50
/* The widest a text column gets without -v, so that a row fits 100 columns. */
#define TEXT_WIDTH_MAX 56

/* A cell as the table prints it: text as it is (whatever its length), numbers short and
 * in their unit, formatted into buf. */
static const char *format_cell(char *buf, size_t n, const json_t *cell, const char *unit)
{
    if (!unit)
        return json_is_string(cell) ? json_string_value(cell) : "";
    if (!json_is_number(cell))
        return "-";
    double v = json_number_value(cell);
    if (strcmp(unit, "%") == 0)
        snprintf(buf, n, "%.1f%%", v);
    else if (strcmp(unit, "ns") == 0 || strcmp(unit, "ms") == 0 || strcmp(unit, "s") == 0)
        format_ns(buf, n, v * (unit[0] == 'n' ? 1 : unit[0] == 'm' ? 1e6 : 1e9));
    else if (strcmp(unit, "bytes") == 0) {
        format_rate(buf, n, v);
        strncat(buf, "B", n - strlen(buf) - 1);
    } else if (v == floor(v) && fabs(v) < 1e6)
        snprintf(buf, n, "%.0f", v);
    else if (fabs(v) >= 1000)
        format_rate(buf, n, v);
    else
        snprintf(buf, n, "%.3g", v);
    return buf;
}

/* The columns `s` takes on a terminal: one per UTF-8 character, not per byte. */
static size_t display_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* Prints `s` left-aligned in `width` columns, cut with ".." when longer. */
static void print_text(FILE *out, const char *s, size_t width)
{
    size_t len = display_len(s);
    if (len <= width) {
        fprintf(out, "%s%*s", s, (int)(width - len), "");
        return;
    }
    size_t cols = 0;
    const char *p = s;
    for (; *p && cols < width - 2; p++)
        cols += ((unsigned char)*p & 0xc0) != 0x80;
    while (((unsigned char)*p & 0xc0) == 0x80) /* finish the character begun */
        p++;
    fprintf(out, "%.*s..", (int)(p - s), s);
}

static void print_table(FILE *out, const char *label, const json_t *t, int verbose)
{
    const json_t *cols = json_object_get(t, "columns"), *rows = json_object_get(t, "rows");
    size_t ncols = json_array_size(cols), nrows = json_array_size(rows);
    size_t shown = verbose || nrows <= SHOWN_ROWS ? nrows : SHOWN_ROWS;
    if (nrows == 0) {
        fprintf(out, "\n%s: %s\n  (no rows)\n", json_string_value(json_object_get(t, "title")),
                label);
        return;
    }
    size_t *width = calloc(ncols, sizeof *width);
    if (!width)
        return;
    char buf[64];
    for (size_t c = 0; c < ncols; c++) {
        const json_t *col = json_array_get(cols, c);
        const char *unit = json_string_value(json_object_get(col, "unit"));
        width[c] = display_len(json_string_value(json_object_get(col, "name")));
        for (size_t r = 0; r < shown; r++) {
            const char *cell =
                format_cell(buf, sizeof buf, json_array_get(json_array_get(rows, r), c), unit);
            size_t len = display_len(cell);
            width[c] = len > width[c] ? len : width[c];
        }
        if (!unit && !verbose && width[c] > TEXT_WIDTH_MAX)
            width[c] = TEXT_WIDTH_MAX;
    }
    fprintf(out, "\n%s: %s\n", json_string_value(json_object_get(t, "title")), label);
    for (size_t r = 0; r <= shown; r++) { /* row 0 is the header */
        fputs(" ", out);
        for (size_t c = 0; c < ncols; c++) {
            const json_t *col = json_array_get(cols, c);
            const char *unit = json_string_value(json_object_get(col, "unit"));
            const char *cell =
                r == 0 ? json_string_value(json_object_get(col, "name"))
                       : format_cell(buf, sizeof buf,
                                     json_array_get(json_array_get(rows, r - 1), c), unit);
            fputs(" ", out);
            if (!unit)
                print_text(out, cell, width[c]);
            else
                fprintf(out, "%*s", (int)width[c], cell);
        }
        fputc('\n', out);
    }
    if (shown < nrows)
        fprintf(out, "  (%zu more rows in results.json; -v shows them)\n", nrows - shown);
    json_int_t dropped = json_integer_value(json_object_get(t, "rows_dropped"));
    if (dropped > 0)
        fprintf(out, "  (%lld rows beyond the table's limit were not kept)\n",
                (long long)dropped);
    free(width);
}

void report_shown_tables(FILE *out, const json_t *doc, int verbose)
{
    struct point_source src;
    point_source_of_array(&src, json_object_get(doc, "points"));
    report_shown_tables_points(out, &src, verbose);
}

void report_shown_tables_points(FILE *out, struct point_source *src, int verbose)
{
    struct table_pick pick;
    report_table_pick(&pick, src, verbose);
    for (size_t i = 0; i < src->n; i++) {
        if (!report_table_shows(&pick, src, i))
            continue;
        json_t *pt = point_source_get(src, i);
        const char *name;
        json_t *t;
        json_object_foreach(json_object_get(pt, "tables"), name, t)
            if (json_is_true(json_object_get(t, "show")))
                print_table(out, json_string_value(json_object_get(pt, "label")), t, verbose);
        json_decref(pt);
    }
}
