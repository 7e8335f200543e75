/*
 * compare_print.c — compare_print_table() and compare_print_markdown() of
 * compare.h: the figures as a table, what else differs, and the summary.
 */
#include "compare/compare.h"
#include "util/escape.h"
#include "util/mem.h"
#include "util/text.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 100 /* the terminal table's columns */

enum { COL_POINT, COL_FIGURE, COL_A, COL_B, COL_RATIO, COL_INTERVAL, COL_VERDICT, NCOLS };

static const char *const headers[NCOLS] = {"point", "figure", "A", "B", "ratio", "interval",
                                           "verdict"};
static const int right_aligned[NCOLS] = {0, 0, 1, 1, 1, 0, 0};

struct row {
    char cell[NCOLS][96];
};

/* Columns on a terminal: UTF-8 continuation bytes take none. */
static size_t columns(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* s cut to `cols` columns, its last one "…" when cut, into buf; never inside a character,
 * whether the columns or buf's size is what cuts. */
static void clip(char *buf, size_t size, const char *s, size_t cols)
{
    if ((columns(s) <= cols && strlen(s) < size) || cols == 0) {
        snprintf(buf, size, "%s", cols ? s : "");
        return;
    }
    size_t n = 0, used = 0;
    for (; s[used]; used++) {
        if (((unsigned char)s[used] & 0xC0) != 0x80 && ++n == cols)
            break;
    }
    while (used > 0 && used + sizeof "…" > size) /* room for "…" and the NUL */
        while (used > 0 && ((unsigned char)s[--used] & 0xC0) == 0x80)
            ;
    snprintf(buf, size, "%.*s…", (int)used, s);
}

static void pad(FILE *f, const char *s, size_t cols, int right)
{
    size_t w = columns(s);
    if (right)
        fprintf(f, "%*s%s", (int)(cols > w ? cols - w : 0), "", s);
    else
        fprintf(f, "%s%*s", s, (int)(cols > w ? cols - w : 0), "");
}

/* Four significant digits or so, without an exponent below 10^6. */
static void digits4(char *buf, size_t size, double x)
{
    int decimals = x < 10 ? 3 : x < 100 ? 2 : x < 1000 ? 1 : 0;
    if (x < 1e6)
        snprintf(buf, size, "%.*f", decimals, x);
    else
        snprintf(buf, size, "%.4g", x);
}

/* A figure's value: times in ns, µs, ms or s; other units as numbers with their unit. */
static void value_text(char *buf, size_t size, double v, const char *unit)
{
    char num[48];
    if (isnan(v)) {
        snprintf(buf, size, "-");
    } else if (strcmp(unit, "ns") != 0) {
        snprintf(buf, size, "%.4g%s%.8s", v, *unit ? " " : "", unit);
    } else if (v < 1e3) {
        snprintf(buf, size, "%.4g ns", v);
    } else {
        static const char *const names[] = {"µs", "ms", "s"};
        double scale = v < 1e6 ? 1e3 : v < 1e9 ? 1e6 : 1e9;
        digits4(num, sizeof num, v / scale);
        snprintf(buf, size, "%s %s", num, names[scale == 1e3 ? 0 : scale == 1e6 ? 1 : 2]);
    }
}

static void ratio_text(char *buf, size_t size, double r)
{
    if (isnan(r))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, r < 1000 ? "%.3f" : "%.3g", r);
}

static void interval_text(char *buf, size_t size, const struct stats_ratio *r)
{
    if (isnan(r->lo))
        snprintf(buf, size, "none");
    else
        snprintf(buf, size, "%.3f–%.3f", r->lo, r->hi);
}

/* "p50" for the iteration histogram, which most points have alone; "response p99" else. */
static void figure_text(char *buf, size_t size, const struct compare_figure *f)
{
    size_t room = strlen(f->figure) + 2;
    if (strcmp(f->histogram, "iteration") == 0 || room >= size) {
        snprintf(buf, size, "%s", f->figure);
        return;
    }
    clip(buf, size - room + 1, f->histogram, 60); /* whole characters: buf is bytes */
    snprintf(buf + strlen(buf), size - strlen(buf), " %s", f->figure);
}

