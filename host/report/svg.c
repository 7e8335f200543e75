/* svg.c — see svg.h. */
#include "report/svg.h"
#include "util/escape.h"

#include <math.h>
#include <string.h>

/* A log axis shows 1, 2 and 5 in each decade only when that makes at most this many ticks. */
#define FINE_TICKS 7

double svg_at(const struct svg_scale *s, double v)
{
    double a = s->lo, b = s->hi;
    if (s->log) {
        if (!(v > 0))
            return NAN;
        v = log10(v), a = log10(a), b = log10(b);
    }
    return b == a ? (s->from + s->to) / 2 : s->from + (v - a) / (b - a) * (s->to - s->from);
}

/* The smallest of 1, 2, 5 times a power of ten that is at least x (x > 0). */
static double nice_up(double x)
{
    double p = pow(10, floor(log10(x)));
    for (int k = 0; k < 3; k++) {
        static const double m[] = {1, 2, 5};
        if (m[k] * p >= x * (1 - 1e-9))
            return m[k] * p;
    }
    return 10 * p;
}

/* The largest of 1, 2, 5 times a power of ten that is at most x (x > 0). */
static double nice_down(double x)
{
    double p = pow(10, floor(log10(x)));
    static const double m[] = {5, 2, 1};
    for (int k = 0; k < 3; k++)
        if (m[k] * p <= x * (1 + 1e-9))
            return m[k] * p;
    return p / 2;
}

void svg_fit(struct svg_scale *s, double min, double max, int log, int zero_based)
{
    s->log = log && min > 0;
    if (!isfinite(min) || !isfinite(max)) {
        min = 0;
        max = 1;
    }
    if (s->log) {
        s->lo = nice_down(min);
        s->hi = nice_up(max);
        if (s->hi <= s->lo)
            s->hi = nice_up(s->lo * 1.5);
        return;
    }
    if (zero_based && min > 0)
        min = 0;
    double range = max - min;
    if (!(range > 0))
        range = max != 0 ? fabs(max) : 1;
    s->step = nice_up(range / 5);
    s->lo = floor(min / s->step) * s->step;
    s->hi = ceil(max / s->step) * s->step;
    if (s->hi <= s->lo)
        s->hi = s->lo + s->step;
}

size_t svg_ticks(const struct svg_scale *s, double *ticks, size_t max)
{
    size_t n = 0;
    if (!s->log) {
        double step = s->step > 0 ? s->step : (s->hi - s->lo);
        while ((s->hi - s->lo) / step + 1 > (double)max)
            step *= 2;
        for (double v = ceil(s->lo / step - 1e-9) * step; v <= s->hi + step * 1e-6 && n < max;
             v += step)
            ticks[n++] = fabs(v) < step * 1e-9 ? 0 : v;
        return n;
    }
    /* 1, 2, 5 in each decade when they fit, else the decades, else every k-th decade. */
    int d0 = (int)floor(log10(s->lo) + 1e-9), d1 = (int)ceil(log10(s->hi) - 1e-9);
    static const double m[] = {1, 2, 5};
    size_t fine = 0;
    for (int d = d0; d <= d1; d++)
        for (int k = 0; k < 3; k++) {
            double v = m[k] * pow(10, d);
            fine += v >= s->lo * (1 - 1e-9) && v <= s->hi * (1 + 1e-9);
        }
    int every = 1;
    while ((size_t)((d1 - d0) / every + 1) > max)
        every++;
    for (int d = d0; d <= d1 && n < max; d++) {
        for (int k = 0; k < 3 && n < max; k++) {
            double v = m[k] * pow(10, d);
            int wanted = fine <= FINE_TICKS && fine <= max ? 1 : k == 0 && (d - d0) % every == 0;
            if (wanted && v >= s->lo * (1 - 1e-9) && v <= s->hi * (1 + 1e-9))
                ticks[n++] = v;
        }
    }
    return n;
}

void svg_place(const struct svg_frame *fr, struct svg_scale *x, struct svg_scale *y)
{
    x->from = fr->left;
    x->to = fr->width - fr->right;
    y->from = fr->height - fr->bottom;
    y->to = fr->top;
}

