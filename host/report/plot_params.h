/*
 * plot_params.h — for one swept parameter of an experiment, its points' p50
 * and p99 (iteration histogram) against the parameter's values: one line
 * per combination of the other swept parameters when there are few, else
 * every combination thin and their median bold. A log x axis when the
 * values are geometric, a log y axis when the figures span a wide range.
 */
#ifndef BHOST_REPORT_PLOT_PARAMS_H
#define BHOST_REPORT_PLOT_PARAMS_H

#include "report/view.h"

#include <stdio.h>

/* The most combinations drawn each in a colour of its own, with a legend entry. */
#define PLOT_PARAMS_COLOURS 6

/* A <figure> holding one <svg> of class "param" for axis `axis` of e, and its legend. */
void plot_param(FILE *f, const struct view_experiment *e, size_t axis);

#endif
