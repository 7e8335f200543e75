/* period.c — see source.h. */
#include "source.h"

#include <stdio.h>

void source_period_text(uint32_t rate_hz, char *out, size_t n)
{
    double ns = 1e9 / (rate_hz ? rate_hz : 1);
    if (ns >= 1e9)
        snprintf(out, n, "%.4g s", ns / 1e9);
    else if (ns >= 1e6)
        snprintf(out, n, "%.4g ms", ns / 1e6);
    else
        snprintf(out, n, "%.4g us", ns / 1e3);
}
