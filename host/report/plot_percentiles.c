/* plot_percentiles.c — see plot_percentiles.h. */
#include "report/plot_percentiles.h"
#include "report/svg.h"
#include "report/units.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define SAMPLES 72   /* points along each curve: even steps of the nines axis */
#define MAX_SERIES 4
#define MAX_TICKS 12

/*
 * The curve of h at SAMPLES + 1 even steps from 0 to log10(count) nines: the value at each
 * step's percentile (HdrHistogram's rank rule), the last one the maximum. One walk over the
 * counts, as the percentiles only grow.
 */
static void walk(const struct hdr *h, double nines, double *x, double *v)
{
    int64_t total = h->total_count, below = 0;
    int32_t i = h->min_index;
    for (int k = 0; k <= SAMPLES; k++) {
        x[k] = nines * k / SAMPLES;
        double q = 1 - pow(10, -x[k]);
        int64_t rank = k == SAMPLES ? total : (int64_t)ceil(q * (double)total);
        rank = rank < 1 ? 1 : rank > total ? total : rank;
        while (i < h->max_index && below + h->counts[i] < rank)
            below += h->counts[i++];
        v[k] = (double)hdr_highest_equivalent(h, hdr_value_at_index(h, i));
    }
}

/* "0%", "90%", "99%", "99.9%", "99.99%", ... for k nines. */
static void nines_label(char *buf, size_t n, int k)
{
    if (k < 2) {
        snprintf(buf, n, k ? "90%%" : "0%%");
        return;
    }
    char nines[32] = "";
    for (int d = 2; d < k && d < 30; d++)
        nines[d - 2] = '9';
    snprintf(buf, n, "99%s%s%%", k > 2 ? "." : "", nines);
}

/* A tick label in the axis's unit: up to four significant digits. */
static void value_label(char *buf, size_t n, double v, double scale)
{
    snprintf(buf, n, "%.4g", v / scale);
}

void plot_percentiles(FILE *f, const struct plot_distribution *d, size_t n, const char *title,
                      const char *unit)
{
    static const struct svg_frame fr = {
        .width = 460, .height = 230, .left = 52, .right = 14, .top = 10, .bottom = 34};
    double x[MAX_SERIES][SAMPLES + 1], v[MAX_SERIES][SAMPLES + 1];
    n = n > MAX_SERIES ? MAX_SERIES : n;
    double most = 0, low = INFINITY, high = 0, first_p50 = 0;
    for (size_t s = 0; s < n; s++) {
        double nines = log10((double)d[s].h->total_count);
        most = nines > most ? nines : most;
    }
    for (size_t s = 0; s < n; s++) {
        walk(d[s].h, log10((double)d[s].h->total_count), x[s], v[s]);
        low = v[s][0] < low ? v[s][0] : low;
        high = v[s][SAMPLES] > high ? v[s][SAMPLES] : high;
    }
    if (n)
        first_p50 = (double)hdr_value_at_percentile(d[0].h, 50);
    /* A tail far above the body would flatten the body to a line: then log. */
    int log_y = low > 0 && first_p50 > 0 && high > 30 * first_p50;
    struct svg_scale xs = {.lo = 0, .hi = most > 1 ? ceil(most - 1e-9) : 1, .step = 1}, ys;
    svg_fit(&ys, low, high, log_y, 1);
    svg_place(&fr, &xs, &ys);

    int time = !unit || strcmp(unit, "ns") == 0;
    const char *scale_name = unit ? unit : "ns";
    double scale = time ? units_time_scale(ys.hi, &scale_name) : 1;
    struct svg_tick xt[MAX_TICKS + 8], yt[MAX_TICKS];
    double at[MAX_TICKS];
    int every = (int)ceil(xs.hi / 8);
    size_t nx = 0, ny = svg_ticks(&ys, at, MAX_TICKS);
    for (int k = 0; k <= (int)xs.hi; k += every) {
        xt[nx].at = k;
        nines_label(xt[nx].label, sizeof xt[nx].label, k);
        nx++;
    }
    for (size_t k = 0; k < ny; k++) {
        yt[k].at = at[k];
        if (time && log_y)
            units_time_tick(yt[k].label, sizeof yt[k].label, at[k]);
        else
            value_label(yt[k].label, sizeof yt[k].label, at[k], scale);
    }
    char ytitle[64];
    if (time && log_y)
        snprintf(ytitle, sizeof ytitle, "latency (log)");
    else
        snprintf(ytitle, sizeof ytitle, "%s (%s%s)", time ? "latency" : "value", scale_name,
                 log_y ? ", log" : "");
    svg_open(f, &fr, "dist", title, NULL);
    svg_axes(f, &fr, &xs, xt, nx, &ys, yt, ny, "percentile", ytitle);
    const char *cls[MAX_SERIES], *names[MAX_SERIES];
    for (size_t s = 0; s < n; s++) {
        double px[SAMPLES + 1], py[SAMPLES + 1];
        for (int k = 0; k <= SAMPLES; k++) {
            px[k] = svg_at(&xs, x[s][k]);
            py[k] = svg_at(&ys, v[s][k]);
        }
        char tip[256], p50[32], p99[32], max[32];
        snprintf(tip, sizeof tip, "%s: p50 %s, p99 %s, max %s (%lld values)", d[s].name,
                 units_figure(p50, sizeof p50, (double)hdr_value_at_percentile(d[s].h, 50), unit),
                 units_figure(p99, sizeof p99, (double)hdr_value_at_percentile(d[s].h, 99), unit),
                 units_figure(max, sizeof max, v[s][SAMPLES], unit),
                 (long long)d[s].h->total_count);
        svg_line(f, px, py, SAMPLES + 1, d[s].cls, tip);
        cls[s] = d[s].cls;
        names[s] = d[s].name;
    }
    svg_legend(f, &fr, cls, names, n);
    svg_close(f);
}