void svg_open(FILE *f, const struct svg_frame *fr, const char *cls, const char *title,
              const char *data)
{
    fprintf(f, "<svg class=\"plot %s\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
               "role=\"img\" aria-label=\"",
            cls, fr->width, fr->height, fr->width, fr->height);
    escape_html(f, title);
    fprintf(f, "\"%s%s><title>", data ? " " : "", data ? data : "");
    escape_html(f, title);
    fputs("</title>", f);
}

void svg_close(FILE *f)
{
    fputs("</svg>\n", f);
}

static void text_at(FILE *f, double x, double y, const char *cls, const char *text)
{
    fprintf(f, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\">", cls, x, y);
    escape_html(f, text);
    fputs("</text>", f);
}

void svg_axes(FILE *f, const struct svg_frame *fr, const struct svg_scale *x,
              const struct svg_tick *xt, size_t nx, const struct svg_scale *y,
              const struct svg_tick *yt, size_t ny, const char *xtitle, const char *ytitle)
{
    int x0 = fr->left, x1 = fr->width - fr->right, y0 = fr->height - fr->bottom, y1 = fr->top;
    fputs("<path class=\"grid\" d=\"", f);
    for (size_t k = 0; k < nx; k++) {
        double px = svg_at(x, xt[k].at);
        if (isfinite(px))
            fprintf(f, "M%.1f %dV%d", px, y0, y1);
    }
    for (size_t k = 0; k < ny; k++) {
        double py = svg_at(y, yt[k].at);
        if (isfinite(py))
            fprintf(f, "M%d %.1fH%d", x0, py, x1);
    }
    fprintf(f, "\"/><path class=\"frame\" d=\"M%d %dV%dH%d\"/>", x0, y1, y0, x1);
    for (size_t k = 0; k < nx; k++) {
        double px = svg_at(x, xt[k].at);
        if (isfinite(px))
            text_at(f, px, y0 + 13, "tx", xt[k].label);
    }
    for (size_t k = 0; k < ny; k++) {
        double py = svg_at(y, yt[k].at);
        if (isfinite(py))
            text_at(f, x0 - 4, py + 3.5, "ty", yt[k].label);
    }
    if (xtitle)
        text_at(f, (x0 + x1) / 2.0, fr->height - 4, "tt", xtitle);
    if (ytitle) {
        fprintf(f, "<text class=\"tt\" transform=\"translate(11 %.1f) rotate(-90)\">",
                (y0 + y1) / 2.0);
        escape_html(f, ytitle);
        fputs("</text>", f);
    }
}

void svg_line(FILE *f, const double *px, const double *py, size_t n, const char *cls,
              const char *title)
{
    int open = 0, any = 0;
    for (size_t k = 0; k < n; k++) {
        if (!isfinite(px[k]) || !isfinite(py[k])) {
            open = 0;
            continue;
        }
        if (!any++)
            fprintf(f, "<path class=\"%s\" d=\"", cls);
        fprintf(f, "%c%.1f %.1f", open ? 'L' : 'M', px[k], py[k]);
        open = 1;
    }
    if (!any)
        return;
    fputs(title ? "\"><title>" : "\"/>", f);
    if (title) {
        escape_html(f, title);
        fputs("</title></path>", f);
    }
}

void svg_dots(FILE *f, const double *px, const double *py, size_t n, const char *cls)
{
    for (size_t k = 0; k < n; k++)
        if (isfinite(px[k]) && isfinite(py[k]))
            fprintf(f, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\"/>", cls, px[k],
                    py[k]);
}

void svg_legend(FILE *f, const struct svg_frame *fr, const char *const *cls,
                const char *const *names, size_t n)
{
    double x = fr->left + 8, y = fr->top + 10;
    for (size_t k = 0; k < n; k++, y += 13) {
        fprintf(f, "<path class=\"%s\" d=\"M%.1f %.1fh16\"/>", cls[k], x, y - 3.5);
        text_at(f, x + 20, y, "tl", names[k]);
    }
}

char *svg_clip(char *buf, size_t size, const char *s, size_t chars)
{
    size_t used = 0, n = 0;
    while (s[used] && n < chars) {
        used++;
        while (((unsigned char)s[used] & 0xC0) == 0x80)
            used++;
        n++;
    }
    if (!s[used] || used + 4 > size)
        snprintf(buf, size, "%.*s", (int)(used < size ? used : size - 1), s);
    else
        snprintf(buf, size, "%.*s…", (int)used, s);
    return buf;
}
