/*
 * html_compare.h — the HTML report's comparison with a baseline (--compare):
 * the section with every point's figures, ratios, intervals and verdicts,
 * and each point's own rows in its details.
 */
#ifndef BHOST_REPORT_HTML_COMPARE_H
#define BHOST_REPORT_HTML_COMPARE_H

#include "report/html_parts.h"

/* The section "Comparison" (id "comparison"). */
void html_compare_section(const struct html_page *p);
/* The point's compared figures as a small table; nothing when it has none. */
void html_compare_point(const struct html_page *p, const json_t *point);

#endif