static void fill_row(struct row *row, const struct compare_figure *f)
{
    clip(row->cell[COL_POINT], sizeof row->cell[0], f->label, SIZE_MAX);
    text_scrub_controls(row->cell[COL_POINT]);
    figure_text(row->cell[COL_FIGURE], sizeof row->cell[0], f);
    value_text(row->cell[COL_A], sizeof row->cell[0], f->a, f->unit);
    value_text(row->cell[COL_B], sizeof row->cell[0], f->b, f->unit);
    ratio_text(row->cell[COL_RATIO], sizeof row->cell[0], f->r.ratio);
    interval_text(row->cell[COL_INTERVAL], sizeof row->cell[0], &f->r);
    snprintf(row->cell[COL_VERDICT], sizeof row->cell[0], "%s", verdict_name(f->verdict));
}

/* "42 figures: 3 slower, 1 faster, 36 same, 2 inconclusive" (and failures) into head;
 * "geometric mean p50 1.012, ..." into geo. */
static void summary_text(const struct compare_result *r, char *head, size_t hsize, char *geo,
                         size_t gsize)
{
    json_t *s = r->summary;
#define N(key) ((long long)json_integer_value(json_object_get(s, key)))
    int used = snprintf(head, hsize, "%lld figure%s: %lld slower, %lld faster, %lld same, "
                        "%lld inconclusive", N("figures"), N("figures") == 1 ? "" : "s",
                        N("slower"), N("faster"), N("same"), N("inconclusive"));
    if (N("more_failures") && used > 0 && (size_t)used < hsize)
        snprintf(head + used, hsize - (size_t)used, "; %lld point%s with more failures",
                 N("more_failures"), N("more_failures") == 1 ? "" : "s");
#undef N
    const char *key;
    json_t *g;
    size_t at = 0;
    geo[0] = '\0';
    json_object_foreach(json_object_get(s, "geomean"), key, g) {
        char num[32];
        ratio_text(num, sizeof num, json_is_number(g) ? json_number_value(g) : NAN);
        int n = snprintf(geo + at, gsize - at, "%s%s %s", at ? ", " : "geometric mean ", key, num);
        if (n < 0 || (size_t)n >= gsize - at)
            break;
        at += (size_t)n;
    }
}

/* A metric's value: whole numbers whole, others to four digits. */
static void number_text(char *buf, size_t size, double x)
{
    if (x == floor(x) && fabs(x) < 1e12)
        snprintf(buf, size, "%.0f", x);
    else
        snprintf(buf, size, "%.4g", x);
}

/* What differs beside the figures: status, failed iterations, metrics past the threshold. */
static void point_differences(char *buf, size_t size, const json_t *p, double threshold)
{
    json_t *st = json_object_get(p, "status"), *fl = json_object_get(p, "failures");
    json_t *sr = json_object_get(p, "success_rate"), *m;
    const char *sa = json_string_value(json_object_get(st, "a"));
    const char *sb = json_string_value(json_object_get(st, "b"));
    size_t at = 0;
    buf[0] = '\0';
#define ADD(...) \
    do { \
        int n_ = snprintf(buf + at, size - at, __VA_ARGS__); \
        if (n_ > 0) \
            at = at + (size_t)n_ < size ? at + (size_t)n_ : size - 1; \
    } while (0)
    if (sa && sb && strcmp(sa, sb) != 0)
        ADD("status %s → %s", sa, sb);
    if (!json_equal(json_object_get(fl, "a"), json_object_get(fl, "b")))
        ADD("%sfailures %lld → %lld (success rate %.4g → %.4g)", at ? ", " : "",
            (long long)json_integer_value(json_object_get(fl, "a")),
            (long long)json_integer_value(json_object_get(fl, "b")),
            json_number_value(json_object_get(sr, "a")),
            json_number_value(json_object_get(sr, "b")));
    const char *name;
    json_object_foreach(json_object_get(p, "metrics"), name, m) {
        double a = json_number_value(json_object_get(m, "a"));
        double b = json_number_value(json_object_get(m, "b"));
        json_t *ratio = json_object_get(m, "ratio");
        double r = json_number_value(ratio);
        if (a == b || (json_is_number(ratio) && r <= 1 + threshold && r >= 1 / (1 + threshold)))
            continue;
        char ta[32], tb[32];
        number_text(ta, sizeof ta, a);
        number_text(tb, sizeof tb, b);
        ADD("%s%s %s → %s", at ? ", " : "", name, ta, tb);
        if (json_is_number(ratio))
            ADD(" (×%.3g)", r);
    }
    if (json_is_true(json_object_get(p, "more_failures")))
        ADD(": more failures");
#undef ADD
}

