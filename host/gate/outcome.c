/* outcome.c — see outcome.h. */
#include "gate/outcome.h"
#include "spec/gate_figure.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

void outcome_set(struct outcome *o, enum gate_state s, const char *fmt, ...)
{
    o->state = s;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->why, sizeof o->why, fmt, ap);
    va_end(ap);
}

/* v with `digits` significant digits, but whole (no exponent) when it is larger. */
static void number(double v, int digits, const char *unit, char *buf, size_t len)
{
    if (fabs(v) >= pow(10, digits) && fabs(v) < 1e15)
        snprintf(buf, len, "%.0f%s", v, unit);
    else
        snprintf(buf, len, "%.*g%s", digits, v, unit);
}

/* v in the largest of `units` (each `step` times the last) that keeps it at 1 or more. */
static void scaled(double v, const char *const *units, size_t n, double step, char *buf,
                   size_t len)
{
    size_t i = 0;
    while (i + 1 < n && fabs(v) >= step) {
        v /= step;
        i++;
    }
    char unit[8];
    snprintf(unit, sizeof unit, " %s", units[i]);
    number(v, 3, unit, buf, len);
}

void gate_format_value(const struct spec_gate *g, double v, char *buf, size_t n)
{
    static const char *const times[] = {"ns", "us", "ms", "s"};
    static const char *const bytes[] = {"B", "KB", "MB", "GB", "TB"};
    if (isnan(v)) {
        snprintf(buf, n, "none");
        return;
    }
    switch (gate_figure_unit(g)) {
    case GATE_UNIT_NS: scaled(v, times, 4, 1000, buf, n); break;
    case GATE_UNIT_S: number(v, 3, " s", buf, n); break;
    case GATE_UNIT_PER_S: number(v, 4, "/s", buf, n); break;
    case GATE_UNIT_BYTES: scaled(v, bytes, 5, 1000, buf, n); break;
    case GATE_UNIT_COUNT: snprintf(buf, n, "%.0f", v); break;
    default: number(v, 4, "", buf, n); break;
    }
}
