/*
 * plot_sparkline.h — a figure over the runs the history holds, as a line
 * a few words wide: no axes, its own scale from the lowest to the highest
 * value, the last point marked when it is this run.
 */
#ifndef BHOST_REPORT_PLOT_SPARKLINE_H
#define BHOST_REPORT_PLOT_SPARKLINE_H

#include <stddef.h>
#include <stdio.h>

/* One <svg> of class "spark" of v[0..n) (NANs are gaps), oldest first. */
void plot_sparkline(FILE *f, const double *v, size_t n, int last_is_this_run,
                    const char *title);

#endif