static void print_unmatched(FILE *f, const struct compare_result *r, int markdown)
{
    static const char *const sides[] = {"only_a", "only_b"};
    for (int s = 0; s < 2; s++) {
        json_t *list = json_object_get(r->unmatched, sides[s]), *l;
        if (!json_array_size(list))
            continue;
        char line[2048];
        size_t at = 0, i;
        int n = snprintf(line, sizeof line, "%s%zu point%s only in %s: ", markdown ? "- " : "",
                         json_array_size(list), json_array_size(list) == 1 ? "" : "s",
                         s ? "B" : "A");
        at = n > 0 ? (size_t)n : 0;
        json_array_foreach(list, i, l) {
            n = snprintf(line + at, sizeof line - at, "%s%s", i ? ", " : "",
                         json_string_value(l) ? json_string_value(l) : "?");
            if (n < 0 || (size_t)n >= sizeof line - at)
                break;
            at += (size_t)n;
        }
        char shown[WIDTH * 4 + 8];
        if (markdown) {
            escape_markdown(f, line);
            fputc('\n', f);
        } else {
            clip(shown, sizeof shown, line, WIDTH);
            fprintf(f, "%s\n", text_scrub_controls(shown));
        }
    }
}

void compare_print_table(FILE *f, const struct compare_result *r, const struct compare_options *o)
{
    struct row *rows = xcalloc(r->nfigs + 1, sizeof *rows);
    size_t w[NCOLS];
    for (int c = 0; c < NCOLS; c++)
        w[c] = columns(headers[c]);
    for (size_t k = 0; k < r->nfigs; k++) {
        fill_row(&rows[k], &r->figs[k]);
        for (int c = 0; c < NCOLS; c++)
            if (columns(rows[k].cell[c]) > w[c])
                w[c] = columns(rows[k].cell[c]);
    }
    size_t rest = 2 * (NCOLS - 1);
    for (int c = 1; c < NCOLS; c++)
        rest += w[c];
    if (w[COL_POINT] + rest > WIDTH)
        w[COL_POINT] = rest + 10 < WIDTH ? WIDTH - rest : 10;
    for (size_t k = 0; k <= r->nfigs; k++) {
        for (int c = 0; c < NCOLS; c++) {
            char text[4 * WIDTH];
            clip(text, sizeof text, k == 0 ? headers[c] : rows[k - 1].cell[c], w[c]);
            if (c == NCOLS - 1)
                fprintf(f, "%s\n", text);
            else {
                pad(f, text, w[c], right_aligned[c]);
                fputs("  ", f);
            }
        }
    }
    free(rows);
    size_t i;
    json_t *p;
    int said = 0;
    json_array_foreach(r->points, i, p) {
        char diff[2048], line[4 * WIDTH + 8], *text;
        point_differences(diff, sizeof diff, p, o->threshold);
        if (!diff[0])
            continue;
        if (!said++)
            fputs("\nfailures and metrics that differ:\n", f);
        text_scrub_controls(diff);
        text = text_scrub_controls(
            xasprintf("  %s: %s", json_string_value(json_object_get(p, "label")), diff));
        if (columns(text) <= WIDTH) {
            fprintf(f, "%s\n", text);
        } else { /* too long for one line: one difference a line */
            clip(line, sizeof line, json_string_value(json_object_get(p, "label")), WIDTH - 3);
            text_scrub_controls(line);
            fprintf(f, "  %s:\n", line);
            for (char *item = diff, *next; item; item = next) {
                next = strstr(item, ", ");
                if (next) {
                    *next = '\0';
                    next += 2;
                }
                clip(line, sizeof line, item, WIDTH - 4);
                fprintf(f, "    %s\n", line);
            }
        }
        free(text);
    }
    if (json_array_size(json_object_get(r->unmatched, "only_a")) ||
        json_array_size(json_object_get(r->unmatched, "only_b")))
        fputc('\n', f);
    print_unmatched(f, r, 0);
    char head[256], geo[512];
    summary_text(r, head, sizeof head, geo, sizeof geo);
    if (columns(head) + 2 + columns(geo) <= WIDTH)
        fprintf(f, "\n%s%s%s\n", head, geo[0] ? "; " : "", geo);
    else
        fprintf(f, "\n%s;\n%s\n", head, geo);
}

