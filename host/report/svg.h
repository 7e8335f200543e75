/*
 * svg.h — what every plot of the HTML report is drawn with: scales (linear
 * or log) fitted to round values, ticks, a frame with grid lines, tick
 * labels and axis titles, and data lines that break at gaps. The output is
 * compact, as a page may hold hundreds of plots: coordinates with one
 * decimal, styling by class (the page's stylesheet), nothing repeated per
 * element. Every label goes through escape_html().
 */
#ifndef BHOST_REPORT_SVG_H
#define BHOST_REPORT_SVG_H

#include <stddef.h>
#include <stdio.h>

struct svg_scale {
    double lo, hi;   /* the values at the two ends */
    double step;     /* linear: the distance between ticks */
    int log;         /* log10 scale */
    double from, to; /* the pixels of lo and hi */
};

/* The pixel of v on s. */
double svg_at(const struct svg_scale *s, double v);
/* Sets lo and hi to round values enclosing [min, max]: linear (from 0 with zero_based), or
 * log (1, 2, 5 times a power of ten; min must be > 0). */
void svg_fit(struct svg_scale *s, double min, double max, int log, int zero_based);
/* Round values within [lo, hi] for ticks, at most `max`; how many. */
size_t svg_ticks(const struct svg_scale *s, double *ticks, size_t max);

struct svg_tick {
    double at;        /* the value */
    char label[64];   /* its text */
};

struct svg_frame {
    int width, height;
    int left, right, top, bottom; /* margins around the plotting area */
};

/* Sets x's and y's pixel ranges to the frame's plotting area. */
void svg_place(const struct svg_frame *fr, struct svg_scale *x, struct svg_scale *y);
/* Opens the plot: an <svg> of class "plot CLS" with its title for screen readers and a
 * tooltip; `data` (may be NULL) is more attributes, written as they are. */
void svg_open(FILE *f, const struct svg_frame *fr, const char *cls, const char *title,
              const char *data);
void svg_close(FILE *f);
/* Grid lines at the ticks, their labels, the frame and both axis titles. */
void svg_axes(FILE *f, const struct svg_frame *fr, const struct svg_scale *x,
              const struct svg_tick *xt, size_t nx, const struct svg_scale *y,
              const struct svg_tick *yt, size_t ny, const char *xtitle, const char *ytitle);
/* A line through the pixels (px[i], py[i]) as one path of class `cls`; a NAN starts a
 * new piece. `title` (may be NULL) is its tooltip. */
void svg_line(FILE *f, const double *px, const double *py, size_t n, const char *cls,
              const char *title);
/* A dot at each pixel (px[i], py[i]) that is not NAN, of class `cls`. */
void svg_dots(FILE *f, const double *px, const double *py, size_t n, const char *cls);
/* Legend entries in the top left corner of the plotting area: a short line of class
 * cls[i] and its name names[i]. */
void svg_legend(FILE *f, const struct svg_frame *fr, const char *const *cls,
                const char *const *names, size_t n);

/* s cut to at most `chars` characters (UTF-8), "…" at the end when cut, into buf. */
char *svg_clip(char *buf, size_t size, const char *s, size_t chars);

#endif
