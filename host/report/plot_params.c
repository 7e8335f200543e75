/* plot_params.c — see plot_params.h. */
#include "report/plot_params.h"
#include "report/svg.h"
#include "report/units.h"
#include "util/escape.h"
#include "util/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TICKS 12
#define FEW_VALUES 8 /* an axis of at most this many values is labelled at each */
#define FEW_DOTS 20  /* lines of at most this many values get a dot at each */

/* The figures of a plot: for each combination of the other axes, p50 and p99 at each value. */
struct lines {
    size_t nvalues, ncombos, cap;
    char **values;  /* the axis's values as text, in spec order */
    char **combos;  /* "mode=clock, threads=2" per combination, in order of first point */
    double *p50, *p99; /* [combo * nvalues + value], NAN where no point measured */
};

static size_t index_of(char *const *list, size_t n, const char *s)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(list[k], s) == 0)
            return k;
    return n;
}

/* The other axes' values at a point, as "name=value, ..." (malloc'd). */
static char *combination(const struct view_experiment *e, size_t axis, const json_t *point)
{
    char *out = xstrdup("");
    for (size_t a = 0; a < e->naxes; a++) {
        if (a == axis)
            continue;
        char *value = view_value_text(view_axis_value(point, e->axes[a].name));
        char *next = xasprintf("%s%s%s=%s", out, *out ? ", " : "", e->axes[a].name, value);
        free(value);
        free(out);
        out = next;
    }
    return out;
}

static void gather(struct lines *l, const struct view_experiment *e, size_t axis)
{
    const struct view_axis *ax = &e->axes[axis];
    l->nvalues = json_array_size(ax->values);
    l->values = xcalloc(l->nvalues + 1, sizeof *l->values);
    for (size_t k = 0; k < l->nvalues; k++)
        l->values[k] = view_value_text(json_array_get(ax->values, k));
    for (size_t p = 0; p < e->npoints; p++) {
        char *value = view_value_text(view_axis_value(e->points[p], ax->name));
        size_t at = index_of(l->values, l->nvalues, value);
        free(value);
        if (at == l->nvalues)
            continue;
        char *combo = combination(e, axis, e->points[p]);
        size_t c = index_of(l->combos, l->ncombos, combo);
        if (c == l->ncombos) {
            size_t old = l->cap;
            grow(&l->combos, &l->cap, l->ncombos, sizeof *l->combos);
            if (l->cap != old) {
                l->p50 = xrealloc(l->p50, l->cap * l->nvalues * sizeof *l->p50);
                l->p99 = xrealloc(l->p99, l->cap * l->nvalues * sizeof *l->p99);
                for (size_t k = old * l->nvalues; k < l->cap * l->nvalues; k++)
                    l->p50[k] = l->p99[k] = NAN;
            }
            l->combos[l->ncombos++] = combo;
        } else {
            free(combo);
        }
        const json_t *h = view_histogram(e->points[p], "iteration");
        if (h) {
            l->p50[c * l->nvalues + at] = view_number(h, "p50");
            l->p99[c * l->nvalues + at] = view_number(h, "p99");
        }
    }
}

static void lines_free(struct lines *l)
{
    for (size_t k = 0; k < l->nvalues; k++)
        free(l->values[k]);
    for (size_t k = 0; k < l->ncombos; k++)
        free(l->combos[k]);
    free(l->values);
    free(l->combos);
    free(l->p50);
    free(l->p99);
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median at each value over the combinations that have one, into out. */
static void medians(const struct lines *l, const double *fig, double *out)
{
    double *col = xcalloc(l->ncombos + 1, sizeof *col);
    for (size_t v = 0; v < l->nvalues; v++) {
        size_t m = 0;
        for (size_t c = 0; c < l->ncombos; c++)
            if (isfinite(fig[c * l->nvalues + v]))
                col[m++] = fig[c * l->nvalues + v];
        qsort(col, m, sizeof *col, by_double);
        out[v] = m == 0 ? NAN : m % 2 ? col[m / 2] : (col[m / 2 - 1] + col[m / 2]) / 2;
    }
    free(col);
}

/* The x axis: the values themselves (numbers, a log scale when geometric), or evenly spaced
 * categories. Fills xs, the pixel of each value in px, and the ticks. */
static size_t x_axis(const struct view_axis *ax, const struct lines *l, struct svg_scale *xs,
                     struct svg_tick *xt, const struct svg_frame *fr, double *px)
{
    struct svg_scale unused;
    size_t n = l->nvalues, nt = 0;
    if (ax->numeric) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t k = 0; k < n; k++) {
            double v = json_number_value(json_array_get(ax->values, k));
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        xs->log = ax->geometric;
        xs->lo = lo;
        xs->hi = hi;
        if (hi <= lo) {
            xs->log = 0;
            xs->lo = lo - 1;
            xs->hi = hi + 1;
        }
    } else {
        xs->log = 0;
        xs->lo = -0.5;
        xs->hi = (double)n - 0.5;
    }
    svg_place(fr, xs, &unused);
    /* Room for the labels: ends kept in from the frame's edges by a margin. */
    double pad = (xs->to - xs->from) * 0.04;
    xs->from += ax->numeric ? pad : 0;
    xs->to -= ax->numeric ? pad : 0;
    /* A few values are their own ticks; many numbers get round ones. */
    int round_ticks = ax->numeric && n > FEW_VALUES;
    size_t every = (n + FEW_VALUES - 1) / FEW_VALUES;
    every = every && !ax->numeric ? every : 1;
    for (size_t k = 0; k < n; k++) {
        double v = ax->numeric ? json_number_value(json_array_get(ax->values, k)) : (double)k;
        px[k] = svg_at(xs, v);
        if (!round_ticks && k % every == 0 && nt < MAX_TICKS) {
            xt[nt].at = v;
            if (ax->numeric)
                units_number(xt[nt].label, sizeof xt[nt].label, v);
            else
                svg_clip(xt[nt].label, sizeof xt[nt].label, l->values[k], 12);
            nt++;
        }
    }
    if (round_ticks) {
        struct svg_scale round;
        double at[MAX_TICKS];
        svg_fit(&round, xs->lo, xs->hi, xs->log, 0);
        round.lo = xs->lo;
        round.hi = xs->hi;
        nt = svg_ticks(&round, at, FEW_VALUES);
        for (size_t k = 0; k < nt; k++) {
            xt[k].at = at[k];
            units_number(xt[k].label, sizeof xt[k].label, at[k]);
        }
    }
    return nt;
}