/* A cell of a Markdown table: text from the results, never markup. */
static void md_cell(FILE *f, const char *s)
{
    fputc(' ', f);
    escape_markdown(f, s);
    fputs(" |", f);
}

static const char *verdict_badge(enum verdict v)
{
    switch (v) {
    case VERDICT_SLOWER: return "🔴 slower";
    case VERDICT_FASTER: return "🟢 faster";
    case VERDICT_SAME: return "⚪ same";
    default: return "🟡 inconclusive";
    }
}

void compare_print_markdown(FILE *f, const struct compare_result *r,
                            const struct compare_options *o)
{
    fprintf(f, "| point | figure | A | B | ratio | %g%% interval | verdict |\n",
            o->confidence * 100);
    fputs("|:--|:--|--:|--:|--:|:--|:--|\n", f);
    for (size_t k = 0; k < r->nfigs; k++) {
        struct row row;
        const struct compare_figure *fig = &r->figs[k];
        fill_row(&row, fig);
        fputc('|', f);
        for (int c = COL_POINT; c < COL_VERDICT; c++)
            md_cell(f, row.cell[c]);
        char verdict[256];
        snprintf(verdict, sizeof verdict, "%s%s%s", verdict_badge(fig->verdict),
                 fig->why[0] ? ": " : "", fig->why);
        md_cell(f, verdict);
        fputc('\n', f);
    }
    char head[256], geo[512];
    summary_text(r, head, sizeof head, geo, sizeof geo);
    fprintf(f, "\n**%s**%s%s (threshold %g%%, %g%% intervals)\n", head, geo[0] ? "; " : "", geo,
            o->threshold * 100, o->confidence * 100);
    size_t i;
    json_t *p, *w;
    int said = 0;
    json_array_foreach(r->points, i, p) {
        char diff[2048];
        point_differences(diff, sizeof diff, p, o->threshold);
        if (!diff[0])
            continue;
        if (!said++)
            fputs("\nFailures and metrics that differ:\n\n", f);
        fputs("- ", f);
        escape_markdown(f, json_string_value(json_object_get(p, "label")));
        fputs(": ", f);
        escape_markdown(f, diff);
        fputc('\n', f);
    }
    if (json_array_size(json_object_get(r->unmatched, "only_a")) ||
        json_array_size(json_object_get(r->unmatched, "only_b")))
        fputc('\n', f);
    print_unmatched(f, r, 1);
    if (json_array_size(r->warnings))
        fputs("\nWarnings:\n\n", f);
    json_array_foreach(r->warnings, i, w)
    {
        fputs("- ⚠️ ", f);
        escape_markdown(f, json_string_value(w));
        fputc('\n', f);
    }
}
