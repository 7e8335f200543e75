/*
 * html_point.h — one point's section of the HTML report: its percentile
 * distribution (and the baseline's, when comparing), its figures, its
 * history as sparklines, its comparison, metrics, shown tables, failure
 * reasons, error and output, notes, and links to its artifacts.
 */
#ifndef BHOST_REPORT_HTML_POINT_H
#define BHOST_REPORT_HTML_POINT_H

#include "report/html_parts.h"

/* The <section class="point"> of `point`. */
void html_point(const struct html_page *p, const json_t *point);

#endif
