/* units.c — see units.h. */
#include "report/units.h"

#include <math.h>
#include <stdio.h>

static const struct {
    double scale;
    const char *name;
} time_units[] = {{1, "ns"}, {1e3, "µs"}, {1e6, "ms"}, {1e9, "s"}};

#define NTIME_UNITS (sizeof time_units / sizeof time_units[0])

/* Three significant digits, at least none after the point. */
static int decimals_for(double v)
{
    v = fabs(v);
    return v >= 100 ? 0 : v >= 10 ? 1 : 2;
}

double units_time_scale(double largest, const char **name)
{
    size_t u = 0;
    while (u + 1 < NTIME_UNITS && fabs(largest) >= time_units[u + 1].scale)
        u++;
    *name = time_units[u].name;
    return time_units[u].scale;
}

char *units_time_tick(char *buf, size_t n, double ns)
{
    const char *name;
    double scale = units_time_scale(ns, &name);
    snprintf(buf, n, "%.3g %s", ns / scale, name);
    return buf;
}

char *units_time(char *buf, size_t n, double ns)
{
    if (!isfinite(ns)) {
        snprintf(buf, n, "–");
        return buf;
    }
    const char *name;
    double scale = units_time_scale(ns, &name);
    double v = ns / scale;
    /* Whole nanoseconds are whole: a histogram's values are integers. */
    int decimals = scale == 1 ? 0 : decimals_for(v);
    double shown = round(v * pow(10, decimals)) / pow(10, decimals);
    if (fabs(shown) >= 1000 && scale < 1e9) { /* 999.96 ns is shown as 1.00 µs, not 1000 ns */
        scale = units_time_scale(shown * scale, &name);
        v = ns / scale;
        decimals = decimals_for(v);
    }
    snprintf(buf, n, "%.*f %s", decimals, v, name);
    return buf;
}

char *units_figure(char *buf, size_t n, double v, const char *unit)
{
    if (!unit || !*unit || (unit[0] == 'n' && unit[1] == 's' && !unit[2]))
        return units_time(buf, n, v);
    char num[40];
    snprintf(buf, n, "%s %s", units_number(num, sizeof num, v), unit);
    return buf;
}

char *units_rate(char *buf, size_t n, double v)
{
    static const char *const prefix[] = {"", "k", "M", "G", "T"};
    if (!isfinite(v)) {
        snprintf(buf, n, "–");
        return buf;
    }
    size_t p = 0;
    while (p + 1 < sizeof prefix / sizeof prefix[0] && fabs(v) >= 1000) {
        v /= 1000;
        p++;
    }
    snprintf(buf, n, "%.*f %s/s", v == 0 ? 0 : decimals_for(v), v, prefix[p]);
    return buf;
}

char *units_count(char *buf, size_t n, long long x)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%lld", x < 0 ? -x : x);
    size_t at = 0;
    if (x < 0 && at + 1 < n)
        buf[at++] = '-';
    for (int i = 0; i < len && at + 1 < n; i++) {
        if (i > 0 && (len - i) % 3 == 0 && at + 2 < n)
            buf[at++] = ',';
        buf[at++] = digits[i];
    }
    if (n)
        buf[at < n ? at : n - 1] = '\0';
    return buf;
}

char *units_number(char *buf, size_t n, double x)
{
    if (!isfinite(x))
        snprintf(buf, n, "–");
    else if (x == floor(x) && fabs(x) < 1e15)
        units_count(buf, n, (long long)x);
    else
        snprintf(buf, n, "%.4g", x);
    return buf;
}

char *units_seconds(char *buf, size_t n, double s)
{
    if (!isfinite(s))
        snprintf(buf, n, "–");
    else if (s < 60)
        units_time(buf, n, s * 1e9);
    else if (s < 3600)
        snprintf(buf, n, "%d min %d s", (int)(s / 60), (int)fmod(s, 60));
    else
        snprintf(buf, n, "%d h %d min", (int)(s / 3600), (int)fmod(s / 60, 60));
    return buf;
}
