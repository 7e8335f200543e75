/*
 * units.h — numbers as a person reads them in a report: times in the unit
 * that keeps three significant digits readable (ns, µs, ms, s), rates with
 * a decimal prefix, counts with thousands separators. Every function writes
 * into buf (size n) and returns buf, so a call can sit in a printf.
 */
#ifndef BHOST_REPORT_UNITS_H
#define BHOST_REPORT_UNITS_H

#include <stddef.h>

/* 973 -> "973 ns", 1054 -> "1.05 µs", 2.5e9 -> "2.50 s"; NaN -> "–". */
char *units_time(char *buf, size_t n, double ns);
/* A histogram's figure in its unit: a time for "ns", else the number and the unit. */
char *units_figure(char *buf, size_t n, double v, const char *unit);
/* 953330 -> "953 k/s". */
char *units_rate(char *buf, size_t n, double per_s);
/* 1234567 -> "1,234,567". */
char *units_count(char *buf, size_t n, long long x);
/* Four significant digits, a whole number whole: 0.001234 -> "0.001234", 3 -> "3". */
char *units_number(char *buf, size_t n, double x);
/* A wall time in seconds: 0.218 -> "218 ms", 75 -> "1 min 15 s". */
char *units_seconds(char *buf, size_t n, double s);

/*
 * The scale a set of times up to `largest` ns is best shown in on one axis:
 * its factor (1, 1e3, 1e6, 1e9) and its name ("ns", "µs", "ms", "s").
 */
double units_time_scale(double largest, const char **name);
/* A tick of a log time axis, in the unit that suits the tick itself: "10 ns", "2 µs",
 * "500 ms" (a log axis spans units; one unit for all would print 1e-05). */
char *units_time_tick(char *buf, size_t n, double ns);

#endif
