/* ratios.c — see ratios.h. */
#include "report/ratios.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

char *ratios_ratio(char *buf, size_t n, double ratio)
{
    if (!isfinite(ratio))
        snprintf(buf, n, "–");
    else
        snprintf(buf, n, ratio < 1000 ? "%.3f" : "%.3g", ratio);
    return buf;
}

char *ratios_interval(char *buf, size_t n, const struct stats_ratio *r)
{
    if (!isfinite(r->lo) || !isfinite(r->hi))
        snprintf(buf, n, "none");
    else
        snprintf(buf, n, "%.3f–%.3f", r->lo, r->hi);
    return buf;
}

char *ratios_figure(char *buf, size_t n, const struct compare_figure *f)
{
    if (strcmp(f->histogram, "iteration") == 0)
        snprintf(buf, n, "%s", f->figure);
    else
        snprintf(buf, n, "%s %s", f->histogram, f->figure);
    return buf;
}

void ratios_summary(char *buf, size_t n, const struct compare_result *r)
{
    const json_t *s = r->summary;
#define COUNT(key) ((long long)json_integer_value(json_object_get(s, key)))
    int used = snprintf(buf, n, "%lld figure%s: %lld slower, %lld faster, %lld same, "
                        "%lld inconclusive", COUNT("figures"), COUNT("figures") == 1 ? "" : "s",
                        COUNT("slower"), COUNT("faster"), COUNT("same"), COUNT("inconclusive"));
    if (COUNT("more_failures") && used > 0 && (size_t)used < n)
        used += snprintf(buf + used, n - (size_t)used, "; %lld point%s with more failures",
                         COUNT("more_failures"), COUNT("more_failures") == 1 ? "" : "s");
#undef COUNT
    const char *key;
    const json_t *g;
    int first = 1;
    json_object_foreach(json_object_get(s, "geomean"), key, g) {
        if (used < 0 || (size_t)used >= n || !json_is_number(g))
            continue;
        used += snprintf(buf + used, n - (size_t)used, "%s%s %.3f",
                         first ? "; geometric mean of the ratios: " : ", ", key,
                         json_number_value(g));
        first = 0;
    }
}