static void legend_item(FILE *f, const char *cls, const char *text)
{
    fprintf(f, "<li><svg class=\"key\" viewBox=\"0 0 22 8\" width=\"22\" height=\"8\">"
               "<path class=\"%s\" d=\"M1 4h20\"/></svg>",
            cls);
    escape_html(f, text);
    fputs("</li>", f);
}

void plot_param(FILE *f, const struct view_experiment *e, size_t axis)
{
    static const struct svg_frame fr = {
        .width = 460, .height = 240, .left = 52, .right = 14, .top = 10, .bottom = 34};
    const struct view_axis *ax = &e->axes[axis];
    struct lines l = {0};
    gather(&l, e, axis);
    size_t n = l.nvalues, cells = l.ncombos * n;
    int many = l.ncombos > PLOT_PARAMS_COLOURS;
    double low = INFINITY, high = 0;
    for (size_t k = 0; k < cells; k++) {
        double a = l.p50[k], b = l.p99[k];
        if (isfinite(a))
            low = a < low ? a : low;
        if (isfinite(b))
            high = b > high ? b : high;
    }
    int data = isfinite(low);
    if (!data)
        low = 0, high = 1;
    struct svg_scale xs, ys;
    struct svg_tick xt[MAX_TICKS], yt[MAX_TICKS];
    double *px = xcalloc(n + 1, sizeof *px), *py = xcalloc(n + 1, sizeof *py);
    double at[MAX_TICKS];
    svg_fit(&ys, low, high, data && low > 0 && high > 20 * low, 1);
    struct svg_scale unused;
    svg_place(&fr, &unused, &ys);
    size_t nx = x_axis(ax, &l, &xs, xt, &fr, px);
    const char *unit;
    double scale = units_time_scale(ys.hi, &unit);
    size_t ny = svg_ticks(&ys, at, MAX_TICKS);
    for (size_t k = 0; k < ny; k++) {
        yt[k].at = at[k];
        if (ys.log)
            units_time_tick(yt[k].label, sizeof yt[k].label, at[k]);
        else
            snprintf(yt[k].label, sizeof yt[k].label, "%.4g", at[k] / scale);
    }
    char title[512], ytitle[64];
    snprintf(title, sizeof title, "%s: p50 and p99 against %s", e->name, ax->name);
    if (ys.log)
        snprintf(ytitle, sizeof ytitle, "p50, p99 (log)");
    else
        snprintf(ytitle, sizeof ytitle, "p50, p99 (%s)", unit);

    char data_attr[64];
    snprintf(data_attr, sizeof data_attr, "data-lines=\"%zu\"", l.ncombos);
    fputs("<figure class=\"param\">", f);
    svg_open(f, &fr, "param", title, data_attr);
    svg_axes(f, &fr, &xs, xt, nx, &ys, yt, ny, ax->name, ytitle);
    for (int pass = 0; pass < 2; pass++) {
        const double *fig = pass == 0 ? l.p50 : l.p99;
        for (size_t c = 0; c < l.ncombos; c++) {
            for (size_t k = 0; k < n; k++)
                py[k] = svg_at(&ys, fig[c * n + k]);
            char cls[32];
            if (many)
                snprintf(cls, sizeof cls, "thin%s", pass ? " dash" : "");
            else
                snprintf(cls, sizeof cls, "s%zu%s", c, pass ? " dash" : "");
            svg_line(f, px, py, n, cls, l.combos[c][0] ? l.combos[c] : NULL);
            if (!many && n <= FEW_DOTS)
                svg_dots(f, px, py, n, cls);
        }
        if (many) {
            double *mid = xcalloc(n + 1, sizeof *mid);
            medians(&l, fig, mid);
            for (size_t k = 0; k < n; k++)
                py[k] = svg_at(&ys, mid[k]);
            svg_line(f, px, py, n, pass ? "s0 bold dash" : "s0 bold",
                     pass ? "median p99" : "median p50");
            free(mid);
        }
    }
    if (!data)
        fprintf(f, "<text class=\"tt\" x=\"%.1f\" y=\"%.1f\">no point measured anything</text>",
                (xs.from + xs.to) / 2, (ys.from + ys.to) / 2);
    svg_close(f);
    fputs("<figcaption><ul class=\"legend\">", f);
    legend_item(f, "s9", "p50");
    legend_item(f, "s9 dash", "p99");
    if (many) {
        char text[128];
        snprintf(text, sizeof text, "each of the %zu combinations of the other parameters",
                 l.ncombos);
        legend_item(f, "thin", text);
        legend_item(f, "s0 bold", "their median");
    } else if (l.ncombos > 1) {
        for (size_t c = 0; c < l.ncombos; c++) {
            char cls[24];
            snprintf(cls, sizeof cls, "s%zu", c);
            legend_item(f, cls, l.combos[c]);
        }
    }
    fputs("</ul></figcaption></figure>\n", f);
    free(px);
    free(py);
    lines_free(&l);
}
