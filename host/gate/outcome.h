/*
 * outcome.h — one gate judged at one point (or at the run): its state, the
 * value it looked at, and why, in a sentence for the terminal.
 */
#ifndef BHOST_OUTCOME_H
#define BHOST_OUTCOME_H

#include "gate/gate.h"

#include <stddef.h>

struct outcome {
    enum gate_state state;
    double value;   /* the figure's value or the ratio; NAN when there is none */
    char why[400];
};

/* Sets the state and why (printf-style); the value is left as it is. */
__attribute__((format(printf, 3, 4)))
void outcome_set(struct outcome *o, enum gate_state s, const char *fmt, ...);

/* A value of g's figure for people: "2.41 ms", "612 s", "52.3 MB", "0.985", "3". */
void gate_format_value(const struct spec_gate *g, double v, char *buf, size_t n);

#endif
