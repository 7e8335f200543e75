/*
 * gate_text.h — the text inside a gate (the grammar is in gates.h and
 * docs/ci.md): a check's figure, operator and value with its unit, a
 * percentage, a claim. Each parser fills a struct spec_gate; on a bad text
 * it fills a gate_text_error (gate_figure.h) at the offending token.
 */
#ifndef BHOST_GATE_TEXT_H
#define BHOST_GATE_TEXT_H

#include "spec/gate_figure.h"

/*
 * A check, "FIGURE OP VALUE": fills g's figure (histogram, percentile,
 * metric: malloc'd), op and value in the figure's unit (ns for a
 * histogram's times, seconds for wall_s, bytes, a fraction for
 * success_rate). 0, or -1 and e.
 */
int gate_parse_check(const char *text, struct spec_gate *g, struct gate_text_error *e);
/* A claim, "FIGURE RANGE DIRECTION" or "FIGURE unchanged": g's figure, claim, lo and hi. */
int gate_parse_claim(const char *text, struct spec_gate *g, struct gate_text_error *e);
/* A whole text that is one histogram figure a baseline compares (max_regression's keys). */
int gate_parse_compared_figure(const char *text, struct spec_gate *g,
                               struct gate_text_error *e);
/* "5%", as the fraction 0.05 (a percentage of 0 or more). */
int gate_parse_percent(const char *text, double *frac, struct gate_text_error *e);

#endif
