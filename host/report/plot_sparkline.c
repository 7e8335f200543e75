/* plot_sparkline.c — see plot_sparkline.h. */
#include "report/plot_sparkline.h"
#include "report/svg.h"
#include "util/mem.h"

#include <math.h>
#include <stdlib.h>

void plot_sparkline(FILE *f, const double *v, size_t n, int last_is_this_run, const char *title)
{
    static const struct svg_frame fr = {
        .width = 120, .height = 26, .left = 4, .right = 4, .top = 4, .bottom = 4};
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        if (isfinite(v[k])) {
            lo = v[k] < lo ? v[k] : lo;
            hi = v[k] > hi ? v[k] : hi;
        }
    }
    struct svg_scale xs = {.lo = 0, .hi = n > 1 ? (double)(n - 1) : 1};
    struct svg_scale ys = {.lo = lo, .hi = hi > lo ? hi : lo + 1};
    svg_place(&fr, &xs, &ys);
    double *px = xcalloc(n + 1, sizeof *px), *py = xcalloc(n + 1, sizeof *py);
    for (size_t k = 0; k < n; k++) {
        px[k] = svg_at(&xs, (double)k);
        py[k] = isfinite(v[k]) ? svg_at(&ys, v[k]) : NAN;
    }
    svg_open(f, &fr, "spark", title, NULL);
    svg_line(f, px, py, n, "s0", NULL);
    if (n)
        svg_dots(f, &px[n - 1], &py[n - 1], 1, last_is_this_run ? "now" : "s0");
    svg_close(f);
    free(px);
    free(py);
}
